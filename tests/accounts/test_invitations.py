"""Invitations, CSV import and password resets."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from deliberate.accounts.models import Invitation, Member, MemberRole, PasswordReset
from deliberate.accounts.services import invite_member, issue_password_reset
from deliberate.audit.models import AuditEntry
from deliberate.tendencies.models import TendencyMembership
from tests.factories import PASSWORD, make_member, make_tendency


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def admin(session):
    return make_member("Ada Admin", role=MemberRole.ADMIN)


def invite(admin, email="new@example.org", tendency=None, valid_for=timedelta(days=1)):
    return invite_member(admin, email, "New Person", tendency, valid_for=valid_for)


def accept(client, token, name="Nia Newcomer", password="a long enough password"):
    return client.post(
        f"/invitations/{token}",
        data={"display_name": name, "password": password, "confirm": password},
    )


def test_admin_invites_and_sees_the_link_once(client, login_as, admin, session):
    login_as(admin)
    response = client.post(
        "/admin/invitations/new", data={"email": "Nia@Example.org", "tendency_id": "0"}
    )
    assert response.status_code == 200
    assert b"/invitations/" in response.data
    invitation = session.scalar(select(Invitation))
    assert invitation.email == "nia@example.org"
    assert session.scalar(select(AuditEntry.action)) == "invitation.create"


def test_accepting_an_invitation_creates_the_member_and_logs_in(client, admin, session):
    tendency = make_tendency("Assembly")
    _, token = invite(admin, tendency=tendency)
    response = accept(client, token)
    assert response.status_code == 303
    member = session.scalar(select(Member).where(Member.email == "new@example.org"))
    assert member.display_name == "Nia Newcomer"
    assert member.role == "member"
    membership = session.scalar(
        select(TendencyMembership).where(TendencyMembership.member_id == member.id)
    )
    assert membership.tendency_id == tendency.id
    assert client.get("/").data.count(b"Nia Newcomer") >= 1


def test_an_invitation_is_single_use(client, admin, session):
    _, token = invite(admin)
    assert accept(client, token).status_code == 303
    client.post("/logout")
    response = accept(client, token, name="Someone Else")
    assert response.status_code == 400
    assert b"already" in response.data
    assert count(session, Member) == 2


def test_an_expired_invitation_is_refused(client, admin, session):
    invitation, token = invite(admin)
    invitation.expires_at = invitation.created_at - timedelta(seconds=1)
    response = accept(client, token)
    assert response.status_code == 400
    assert b"expired" in response.data
    assert count(session, Member) == 1


def test_an_unknown_token_is_refused(client, session):
    response = client.get("/invitations/not-a-real-token")
    assert b"not valid" in response.data
    assert accept(client, "not-a-real-token").status_code == 400


def test_a_short_password_is_refused_and_the_invitation_stays_usable(client, admin, session):
    _, token = invite(admin)
    response = accept(client, token, password="short", name="Nia")
    assert response.status_code == 400
    assert count(session, Member) == 1
    assert accept(client, token).status_code == 303


def test_only_admins_invite(client, login_as, session):
    login_as(make_member(role=MemberRole.CONVENER))
    response = client.post("/admin/invitations/new", data={"email": "x@example.org"})
    assert response.status_code == 403
    assert count(session, Invitation) == 0


CSV = (
    "name,email,tendency\n"
    "Good One,good1@example.org,Assembly\n"
    "Good Two,good2@example.org,\n"
    "No Email,,\n"
    "Duplicate,good1@example.org,\n"
    "Stranger,stranger@example.org,Nonexistent Tendency\n"
    "Existing,{existing},\n"
    "Bad Address,not-an-email,\n"
)


def test_csv_import_reports_row_by_row_and_creates_nothing_for_bad_rows(
    client, login_as, admin, session
):
    make_tendency("Assembly")
    existing = make_member(email="taken@example.org")
    login_as(admin)
    data = CSV.format(existing=existing.email).encode()
    response = client.post(
        "/admin/invitations/import",
        data={"file": (io.BytesIO(data), "members.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "2 invited, 5 refused" in page
    assert "An email address is required" in page
    assert "appears earlier in this file" in page
    assert "unknown tendency “Nonexistent Tendency”" in page
    assert "taken@example.org is already a member" in page
    assert "is not a valid email address" in page
    emails = set(session.scalars(select(Invitation.email)))
    assert emails == {"good1@example.org", "good2@example.org"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (b"name,email\nA,a@example.org\x00\n", "NUL"),
    ],
)
def test_unreadable_csv_is_refused_whole(client, login_as, admin, session, content, message):
    login_as(admin)
    response = client.post(
        "/admin/invitations/import",
        data={"file": (io.BytesIO(content), "m.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(session, Invitation) == 0


def test_password_reset_link_is_single_use_and_ends_sessions(client, admin, session):
    member = make_member("Reset Me")
    old_token = member.session_token
    _, token = issue_password_reset(admin, member, valid_for=timedelta(hours=1))
    new_password = "a brand new password"
    response = client.post(
        f"/password-reset/{token}", data={"password": new_password, "confirm": new_password}
    )
    assert response.status_code == 303
    session.refresh(member)
    assert member.session_token != old_token
    again = client.post(
        f"/password-reset/{token}",
        data={"password": "another password!", "confirm": "another password!"},
    )
    assert again.status_code == 400
    login = client.post("/login", data={"email": member.email, "password": new_password})
    assert login.status_code == 303


def test_issuing_a_new_reset_link_voids_the_previous_one(admin, session):
    member = make_member()
    first, _ = issue_password_reset(admin, member, valid_for=timedelta(hours=1))
    issue_password_reset(admin, member, valid_for=timedelta(hours=1))
    session.refresh(first)
    assert not first.is_usable(first.created_at + timedelta(seconds=1))
    assert count(session, PasswordReset) == 2


def test_member_changes_own_password(client, login_as, session):
    member = make_member()
    login_as(member)
    new = "a different long password"
    wrong = client.post(
        "/account/password", data={"current": "wrong", "password": new, "confirm": new}
    )
    assert wrong.status_code == 400
    assert b"current password is not correct" in wrong.data
    ok = client.post(
        "/account/password", data={"current": PASSWORD, "password": new, "confirm": new}
    )
    assert ok.status_code == 303
    assert client.get("/account/password").status_code == 200  # this session survives


def test_an_acceptance_is_in_the_audit_log(client, admin, session):
    invitation, token = invite(admin)
    assert accept(client, token).status_code == 303
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "invitation.accept")
    ).one()
    member = session.scalar(select(Member).where(Member.email == "new@example.org"))
    assert entry.actor_id == member.id
    assert entry.object_id == invitation.id
    assert entry.summary == "new@example.org accepted the invitation and joined as Nia Newcomer"


def test_an_admin_withdraws_an_unused_invitation_and_its_link_is_refused(
    client, login_as, admin, session, csrf_enabled
):
    invitation, token = invite(admin)
    login_as(admin)
    listing = client.get("/admin/members").get_data(as_text=True)
    assert "Withdraw the invitation of new@example.org" in listing
    # Without the form's token the request is refused and nothing changes.
    assert client.post(f"/admin/invitations/{invitation.id}/revoke").status_code == 400
    session.refresh(invitation)
    assert invitation.revoked_at is None
    csrf = listing.split('name="csrf_token" value="')[1].split('"')[0]
    done = client.post(f"/admin/invitations/{invitation.id}/revoke", data={"csrf_token": csrf})
    assert done.status_code == 303
    session.refresh(invitation)
    assert invitation.revoked_at is not None
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "invitation.revoke")
    ).one()
    assert (entry.actor_id, entry.summary) == (
        admin.id,
        "Withdrew the invitation of new@example.org",
    )
    listed = client.get("/admin/members").get_data(as_text=True)
    assert "is withdrawn; its link no longer works" in listed
    assert "Withdraw the invitation of new@example.org" not in listed
    again = client.post(f"/admin/invitations/{invitation.id}/revoke", data={"csrf_token": csrf})
    assert again.status_code == 409
    client.post("/logout", data={"csrf_token": csrf})
    page = client.get(f"/invitations/{token}").get_data(as_text=True)
    assert "Invitation withdrawn" in page
    assert 'name="password"' not in page
    refused = client.post(
        f"/invitations/{token}",
        data={"display_name": "X", "password": "a long enough password", "confirm": "x"},
    )
    assert refused.status_code == 400
    assert count(session, Member) == 1


def test_a_member_cannot_withdraw_an_invitation_nor_an_admin_a_used_one(
    client, login_as, admin, session
):
    invitation, token = invite(admin)
    login_as(make_member())
    assert client.post(f"/admin/invitations/{invitation.id}/revoke").status_code == 403
    session.refresh(invitation)
    assert invitation.revoked_at is None
    assert accept(client, token).status_code == 303
    login_as(admin)
    used = client.post(f"/admin/invitations/{invitation.id}/revoke")
    assert used.status_code == 409
    assert "already accepted" in used.get_data(as_text=True)
