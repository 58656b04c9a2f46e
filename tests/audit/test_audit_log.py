"""The audit log: written for admin and convener actions, append-only, readable by admins."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from deliberate.accounts.models import MemberRole
from deliberate.accounts.services import change_role, invite_member
from deliberate.audit.models import AuditEntry
from deliberate.audit.services import record_action
from tests.factories import make_member, make_tendency


def test_import_is_audited_with_its_counts(client, login_as, session):
    admin = make_member(role=MemberRole.ADMIN)
    login_as(admin)
    csv = b"A,a@example.org\nB,not-an-email\n"
    client.post(
        "/admin/invitations/import",
        data={"file": (io.BytesIO(csv), "m.csv")},
        content_type="multipart/form-data",
    )
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "member.import"))
    assert entry.actor_id == admin.id
    assert entry.details == {"created": 1, "refused": 1}


def test_entries_cannot_be_changed_or_deleted(session):
    admin = make_member(role=MemberRole.ADMIN)
    invite_member(admin, "z@example.org", "", None, valid_for=timedelta(days=1))
    session.commit()  # keep the entry when the refused change below is rolled back
    entry = session.scalar(select(AuditEntry))
    entry.summary = "rewritten history"
    with pytest.raises(RuntimeError, match="append-only"):
        session.flush()
    session.rollback()
    entry = session.scalar(select(AuditEntry))
    session.delete(entry)
    with pytest.raises(RuntimeError, match="append-only"):
        session.flush()


def test_admins_read_the_log_newest_first(client, login_as, session):
    admin = make_member("Ada Admin", role=MemberRole.ADMIN)
    target = make_member("Tom Target")
    change_role(admin, target, "convener")
    change_role(admin, target, "member")
    login_as(admin)
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert page.index("Tom Target: convener → member") < page.index("Tom Target: member → convener")
    assert "Ada Admin" in page


def test_the_log_links_each_object_and_filters_by_kind_and_person(client, login_as, session):
    admin = make_member("Ada Admin", role=MemberRole.ADMIN)
    other = make_member("Otto Other", role=MemberRole.ADMIN)
    target = make_member("Tess Target")
    invite_member(admin, "z@example.org", "", None, valid_for=timedelta(days=1))
    change_role(other, target, MemberRole.CONVENER)
    login_as(admin)
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert f'<a href="/members/{target.id}">member {target.id}</a>' in page
    assert "invitation" in page
    members_only = client.get("/admin/audit/?object=Member").get_data(as_text=True)
    assert f'/members/{target.id}">member {target.id}</a>' in members_only
    assert "invitation.create" not in members_only
    by_other = client.get(f"/admin/audit/?actor={other.id}").get_data(as_text=True)
    assert "invitation.create" not in by_other
    assert "Show every entry" in by_other


def test_the_filter_names_each_kind_in_the_plural(client, login_as, session):
    admin = make_member("Ada Admin", role=MemberRole.ADMIN)
    member = make_member("Mo Member")
    tendency = make_tendency("Caucus")
    for obj in (member, tendency):
        record_action(admin, "test.kind", obj, "an entry")
    session.add(
        AuditEntry(
            actor_id=admin.id,
            action="body.create",
            object_type="Body",
            object_id=1,
            summary="Created the body Delegates",
            details={},
        )
    )
    session.flush()
    login_as(admin)
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert ">bodies</option>" in page
    assert ">tendencies</option>" in page
    assert ">members</option>" in page
    assert "bodys" not in page
    assert "tendencys" not in page
