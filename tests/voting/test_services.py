"""Votes: opening takes the roll, casting keeps one ballot per member, closing counts once."""

from __future__ import annotations

import json
from datetime import timedelta
from fractions import Fraction

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from deliberate.accounts.models import MemberRole, MemberStatus
from deliberate.audit.models import AuditEntry
from deliberate.database import utcnow
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.voting import services
from deliberate.voting.models import Ballot, Participation, RollEntry, Vote
from deliberate.voting.rules import Settings
from deliberate.voting.vocabulary import VoteState
from tests.factories import make_member, make_tendency

MAJORITY = Settings(method="majority", threshold="simple")


@pytest.fixture
def convener(session):
    return make_member("Vote Convener", role=MemberRole.CONVENER)


@pytest.fixture
def voters(session):
    tendency = make_tendency("Eastside caucus")
    return [make_member(tendency=tendency if i % 2 else None) for i in range(6)]


def majority_vote(convener, **changes):
    settings = Settings(**{**MAJORITY.__dict__, **changes})
    return services.create_vote(convener, title="Adopt the spring plan?", settings=settings)


def test_opening_takes_a_roll_of_active_members_with_their_tendency(convener, voters):
    suspended = make_member(status=MemberStatus.SUSPENDED)
    vote = majority_vote(convener)
    roll = {r.member_id: r.tendency_id for r in db.session.scalars(select(RollEntry))}
    assert vote.state == VoteState.OPEN
    assert vote.roll_size == len(roll)
    assert suspended.id not in roll
    assert all(v.id in roll for v in voters)
    assert roll[voters[1].id] is not None
    assert roll[voters[0].id] is None
    later = make_member()
    with pytest.raises(PermissionDenied, match="not on the roll"):
        services.cast_ballot(later, vote, {"choice": "yes"})


def test_a_secret_ballot_is_stored_apart_from_its_voter(convener, voters):
    vote = majority_vote(convener)
    receipt = services.cast_ballot(voters[0], vote, {"choice": "yes"})
    assert receipt.code
    assert not receipt.replaced
    ballot = db.session.scalar(select(Ballot).where(Ballot.vote_id == vote.id))
    assert ballot.member_id is None
    assert ballot.tendency_id is None
    assert ballot.receipt_hash == services.receipt_hash(vote.id, receipt.code)
    assert receipt.code not in ballot.content
    assert len(ballot.id) == 32
    assert db.session.get(Participation, (vote.id, voters[0].id)) is not None
    columns = {c["name"] for c in inspect(db.engine).get_columns("ballots")}
    assert not any("time" in c or c.endswith("_at") for c in columns)


def test_one_ballot_per_member_and_replacing_needs_the_receipt(convener, voters):
    vote = majority_vote(convener)
    receipt = services.cast_ballot(voters[0], vote, {"choice": "yes"})
    with pytest.raises(InvalidTransition, match="already in"):
        services.cast_ballot(voters[0], vote, {"choice": "no"})
    with pytest.raises(ValidationError, match="does not match"):
        services.cast_ballot(voters[0], vote, {"choice": "no"}, receipt="not-the-code")
    replaced = services.cast_ballot(voters[0], vote, {"choice": "no"}, receipt=receipt.code)
    assert replaced.replaced
    stored = db.session.scalars(select(Ballot.content).where(Ballot.vote_id == vote.id)).all()
    assert [json.loads(c) for c in stored] == [{"choice": "no"}]


def test_a_vote_that_forbids_replacing_refuses_a_second_ballot(convener, voters):
    vote = majority_vote(convener, replaceable=False)
    receipt = services.cast_ballot(voters[0], vote, {"choice": "yes"})
    with pytest.raises(InvalidTransition, match="does not allow replacing"):
        services.cast_ballot(voters[0], vote, {"choice": "no"}, receipt=receipt.code)


def test_a_member_suspended_after_opening_loses_the_right(convener, voters):
    vote = majority_vote(convener)
    voters[2].status = MemberStatus.SUSPENDED
    with pytest.raises(PermissionDenied, match="suspended"):
        services.cast_ballot(voters[2], vote, {"choice": "yes"})


