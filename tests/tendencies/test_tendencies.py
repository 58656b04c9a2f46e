"""Tendencies: registration, join requests, leaving, removal and the one-tendency rule."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from deliberate.accounts.models import Member, MemberRole
from deliberate.audit.models import AuditEntry
from deliberate.errors import InvalidTransition
from deliberate.extensions import db
from deliberate.tendencies.models import JoinRequest, Tendency, TendencyMembership
from deliberate.tendencies.services import approve_join_request, request_to_join
from tests.concurrency import run_concurrently
from tests.factories import join, make_member, make_tendency


def current_tendency_ids(session, member) -> list[int]:
    return list(
        session.scalars(
            select(TendencyMembership.tendency_id).where(
                TendencyMembership.member_id == member.id, TendencyMembership.left_at.is_(None)
            )
        )
    )


def test_convener_registers_a_tendency_with_coordinators(client, login_as, session):
    convener = make_member(role=MemberRole.CONVENER)
    coordinator = make_member("Cora Coordinator")
    login_as(convener)
    response = client.post(
        "/tendencies/new",
        data={
            "name": "Harbour Caucus",
            "line": "We organize **dockers** first.\n\n<script>alert(1)</script>",
            "coordinator_emails": coordinator.email,
        },
    )
    assert response.status_code == 303
    tendency = session.scalar(select(Tendency).where(Tendency.name == "Harbour Caucus"))
    assert "<strong>dockers</strong>" in tendency.line_html
    assert "<script>" not in tendency.line_html
    page = client.get("/tendencies/").get_data(as_text=True)
    assert "Harbour Caucus" in page
    assert "1 member" in page
    assert "Cora Coordinator" in page
    assert session.scalar(select(AuditEntry.action)) == "tendency.register"


def test_members_cannot_register_tendencies(client, login_as, session):
    member = make_member()
    login_as(member)
    response = client.post(
        "/tendencies/new", data={"name": "X", "line": "y", "coordinator_emails": member.email}
    )
    assert response.status_code == 403
    assert session.scalar(select(func.count(Tendency.id))) == 0


def test_duplicate_tendency_name_is_refused(client, login_as, session):
    make_tendency("Harbour Caucus")
    convener = make_member(role=MemberRole.CONVENER)
    login_as(convener)
    response = client.post(
        "/tendencies/new",
        data={"name": "Harbour Caucus", "line": "y", "coordinator_emails": convener.email},
    )
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    assert session.scalar(select(func.count(Tendency.id))) == 1


def test_join_request_approved_by_coordinator(client, login_as, session):
    tendency = make_tendency()
    coordinator = make_member(tendency=tendency, coordinator=True)
    applicant = make_member("Abe Applicant")
    login_as(applicant)
    assert client.post(f"/tendencies/{tendency.id}/join", data={"message": "Hi"}).status_code == 303
    join_request = session.scalar(select(JoinRequest))
    assert join_request.state == "pending"
    # The applicant cannot approve their own request.
    approve = f"/tendencies/{tendency.id}/requests/{join_request.id}/approve"
    assert client.post(approve).status_code == 403
    login_as(coordinator)
    assert "Abe Applicant" in client.get(f"/tendencies/{tendency.id}").get_data(as_text=True)
    assert client.post(approve).status_code == 303
    assert current_tendency_ids(session, applicant) == [tendency.id]
    profile = client.get(f"/members/{applicant.id}").get_data(as_text=True)
    assert tendency.name in profile


def test_coordinator_of_another_tendency_cannot_decide(client, login_as, session):
    tendency, other = make_tendency(), make_tendency()
    outsider = make_member(tendency=other, coordinator=True)
    applicant = make_member()
    join_request = request_to_join(applicant, tendency)
    login_as(outsider)
    url = f"/tendencies/{tendency.id}/requests/{join_request.id}/approve"
    assert client.post(url).status_code == 403
    # Nor through the other tendency's address.
    url = f"/tendencies/{other.id}/requests/{join_request.id}/approve"
    assert client.post(url).status_code == 404
    assert current_tendency_ids(session, applicant) == []


def test_member_of_a_tendency_cannot_ask_to_join_another(client, login_as, session):
    tendency, other = make_tendency(), make_tendency("Other Current")
    member = make_member(tendency=other)
    login_as(member)
    response = client.post(f"/tendencies/{tendency.id}/join")
    assert response.status_code == 409
    assert "Other Current" in response.get_data(as_text=True)
    assert session.scalar(select(func.count(JoinRequest.id))) == 0


def test_leave_keeps_history(client, login_as, session):
    tendency = make_tendency("Left Bank")
    make_member(tendency=tendency, coordinator=True)
    member = make_member()
    join(member, tendency)
    login_as(member)
    assert client.post(f"/tendencies/{tendency.id}/leave").status_code == 303
    assert current_tendency_ids(session, member) == []
    history = session.scalar(
        select(TendencyMembership).where(TendencyMembership.member_id == member.id)
    )
    assert history.left_at is not None
    assert history.end_reason == "left"
    page = client.get(f"/members/{member.id}").get_data(as_text=True)
    assert "Tendency history" in page
    assert "Left Bank" in page


def test_last_coordinator_cannot_leave(client, login_as, session):
    tendency = make_tendency()
    coordinator = make_member(tendency=tendency, coordinator=True)
    login_as(coordinator)
    response = client.post(f"/tendencies/{tendency.id}/leave")
    assert response.status_code == 409
    assert "needs a coordinator" in response.get_data(as_text=True)
    assert current_tendency_ids(session, coordinator) == [tendency.id]


def test_coordinator_removes_a_member_and_it_is_audited(client, login_as, session):
    tendency = make_tendency()
    coordinator = make_member(tendency=tendency, coordinator=True)
    member = make_member()
    membership = join(member, tendency)
    login_as(member)
    url = f"/tendencies/{tendency.id}/members/{membership.id}/remove"
    assert client.post(url).status_code == 403
    login_as(coordinator)
    assert client.post(url).status_code == 303
    assert current_tendency_ids(session, member) == []
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "tendency.remove_member"))
    assert entry.actor_id == coordinator.id


def test_coordinator_appoints_a_coordinator(client, login_as, session):
    tendency = make_tendency()
    coordinator = make_member(tendency=tendency, coordinator=True)
    membership = join(make_member(), tendency)
    login_as(coordinator)
    url = f"/tendencies/{tendency.id}/members/{membership.id}/role"
    assert client.post(url, data={"role": "coordinator"}).status_code == 303
    session.refresh(membership)
    assert membership.role == "coordinator"


def test_the_database_refuses_a_second_current_tendency(session):
    member = make_member()
    join(member, make_tendency())
    second = TendencyMembership(member_id=member.id, tendency_id=make_tendency().id)
    savepoint = db.session.begin_nested()
    db.session.add(second)
    with pytest.raises(IntegrityError):
        db.session.flush()
    savepoint.rollback()


def test_one_tendency_rule_holds_under_concurrent_approvals(app, committed):
    first, second = make_tendency("First"), make_tendency("Second")
    coordinator_a = make_member(tendency=first, coordinator=True)
    coordinator_b = make_member(tendency=second, coordinator=True)
    applicant = make_member()
    request_a = request_to_join(applicant, first)
    request_b = request_to_join(applicant, second)
    ids = (coordinator_a.id, request_a.id, coordinator_b.id, request_b.id, applicant.id)
    db.session.commit()

    def approve(coordinator_id: int, request_id: int):
        def work() -> str:
            actor = db.session.get_one(Member, coordinator_id)
            approve_join_request(actor, db.session.get_one(JoinRequest, request_id))
            return "approved"

        return work

    results = run_concurrently(app, [approve(ids[0], ids[1]), approve(ids[2], ids[3])])
    assert sorted(map(str, results)).count("approved") == 1
    refusal = next(r for r in results if r != "approved")
    assert isinstance(refusal, InvalidTransition)
    assert "already belongs to a tendency" in refusal.message
    db.session.remove()
    count = db.session.scalar(
        select(func.count()).where(
            TendencyMembership.member_id == ids[4], TendencyMembership.left_at.is_(None)
        )
    )
    assert count == 1
