"""Login, logout, rate limits, suspension and roles."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from deliberate.accounts.models import Member, MemberRole, MemberStatus
from deliberate.audit.models import AuditEntry
from tests.factories import PASSWORD, make_member


def post_login(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def test_login_success_and_logout(client, session):
    member = make_member("Lena Login")
    response = post_login(client, member.email.upper())
    assert response.status_code == 303
    assert "Lena Login" in client.get("/").get_data(as_text=True)
    assert client.post("/logout").status_code == 303
    assert b"Log in" in client.get("/").data


def test_login_failure_gives_one_message_for_both_cases(client, session):
    member = make_member()
    wrong_password = post_login(client, member.email, "not the password")
    no_account = post_login(client, "nobody@example.org")
    assert wrong_password.status_code == no_account.status_code == 401
    assert b"The email or password is not correct." in wrong_password.data
    assert b"The email or password is not correct." in no_account.data


def test_login_is_rate_limited_per_account(client, session):
    member = make_member()
    for _ in range(5):
        assert post_login(client, member.email, "wrong password").status_code == 401
    response = post_login(client, member.email)
    assert response.status_code == 429
    assert b"Too many failed logins for this account" in response.data


def test_login_is_rate_limited_per_address(app, client, session, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURE_LIMIT_PER_ADDRESS", "20 per minute")
    for n in range(20):
        post_login(client, f"person{n}@example.org", "wrong")
    response = post_login(client, "someone@example.org", "wrong")
    assert response.status_code == 429
    assert b"from your address" in response.data


def test_suspended_member_cannot_log_in(client, session):
    member = make_member(status=MemberStatus.SUSPENDED)
    response = post_login(client, member.email)
    assert response.status_code == 401
    assert b"suspended" in response.data


def test_suspension_ends_an_existing_session_at_once(client, login_as, session):
    admin = make_member(role=MemberRole.ADMIN)
    member = make_member()
    login_as(member)
    assert client.get("/members/").status_code == 200
    from deliberate.accounts.services import suspend_member

    suspend_member(admin, member, "Test")
    response = client.get("/members/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_admin_changes_roles_and_it_is_audited(client, login_as, session):
    admin = make_member(role=MemberRole.ADMIN)
    member = make_member()
    login_as(admin)
    response = client.post(f"/admin/members/{member.id}/role", data={"role": "convener"})
    assert response.status_code == 303
    session.refresh(member)
    assert member.role == "convener"
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "member.role"))
    assert entry.actor_id == admin.id
    assert entry.object_id == member.id


def test_non_admins_cannot_change_roles(client, login_as, session):
    for role in (MemberRole.MEMBER, MemberRole.CONVENER):
        actor = make_member(role=role)
        target = make_member()
        login_as(actor)
        response = client.post(f"/admin/members/{target.id}/role", data={"role": "admin"})
        assert response.status_code == 403
        session.refresh(target)
        assert target.role == "member"
        client.post("/logout")


def test_unknown_role_is_refused(client, login_as, session):
    admin = make_member(role=MemberRole.ADMIN)
    member = make_member()
    login_as(admin)
    response = client.post(f"/admin/members/{member.id}/role", data={"role": "emperor"})
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    session.refresh(member)
    assert member.role == "member"


def test_admin_suspends_and_reactivates(client, login_as, session):
    admin = make_member(role=MemberRole.ADMIN)
    member = make_member()
    login_as(admin)
    refused = client.post(f"/admin/members/{member.id}/suspend", data={"reason": ""})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert f'action="/admin/members/{member.id}/suspend"' in page  # the member's page again
    assert '<p class="error" role="alert">This field is required.</p>' in page
    session.refresh(member)
    assert member.status == "active"  # no reason, no suspension
    client.post(f"/admin/members/{member.id}/suspend", data={"reason": "Dues"})
    session.refresh(member)
    assert member.status == "suspended"
    client.post(f"/admin/members/{member.id}/reactivate")
    session.refresh(member)
    assert member.status == "active"
    actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["member.suspend", "member.reactivate"]


def test_admin_cannot_demote_or_suspend_self(client, login_as, session):
    admin = make_member(role=MemberRole.ADMIN)
    login_as(admin)
    assert (
        client.post(f"/admin/members/{admin.id}/role", data={"role": "member"}).status_code == 409
    )
    assert (
        client.post(f"/admin/members/{admin.id}/suspend", data={"reason": "x"}).status_code == 409
    )
    assert session.get(Member, admin.id).role == "admin"


def test_email_is_unique_case_insensitively(session):
    import pytest

    from deliberate.accounts.services import create_member
    from deliberate.errors import ValidationError

    create_member("Case@Example.org", "One", "long enough password")
    with pytest.raises(ValidationError, match="already exists"):
        create_member("case@example.ORG", "Two", "long enough password")


def test_create_admin_command(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "Root@Example.org",
            "--name",
            "Root",
            "--password",
            "long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    admin = session.scalar(select(Member).where(Member.email == "root@example.org"))
    assert admin.role == "admin"
    again = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "root@example.org",
            "--name",
            "R",
            "--password",
            "long enough password",
        ]
    )
    assert again.exit_code != 0
    assert "already exists" in again.output


def test_member_changes_their_display_name(client, login_as, session):
    member = make_member("Old Name")
    login_as(member)
    response = client.post("/account/name", data={"display_name": "  New   Name "})
    assert response.status_code == 303
    session.refresh(member)
    assert member.display_name == "New Name"
    assert "New Name" in client.get(f"/members/{member.id}").get_data(as_text=True)
    refused = client.post("/account/name", data={"display_name": "x" * 81})
    assert refused.status_code == 400
    session.refresh(member)
    assert member.display_name == "New Name"


def _replay(app, name, value):
    """A fresh browser that holds only the cookie `name` copied from another one."""
    other = app.test_client()
    other.set_cookie(name, value, domain="deliberate.test")
    return other.get("/members/")


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_a_cookie_copied_before_logout_is_refused_after_it(app, client, session, cookie):
    member = make_member()
    response = client.post(
        "/login", data={"email": member.email, "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 303
    copied = client.get_cookie(cookie, domain="deliberate.test")
    assert copied is not None
    assert _replay(app, cookie, copied.value).status_code == 200  # the copy works until logout
    assert client.post("/logout").status_code == 303
    replayed = _replay(app, cookie, copied.value)
    assert replayed.status_code == 302
    assert "/login" in replayed.headers["Location"]


def test_logout_ends_the_members_other_sessions_too(app, client, session):
    member = make_member()
    other_device = app.test_client()
    post_login(other_device, member.email)
    post_login(client, member.email)
    client.post("/logout")
    assert other_device.get("/members/").status_code == 302


def test_logout_without_a_session_changes_nothing(client, session):
    assert client.post("/logout").status_code == 303


# One address written in ways email normalization maps to the same account.
SAME_ADDRESS = [
    "mei.lin@demo.deliberate.example",
    "MEI.LIN@DEMO.DELIBERATE.EXAMPLE",
    "  mei.lin@demo.deliberate.example ",
    "mei.lin@\uff44\uff45\uff4d\uff4f.deliberate.example",
    "mei.lin@demo\u3002deliberate\u3002example",
    "mei.lin@DEMO\uff0edeliberate.example",
]


@pytest.mark.parametrize("variant", SAME_ADDRESS[1:])
def test_the_account_limit_holds_for_every_spelling_of_the_address(client, session, variant):
    make_member(email=SAME_ADDRESS[0])
    for _ in range(5):
        assert post_login(client, SAME_ADDRESS[0], "wrong password").status_code == 401
    assert post_login(client, variant, "wrong password").status_code == 429
    assert post_login(client, variant).status_code == 429


def test_every_spelling_finds_the_account_and_shares_its_limit(app, session):
    from deliberate.accounts.services import authenticate
    from deliberate.accounts.views import login_account_key

    member = make_member(email=SAME_ADDRESS[0])
    keys = set()
    for variant in SAME_ADDRESS:
        assert authenticate(variant, PASSWORD) == member
        with app.test_request_context("/login", method="POST", data={"email": variant}):
            keys.add(login_account_key())
    assert len(keys) == 1