def test_bad_ballots_are_refused_and_change_nothing(convener, voters):
    vote = majority_vote(convener)
    for content in ({}, {"choice": "maybe"}, {"ranking": ["yes"]}):
        with pytest.raises(ValidationError):
            services.cast_ballot(voters[0], vote, content)
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 0


def test_closing_counts_once_and_is_idempotent(convener, voters):
    vote = majority_vote(convener)
    for voter, choice in zip(voters, ["yes", "yes", "yes", "no", "abstain"], strict=False):
        services.cast_ballot(voter, vote, {"choice": choice})
    closed = services.close_vote(convener, vote)
    first = closed.result_json
    assert closed.state == VoteState.CLOSED
    result = closed.result
    assert result["count"]["counts"] == {"yes": 3, "no": 1, "abstain": 1}
    assert result["outcome"]["adopted"] is True
    assert result["outcome"]["summary"] == "Adopted by 3 to 1, 1 abstaining."
    assert result["participation"]["voted"] == 5
    again = services.close_vote(convener, vote)
    assert again.result_json == first
    with pytest.raises(InvalidTransition, match="closed"):
        services.cast_ballot(voters[5], vote, {"choice": "no"})
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("vote.close") == 1


def test_a_vote_below_quorum_decides_nothing(convener, voters):
    vote = majority_vote(convener, quorum_percent=50)
    services.cast_ballot(voters[0], vote, {"choice": "yes"})
    result = services.close_vote(convener, vote).result
    assert result["participation"]["quorum_met"] is False
    assert result["outcome"] == {
        "decided": False,
        "adopted": None,
        "winners": [],
        "summary": "Quorum not met: the vote decides nothing.",
    }


def test_only_conveners_run_votes(voters):
    with pytest.raises(PermissionDenied):
        majority_vote(voters[0])


def test_a_ranked_vote_counts_rounds_with_the_lot_it_drew(convener, voters):
    settings = Settings(method="irv")
    options = [services.OptionSpec(label) for label in ("Ana", "Ben", "Chloé")]
    vote = services.create_vote(convener, title="Who chairs?", settings=settings, options=options)
    assert sorted(vote.lot_order) == ["Ana", "Ben", "Chloé"]
    # Chloé goes out first; Ana and Ben then stay level in every round, the last two for the
    # seat, so only the lot drawn at opening can settle who is elected: the one drawn first.
    rankings = [["Ana"], ["Ana"], ["Ben"], ["Ben"], ["Chloé"]]
    for voter, ranking in zip(voters, rankings, strict=False):
        services.cast_ballot(voter, vote, {"ranking": ranking})
    with pytest.raises(ValidationError, match="ranked twice"):
        services.cast_ballot(voters[5], vote, {"ranking": ["Ana", "Ana"]})
    result = services.close_vote(convener, vote).result
    favoured, drawn_later = [name for name in vote.lot_order if name in ("Ana", "Ben")]
    assert result["count"]["winners"] == [favoured]
    assert len(result["count"]["rounds"]) == 2
    assert [
        (t["candidates"], t["purpose"], t["chosen"], t["method"]) for t in result["count"]["ties"]
    ] == [(["Ana", "Ben"], "election", favoured, "lot")]
    assert drawn_later not in result["count"]["winners"]
    assert result["lot"] == vote.lot_order


def test_roll_call_results_show_each_voter_by_tendency(convener, voters):
    vote = majority_vote(convener, secret=False)
    services.cast_ballot(voters[0], vote, {"choice": "yes"})
    services.cast_ballot(voters[1], vote, {"choice": "no"})
    result = services.close_vote(convener, vote).result
    assert [(r["member_id"], r["tendency"], r["ballot"]) for r in result["roll_call"]] == [
        (voters[0].id, "no tendency", {"choice": "yes"}),
        (voters[1].id, "Eastside caucus", {"choice": "no"}),
    ]
    assert {g["tendency"] for g in result["by_tendency"]} == {"Eastside caucus", "no tendency"}


