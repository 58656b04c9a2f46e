"""Bodies: creating and editing, seats with their history, the one-seat rule under
concurrency, and the roll of a vote put to a body."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from deliberate.accounts.models import Member, MemberRole, MemberStatus
from deliberate.audit.models import AuditEntry
from deliberate.bodies import queries, services
from deliberate.bodies.models import Body, BodyMembership
from deliberate.database import utcnow
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.voting.models import RollEntry
from deliberate.voting.rules import Settings
from deliberate.voting.services import create_vote
from tests.bodies.factories import make_body
from tests.concurrency import run_concurrently
from tests.factories import make_member


@pytest.fixture
def admin(session):
    return make_member("Ada Admin", role=MemberRole.ADMIN)


def seats_of(body: Body, member: Member) -> list[BodyMembership]:
    return list(
        db.session.scalars(
            select(BodyMembership)
            .where(BodyMembership.body_id == body.id, BodyMembership.member_id == member.id)
            .order_by(BodyMembership.added_at)
        )
    )


def test_an_admin_creates_a_body_and_the_audit_log_says_so(admin):
    body = services.create_body(admin, "  Convention   delegates ", "Elected by the branches.")
    assert body.name == "Convention delegates"
    assert body.description == "Elected by the branches."
    assert body.created_by_id == admin.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "body.create"))
    assert entry.object_id == body.id


@pytest.mark.parametrize("role", [MemberRole.MEMBER, MemberRole.CONVENER])
def test_only_admins_keep_bodies(session, role):
    actor = make_member(role=role)
    with pytest.raises(PermissionDenied):
        services.create_body(actor, "Coordinating committee")
    body = make_body()
    with pytest.raises(PermissionDenied):
        services.add_member(actor, body, make_member())
    assert db.session.scalar(select(func.count()).select_from(BodyMembership)) == 0


def test_a_suspended_admin_keeps_nothing(session):
    admin = make_member(role=MemberRole.ADMIN, status=MemberStatus.SUSPENDED)
    with pytest.raises(PermissionDenied):
        services.create_body(admin, "Delegates")


def test_body_names_are_unique_whatever_their_case(admin):
    services.create_body(admin, "Delegates")
    with pytest.raises(ValidationError, match="already exists"):
        services.create_body(admin, "DELEGATES")
    other = services.create_body(admin, "Committee")
    with pytest.raises(ValidationError, match="already exists"):
        services.edit_body(admin, other, name="delegates", description="")
    assert db.session.get(Body, other.id).name == "Committee"


@pytest.mark.parametrize(
    ("name", "message"),
    [("   ", "needs a name"), ("x" * 121, "at most 120"), ("bad\x07name", "Control characters")],
)
def test_a_body_name_must_be_a_line_of_text(admin, name, message):
    with pytest.raises(ValidationError, match=message):
        services.create_body(admin, name)


def test_renaming_keeps_the_former_name_in_the_audit_log(admin):
    body = services.create_body(admin, "Delegates 2026")
    services.edit_body(admin, body, name="Delegates 2027", description="Second congress")
    assert (body.name, body.description) == ("Delegates 2027", "Second congress")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "body.edit"))
    assert entry.details["former_name"] == "Delegates 2026"
    assert "Delegates 2026 to Delegates 2027" in entry.summary


def test_removal_keeps_the_period_and_readding_opens_a_new_one(admin):
    body = make_body("Committee")
    member = make_member("Mia Member")
    start = utcnow() - timedelta(days=3)
    services.add_member(admin, body, member, now=start)
    services.remove_member(admin, body, member, now=start + timedelta(days=1))
    services.add_member(admin, body, member, now=start + timedelta(days=2))
    first, second = seats_of(body, member)
    assert first.removed_at == start + timedelta(days=1)
    assert first.removed_by_id == admin.id
    assert second.removed_at is None
    assert second.added_by_id == admin.id
    events, more = queries.history(body)
    assert [(e.kind, e.member.display_name, e.by.display_name) for e in events] == [
        ("added", "Mia Member", "Ada Admin"),
        ("removed", "Mia Member", "Ada Admin"),
        ("added", "Mia Member", "Ada Admin"),
    ]
    assert [e.at for e in events] == [start + timedelta(days=d) for d in (2, 1, 0)]
    assert not more
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["body.add_member", "body.remove_member", "body.add_member"]


def test_a_member_sits_once_and_leaves_once(admin):
    body = make_body("Committee")
    member = make_member("Mia Member")
    services.add_member(admin, body, member)
    with pytest.raises(InvalidTransition, match="already a member of Committee"):
        services.add_member(admin, body, member)
    services.remove_member(admin, body, member)
    with pytest.raises(InvalidTransition, match="not a member of Committee"):
        services.remove_member(admin, body, member)
    assert len(seats_of(body, member)) == 1


def test_suspended_members_are_not_seated(admin):
    body = make_body()
    suspended = make_member("Sam Suspended", status=MemberStatus.SUSPENDED)
    with pytest.raises(InvalidTransition, match="Sam Suspended is suspended"):
        services.add_member(admin, body, suspended)
    assert seats_of(body, suspended) == []


def test_adding_by_email_finds_the_member_whatever_the_case(admin):
    body = make_body()
    member = make_member(email="mia@example.org")
    seat = services.add_member_by_email(admin, body, "  MIA@Example.org ")
    assert seat.member_id == member.id
    with pytest.raises(ValidationError, match=r"No member has the email nobody@example\.org"):
        services.add_member_by_email(admin, body, "nobody@example.org")
    with pytest.raises(ValidationError, match="not a valid email"):
        services.add_member_by_email(admin, body, "not an email")


def test_the_database_refuses_a_second_current_seat(admin):
    body = make_body()
    member = make_member()
    services.add_member(admin, body, member)
    savepoint = db.session.begin_nested()
    db.session.add(BodyMembership(body_id=body.id, member_id=member.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    savepoint.rollback()


def test_two_admins_adding_the_same_member_at_once_make_one_seat(app, committed):
    first, second = make_member(role=MemberRole.ADMIN), make_member(role=MemberRole.ADMIN)
    member = make_member("Dee Delegate")
    body = make_body("Delegates")
    ids = (first.id, second.id, member.id, body.id)
    db.session.commit()

    def add(admin_id: int):
        def work() -> str:
            services.add_member(
                db.session.get_one(Member, admin_id),
                db.session.get_one(Body, ids[3]),
                db.session.get_one(Member, ids[2]),
            )
            return "added"

        return work

    results = run_concurrently(app, [add(ids[0]), add(ids[1])])
    assert sorted(map(str, results)).count("added") == 1, results
    refusal = next(r for r in results if r != "added")
    assert isinstance(refusal, InvalidTransition), refusal
    assert "already a member" in refusal.message
    db.session.remove()
    count = db.session.scalar(
        select(func.count()).where(
            BodyMembership.body_id == ids[3],
            BodyMembership.member_id == ids[2],
            BodyMembership.removed_at.is_(None),
        )
    )
    assert count == 1


def test_the_roll_of_a_vote_to_a_body_is_its_current_active_members(admin):
    convener = make_member(role=MemberRole.CONVENER)
    delegates = [make_member(f"Delegate {i}") for i in range(4)]
    body = make_body("Delegates", members=delegates)
    suspended = make_member(status=MemberStatus.SUSPENDED)
    db.session.add(BodyMembership(body_id=body.id, member_id=suspended.id))
    services.remove_member(admin, body, delegates[3])
    make_member("Not a delegate")
    other = make_body("Committee", members=[make_member("Committee only")])
    assert other.id != body.id

    vote = create_vote(
        convener,
        title="Adopt the convention's agenda?",
        settings=Settings(method="majority", threshold="simple"),
        body_id=body.id,
    )
    roll = set(db.session.scalars(select(RollEntry.member_id).where(RollEntry.vote_id == vote.id)))
    assert roll == {d.id for d in delegates[:3]}
    assert vote.roll_size == 3
    assert queries.body_choices() == [
        queries.BodyChoice(other.id, "Committee", 1),
        queries.BodyChoice(body.id, "Delegates", 3),
    ]


def test_a_vote_to_an_unknown_body_is_refused(session):
    convener = make_member(role=MemberRole.CONVENER)
    with pytest.raises(ValidationError, match="body does not exist"):
        create_vote(
            convener,
            title="Adopt?",
            settings=Settings(method="majority", threshold="simple"),
            body_id=987654,
        )


def test_sizes_count_active_members_and_pages_hold_the_rest(admin, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    members = [make_member(f"Member {c}") for c in "CAB"]
    body = make_body("Delegates", members=members)
    suspended = make_member("Zed", status=MemberStatus.SUSPENDED)
    db.session.add(BodyMembership(body_id=body.id, member_id=suspended.id))
    db.session.flush()
    summary = queries.body_summary(body)
    assert (summary.size, summary.suspended) == (3, 1)
    assert [(s.size, s.suspended) for s in queries.body_summaries()] == [(3, 1)]
    first, more = queries.current_members(body, page=1)
    assert [s.member.display_name for s in first] == ["Member A", "Member B"]
    assert more
    second, more = queries.current_members(body, page=2)
    assert [s.member.display_name for s in second] == ["Member C", "Zed"]
    assert not more
