"""A tendency's first coordinators are named by email: the form never lists every member."""

from __future__ import annotations

from sqlalchemy import select

from deliberate.accounts.models import MemberRole, MemberStatus
from deliberate.tendencies.models import Tendency, TendencyMembership
from tests.factories import make_member


def register(client, emails: str, name: str = "Harbour Caucus"):
    return client.post(
        "/tendencies/new", data={"name": name, "line": "Docks first.", "coordinator_emails": emails}
    )


def test_the_form_names_no_member(client, login_as, session):
    make_member("Someone Listed")
    login_as(make_member(role=MemberRole.CONVENER))
    page = client.get("/tendencies/new").get_data(as_text=True)
    assert "Someone Listed" not in page
    assert 'name="coordinator_emails"' in page


def test_coordinators_are_named_by_email_in_any_spelling(client, login_as, session):
    first, second = make_member("Ana"), make_member("Ben")
    login_as(make_member(role=MemberRole.CONVENER))
    answer = register(client, f" {first.email.upper()}\n{second.email}, {first.email}")
    assert answer.status_code == 303
    tendency = session.scalar(select(Tendency).where(Tendency.name == "Harbour Caucus"))
    coordinators = session.scalars(
        select(TendencyMembership.member_id).where(TendencyMembership.tendency_id == tendency.id)
    ).all()
    assert sorted(coordinators) == sorted([first.id, second.id])


def test_unknown_and_suspended_addresses_are_refused_alike(client, login_as, session):
    suspended = make_member(status=MemberStatus.SUSPENDED)
    login_as(make_member(role=MemberRole.CONVENER))
    for emails in (suspended.email, "nobody@example.org"):
        answer = register(client, emails)
        assert answer.status_code == 400
        assert "No active member has the email" in answer.get_data(as_text=True)
    too_many = "\n".join(f"person{n}@example.org" for n in range(21))
    assert "at most 20" in register(client, too_many).get_data(as_text=True)
    assert session.scalar(select(Tendency).where(Tendency.name == "Harbour Caucus")) is None