def test_a_secret_breakdown_merges_small_tendencies_into_others(convener):
    big = make_tendency("Big")
    small = make_tendency("Small")
    members = [make_member(tendency=big) for _ in range(3)] + [make_member(tendency=small)]
    members += [make_member(), make_member()]
    vote = majority_vote(convener, breakdown_by_tendency=True)
    for member in members:
        services.cast_ballot(member, vote, {"choice": "yes"})
    result = services.close_vote(convener, vote, breakdown_min=3).result
    assert [(g["tendency"], g["voters"]) for g in result["by_tendency"]] == [
        ("Big", 3),
        ("others", 3),
    ]


def test_a_scheduled_vote_opens_and_closes_on_time(convener, voters):
    now = utcnow()
    vote = services.create_vote(
        convener,
        title="Later",
        settings=MAJORITY,
        opens_at=now + timedelta(hours=1),
        closes_at=now + timedelta(hours=2),
        now=now,
    )
    assert vote.state == VoteState.SCHEDULED
    with pytest.raises(InvalidTransition, match="closed"):
        services.cast_ballot(voters[0], vote, {"choice": "yes"})
    assert services.open_due_votes(now + timedelta(minutes=59)) == []
    assert services.open_due_votes(now + timedelta(hours=1)) == [vote]
    services.cast_ballot(voters[0], vote, {"choice": "yes"}, now=now + timedelta(hours=1))
    with pytest.raises(InvalidTransition, match="closed"):
        services.cast_ballot(voters[1], vote, {"choice": "yes"}, now=now + timedelta(hours=2))
    closed = services.close_due_votes(now=now + timedelta(hours=2))
    assert closed == [vote]
    assert vote.state == VoteState.CLOSED
    assert vote.closed_by_id is None


def test_times_in_the_past_are_refused(convener):
    with pytest.raises(ValidationError, match="past"):
        services.create_vote(
            convener, title="x", settings=MAJORITY, opens_at=utcnow() - timedelta(minutes=1)
        )
    with pytest.raises(ValidationError, match="later than the opening"):
        services.create_vote(
            convener, title="x", settings=MAJORITY, closes_at=utcnow() - timedelta(minutes=1)
        )
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_an_in_person_vote_is_recorded_with_its_counts(convener):
    now = utcnow()
    vote = services.record_in_person_vote(
        convener,
        title="Adopt the Eastside objective",
        settings=MAJORITY,
        counted=services.MeetingCount(yes=41, no=12, abstain=3),
        present=60,
        held_at=now - timedelta(days=2),
        now=now,
    )
    assert vote.in_person
    assert vote.state == VoteState.CLOSED
    assert vote.outcome == "Adopted by 41 to 12, 3 abstaining."
    assert vote.result["participation"]["roll"] == 60
    with pytest.raises(ValidationError, match="only 10 members"):
        services.record_in_person_vote(
            convener,
            title="Too many",
            settings=MAJORITY,
            counted=services.MeetingCount(yes=11),
            present=10,
            held_at=now - timedelta(days=1),
            now=now,
        )


def test_paper_ballots_join_an_open_ranked_vote(convener, voters):
    options = [services.OptionSpec(label) for label in ("Ana", "Ben")]
    vote = services.create_vote(
        convener, title="Chair", settings=Settings(method="irv"), options=options
    )
    services.cast_ballot(voters[0], vote, {"ranking": ["Ben"]})
    blt = b'2 1\n3 1 2 0\n1 2 0\n0\n"Ana"\n"Ben"\n"Chair"\n'
    register = [voter.email for voter in voters[1:5]]
    assert services.import_paper_ballots(convener, vote, "paper.blt", blt, register=register) == 4
    result = services.close_vote(convener, vote).result
    assert result["count"]["winners"] == ["Ana"]
    assert result["participation"]["voted"] == 5
    with pytest.raises(ValidationError, match="Line 2"):
        services.read_paper_ballots(["Ana", "Ben"], "x.blt", b"2 1\n1 3 0\n0\n")
    with pytest.raises(ValidationError, match="not options"):
        services.read_paper_ballots(["Ana", "Ben"], "x.blt", b'1 1\n1 1 0\n0\n"Zoe"\n')


