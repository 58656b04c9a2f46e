"""Candidates stand for an election: nominations, acceptance, statements, the ballot's options."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from deliberate import events
from deliberate.accounts.models import MemberRole, MemberStatus
from deliberate.audit.models import AuditEntry
from deliberate.bodies.services import add_member, create_body
from deliberate.database import utcnow
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.voting import services
from deliberate.voting.events import NominationMade
from deliberate.voting.models import Nomination, VoteOption
from deliberate.voting.rules import Settings
from deliberate.voting.vocabulary import NominationState, VoteState
from tests.factories import make_member

STV = Settings(method="stv", seats=2, stv_variant="stv")


@pytest.fixture
def convener(session):
    return make_member("Election Convener", role=MemberRole.CONVENER)


@pytest.fixture
def people(session):
    return [make_member(name) for name in ("Ana Ruiz", "Ben Okafor", "Chloé Martin", "Dan Wu")]


def election(convener, **kwargs):
    return services.create_vote(
        convener,
        title="Elect the steering committee",
        settings=kwargs.pop("settings", STV),
        purpose="election",
        by_nomination=True,
        **kwargs,
    )


def test_an_election_by_nomination_waits_for_its_candidates(convener):
    vote = election(convener)
    assert vote.state == VoteState.SCHEDULED
    assert vote.by_nomination
    assert services.load_options(vote) == []


def test_a_member_standing_herself_is_a_candidate_at_once_with_her_statement(convener, people):
    vote = election(convener)
    ana = people[0]
    nomination = services.nominate(ana, vote, ana, statement="I will **listen**.")
    assert nomination.state == NominationState.ACCEPTED
    assert nomination.statement_html.strip() == "<p>I will <strong>listen</strong>.</p>"
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "nomination.make")
    ).one()
    assert (entry.object_type, entry.object_id) == ("Vote", vote.id)
    assert entry.details["nomination_id"] == nomination.id
    assert entry.summary == "Stood for “Elect the steering committee”"


def test_a_nomination_by_another_stands_only_once_accepted(convener, people):
    vote = election(convener)
    ana, ben, chloe, _ = people
    nomination = services.nominate(ana, vote, ben)
    assert nomination.state == NominationState.PENDING
    with pytest.raises(PermissionDenied):
        services.accept_nomination(ana, nomination)
    services.accept_nomination(ben, nomination, statement="Ready to serve.")
    assert nomination.state == NominationState.ACCEPTED
    assert "Ready to serve." in nomination.statement_html
    declined = services.nominate(ana, vote, chloe)
    services.decline_nomination(chloe, declined)
    assert declined.state == NominationState.DECLINED
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-4:] == [
        "nomination.make",
        "nomination.accepted",
        "nomination.make",
        "nomination.declined",
    ]
    with pytest.raises(ValidationError, match="only she can stand again"):
        services.nominate(ana, vote, chloe)
    services.nominate(chloe, vote, chloe)  # she changed her mind
    assert declined.state == NominationState.ACCEPTED


def test_a_nominator_cannot_write_the_candidates_statement(convener, people):
    vote = election(convener)
    with pytest.raises(ValidationError, match="own statement"):
        services.nominate(people[0], vote, people[1], statement="She is great")


def test_one_nomination_per_member_per_election_in_the_database(convener, people):
    vote = election(convener)
    services.nominate(people[0], vote, people[1])
    with pytest.raises(ValidationError, match="already nominated"):
        services.nominate(people[2], vote, people[1])
    twice = Nomination(
        vote_id=vote.id,
        nominee_id=people[1].id,
        nominated_by_id=people[3].id,
        state=NominationState.PENDING,
    )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(twice)


def test_the_states_are_checked_by_the_database(convener, people):
    vote = election(convener)
    nomination = services.nominate(people[0], vote, people[1])
    for state in ("elected", NominationState.ACCEPTED):  # unknown; accepted with no answer time
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.execute(
                Nomination.__table__.update()
                .where(Nomination.id == nomination.id)
                .values(state=state, answered_at=None)
            )


def test_only_members_on_the_roll_nominate_and_stand(convener, people):
    admin = make_member(role=MemberRole.ADMIN)
    body = create_body(admin, "Council")
    add_member(admin, body, people[0])
    vote = election(convener, body_id=body.id)
    with pytest.raises(PermissionDenied, match="roll"):
        services.nominate(people[1], vote, people[0])
    with pytest.raises(ValidationError, match="not on this election's roll"):
        services.nominate(people[0], vote, people[1])
    suspended = make_member(status=MemberStatus.SUSPENDED)
    open_vote = election(convener)
    with pytest.raises(ValidationError, match="not on this election's roll"):
        services.nominate(people[0], open_vote, suspended)


def test_a_statement_is_capped_and_sanitized(convener, people):
    vote = election(convener)
    ana = people[0]
    with pytest.raises(ValidationError, match="at most 3000 characters"):
        services.nominate(ana, vote, ana, statement="x" * (services.MAX_STATEMENT + 1))
    nomination = services.nominate(ana, vote, ana, statement="<script>alert(1)</script>Hi")
    assert "<script" not in nomination.statement_html
    services.write_statement(ana, nomination, "Rewritten")
    assert "Rewritten" in nomination.statement_html
    with pytest.raises(PermissionDenied):
        services.write_statement(people[1], nomination, "Hijacked")


def test_opening_makes_the_accepted_candidates_the_options(convener, people):
    vote = election(convener)
    ana, ben, chloe, dan = people
    for member in (ana, chloe, dan):
        services.nominate(member, vote, member)
    services.nominate(ana, vote, ben)  # never accepted: not on the ballot
    services.withdraw_nomination(
        dan, db.session.scalars(select(Nomination).where(Nomination.nominee_id == dan.id)).one()
    )
    with pytest.raises(ValidationError, match="2 candidates stand; an election for 2 seats"):
        services.open_vote(convener, vote)
    services.nominate(dan, vote, dan)
    services.open_vote(convener, vote)
    options = db.session.scalars(
        select(VoteOption).where(VoteOption.vote_id == vote.id).order_by(VoteOption.position)
    ).all()
    assert [(o.label, o.candidate_id) for o in options] == [
        ("Ana Ruiz", ana.id),
        ("Chloé Martin", chloe.id),
        ("Dan Wu", dan.id),
    ]
    assert vote.state == VoteState.OPEN
    with pytest.raises(InvalidTransition, match="closed"):
        services.nominate(ben, vote, ben)
    with pytest.raises(InvalidTransition, match="closed"):
        services.withdraw_nomination(
            ana, db.session.scalars(select(Nomination).where(Nomination.nominee_id == ana.id)).one()
        )


def test_candidates_sharing_a_name_are_told_apart(convener):
    vote = election(convener, settings=Settings(method="irv"))
    twins = [make_member("Sam Lee"), make_member("sam  lee")]
    for twin in twins:
        services.nominate(twin, vote, twin)
    services.open_vote(convener, vote)
    labels = [o.label for o in services.load_options(vote)]
    assert {label.casefold() for label in labels} == {"sam lee (1)", "sam lee (2)"}


def test_nominations_close_at_their_time(convener, people):
    now = utcnow()
    vote = election(
        convener,
        opens_at=now + timedelta(days=3),
        nominations_close_at=now + timedelta(days=2),
    )
    ana = people[0]
    services.nominate(ana, vote, ana, now=now)
    with pytest.raises(InvalidTransition, match="closed"):
        services.nominate(people[1], vote, people[1], now=now + timedelta(days=2, minutes=1))
    with pytest.raises(ValidationError, match="before the election opens"):
        election(
            convener, opens_at=now + timedelta(days=1), nominations_close_at=now + timedelta(days=2)
        )


def test_a_convener_opens_nominations_on_an_election_with_typed_names(convener, people):
    vote = services.create_vote(
        convener,
        title="Treasurer",
        settings=Settings(method="irv"),
        purpose="election",
        options=[services.OptionSpec(n) for n in ("Typed A", "Typed B")],
        opens_at=utcnow() + timedelta(days=5),
    )
    with pytest.raises(PermissionDenied):
        services.open_nominations(people[0], vote)
    services.open_nominations(convener, vote)
    assert vote.by_nomination
    assert services.load_options(vote) == []
    question = services.create_vote(
        convener,
        title="Q?",
        settings=Settings(method="majority", threshold="simple"),
        opens_at=utcnow() + timedelta(days=5),
    )
    with pytest.raises(InvalidTransition, match="Only an election"):
        services.open_nominations(convener, question)


def test_the_quick_election_with_typed_names_still_opens_at_once(convener):
    vote = services.create_vote(
        convener,
        title="Quick",
        settings=Settings(method="irv"),
        purpose="election",
        options=[services.OptionSpec(n) for n in ("A", "B")],
    )
    assert vote.state == VoteState.OPEN
    assert not vote.by_nomination


def test_a_nomination_records_an_event_for_after_the_commit(convener, people):
    vote = election(convener)
    nomination = services.nominate(people[0], vote, people[1])
    assert events.pending(NominationMade) == [
        NominationMade(
            vote_id=vote.id,
            nomination_id=nomination.id,
            nominee_id=people[1].id,
            nominated_by_id=people[0].id,
            standing=False,
        )
    ]


def test_the_system_leaves_an_election_with_too_few_candidates_scheduled(convener, people):
    now = utcnow()
    vote = election(convener, opens_at=now + timedelta(hours=1))
    services.nominate(people[0], vote, people[0])
    assert services.open_due_votes(now + timedelta(hours=2)) == []
    assert vote.state == VoteState.SCHEDULED