def consensus_vote(convener, rule, fallback=None):
    settings = Settings(method="consensus", block_rule=rule, fallback=fallback)
    return services.create_vote(convener, title="Adopt by consensus?", settings=settings)


def cast_positions(vote, voters, positions):
    for voter, (position, reason) in zip(voters, positions, strict=False):
        services.cast_ballot(voter, vote, {"position": position, "reason": reason})


def test_a_block_needs_a_reason(convener, voters):
    vote = consensus_vote(convener, "no_decision")
    with pytest.raises(ValidationError, match="block needs a reason"):
        services.cast_ballot(voters[0], vote, {"position": "block", "reason": "  "})


@pytest.mark.parametrize(
    ("rule", "fallback", "adopted", "summary"),
    [
        ("no_decision", None, False, "Not adopted: no consensus."),
        ("fallback", Fraction(3, 4), True, "Blocked, then adopted by the fallback supermajority."),
        ("fallback", Fraction(9, 10), False, "Not adopted: no consensus."),
        ("second_round", None, None, "Blocked: a second round is needed after further debate."),
    ],
)
def test_what_a_block_does_is_the_vote_s_rule(convener, voters, rule, fallback, adopted, summary):
    vote = consensus_vote(convener, rule, fallback)
    cast_positions(
        vote,
        voters,
        [
            ("agree", ""),
            ("agree", ""),
            ("agree_with_reservations", "Too slow."),
            ("stand_aside", "Not my branch."),
            ("block", "It abandons the tenants of block C."),
            ("agree", ""),
        ],
    )
    result = services.close_vote(convener, vote).result
    assert result["outcome"]["adopted"] is adopted
    assert result["outcome"]["summary"] == summary
    assert result["count"]["reasons"]["block"] == ["It abandons the tenants of block C."]
    assert result["count"]["reasons"]["stand_aside"] == ["Not my branch."]


@pytest.mark.parametrize("variant", ["scottish", "meek"])
def test_scottish_and_meek_refuse_the_hare_quota(convener, variant):
    settings = Settings(method="stv", seats=2, stv_variant=variant, quota="hare")
    options = [services.OptionSpec(name) for name in ("Ana", "Ben", "Chloé")]
    with pytest.raises(ValidationError, match="Droop quota"):
        services.create_vote(
            convener, title="Committee", settings=settings, options=options, purpose="election"
        )
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_nothing_stored_links_a_secret_ballot_to_its_voter(convener, voters):
    """The schema and the rows: no member, no time, no shared sequence."""
    vote = majority_vote(convener)
    for voter in voters:
        services.cast_ballot(voter, vote, {"choice": "yes"})
    inspector = inspect(db.engine)
    ballot_columns = {c["name"] for c in inspector.get_columns("ballots")}
    assert ballot_columns == {
        "id",
        "vote_id",
        "member_id",
        "receipt_hash",
        "tendency_id",
        "source",
        "content",
        "weight",
    }
    rows = db.session.execute(
        select(Ballot.id, Ballot.member_id, Ballot.tendency_id).where(Ballot.vote_id == vote.id)
    ).all()
    assert len(rows) == len(voters)
    assert all(member is None and tendency is None for _id, member, tendency in rows)
    ids = [row.id for row in rows]
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)  # 128 random bits, no sequence
    assert len(set(ids)) == len(ids)
    # Participations carry no ballot id; ballots carry no participation key.
    participation_columns = {c["name"] for c in inspector.get_columns("vote_participations")}
    assert participation_columns == {
        "vote_id",
        "member_id",
        "tendency_id",
        "replace_hash",
        "on_paper",
    }
    # A secret ballot cannot also name its member: the database refuses it.
    both = Ballot(
        id="f" * 32,
        vote_id=vote.id,
        member_id=voters[0].id,
        receipt_hash="0" * 64,
        content='{"choice":"no"}',
    )
    savepoint = db.session.begin_nested()
    db.session.add(both)
    with pytest.raises(IntegrityError):
        db.session.flush()
    savepoint.rollback()
