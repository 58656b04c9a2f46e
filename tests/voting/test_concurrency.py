"""Votes under load: a crowd casting at once, casting racing closing, connections lost mid-write.

Every worker is a transaction of its own, really committed (the `committed` fixture wipes the
tables afterwards), on SQLite by default and on PostgreSQL with DELIBERATE_TEST_DB.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from deliberate.accounts.models import Member, MemberRole
from deliberate.audit.models import AuditEntry
from deliberate.errors import InvalidTransition
from deliberate.extensions import db
from deliberate.voting import services
from deliberate.voting.models import Ballot, Participation, Vote
from deliberate.voting.rules import Settings
from deliberate.voting.services import AlreadyVoted, CastReceipt
from deliberate.voting.vocabulary import VoteState
from tests.concurrency import backend_killed_before, run_in_pool
from tests.conftest import POSTGRES_URL
from tests.factories import make_member, make_tendency

CROWD = 200
TWICE_EVERY = 10  # one member in ten sends a second ballot at the same moment
WORKERS = 24
CHOICES = ("yes", "no", "abstain")


def postgres_only(test: Callable[..., None]) -> Callable[..., None]:
    """Terminating a connection's backend from another connection needs PostgreSQL."""
    skip = pytest.mark.skipif(not POSTGRES_URL, reason="terminating a backend needs PostgreSQL")
    return pytest.mark.postgres_only(skip(test))


def organization(members: int) -> tuple[int, list[int]]:
    """A convener and `members` members, two thirds of them in two tendencies; committed.
    Returns their ids."""
    convener = make_member("Convener", role=MemberRole.CONVENER)
    tendencies = [make_tendency("North"), make_tendency("South")]
    crowd = [make_member(tendency=([*tendencies, None])[i % 3]) for i in range(members)]
    ids = convener.id, [m.id for m in crowd]
    settle()
    return ids


def open_vote(convener_id: int, **settings: Any) -> int:
    """A majority vote opened now, its roll every active member; committed."""
    convener = db.session.get_one(Member, convener_id)
    vote = services.create_vote(
        convener,
        title="Adopt the convention's agenda?",
        settings=Settings(method="majority", threshold="simple", **settings),
    )
    vote_id = vote.id
    settle()
    return vote_id


def settle() -> None:
    """Commit the test's own work and let go of its connection: on SQLite, an idle session
    that so much as reads again holds the write lock (BEGIN IMMEDIATE) the workers wait for."""
    db.session.commit()
    db.session.remove()


def cast(member_id: int, vote_id: int, choice: str) -> Callable[[], CastReceipt]:
    def work() -> CastReceipt:
        member = db.session.get_one(Member, member_id)
        return services.cast_ballot(member, db.session.get_one(Vote, vote_id), {"choice": choice})

    return work


def close(convener_id: int, vote_id: int) -> Callable[[], str]:
    def work() -> str:
        convener = db.session.get_one(Member, convener_id)
        closed = services.close_vote(convener, db.session.get_one(Vote, vote_id))
        assert closed.result_json is not None
        return closed.result_json

    return work


def stored(vote_id: int) -> dict[str, Any]:
    """What the database holds of a vote, read afresh (and the connection let go)."""
    vote = db.session.get_one(Vote, vote_id)
    held = {
        "state": vote.state,
        "result_json": vote.result_json,
        "ballots": db.session.execute(
            select(Ballot.member_id, Ballot.receipt_hash, Ballot.content).where(
                Ballot.vote_id == vote_id
            )
        ).all(),
        "voters": db.session.scalars(
            select(Participation.member_id).where(Participation.vote_id == vote_id)
        ).all(),
        "closes": db.session.scalar(
            select(func.count()).where(
                AuditEntry.action == "vote.close",
                AuditEntry.object_type == "Vote",
                AuditEntry.object_id == vote_id,
            )
        ),
    }
    settle()
    return held


def unexpected(results: list[Any], *allowed: type) -> list[Any]:
    return [r for r in results if not isinstance(r, allowed)]


def _is_new(result: Any) -> bool:
    """A ballot accepted as the member's first (not a replacement)."""
    return isinstance(result, CastReceipt) and not result.replaced


# --- a crowd casting at once ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("secret", "replaceable"),
    [(True, True), (False, False), (False, True)],
    ids=["secret", "roll-call", "roll-call-replaceable"],
)
def test_a_crowd_casting_at_once_leaves_one_ballot_each(app, committed, secret, replaceable):
    convener_id, member_ids = organization(CROWD)
    vote_id = open_vote(
        convener_id, secret=secret, replaceable=replaceable, breakdown_by_tendency=secret
    )
    rng = random.Random(CROWD)
    works, senders, sent = [], [], []
    for index, member_id in enumerate(member_ids):
        # A second ballot without a receipt, sent right beside the first.
        for _ in range(2 if index % TWICE_EVERY == 0 else 1):
            choice = rng.choice(CHOICES)
            works.append(cast(member_id, vote_id, choice))
            senders.append(member_id)
            sent.append(choice)

    results = run_in_pool(app, works, WORKERS)

    assert unexpected(results, CastReceipt, AlreadyVoted) == []
    new = Counter(s for s, r in zip(senders, results, strict=True) if _is_new(r))
    assert new == Counter(member_ids), "each member has exactly one ballot accepted as new"
    refused = [r for r in results if isinstance(r, AlreadyVoted)]
    replaced = [r for r in results if isinstance(r, CastReceipt) and r.replaced]
    assert len(refused) + len(replaced) == CROWD // TWICE_EVERY
    if not replaceable:
        assert replaced == []
    if secret:
        # Without its receipt, a second secret ballot is always refused, never a replacement.
        assert replaced == []
        assert all(r.code for r in results if _is_new(r))
    after = stored(vote_id)
    assert len(after["ballots"]) == len(after["voters"]) == CROWD
    assert sorted(after["voters"]) == sorted(member_ids)
    if secret:
        codes = {
            services.receipt_hash(vote_id, r.code): choice
            for r, choice in zip(results, sent, strict=True)
            if _is_new(r)
        }
        held = {h: json.loads(c)["choice"] for _, h, c in after["ballots"]}
        assert held == codes, "every receipt finds its own ballot as it was cast"
    else:
        held = {m: json.loads(c)["choice"] for m, _, c in after["ballots"]}
        assert sorted(held) == sorted(member_ids)
        accepted: dict[int, list[str]] = {}
        for member_id, choice, result in zip(senders, sent, results, strict=True):
            if isinstance(result, CastReceipt):
                accepted.setdefault(member_id, []).append(choice)
        # The ballot kept is one the member sent and was told was recorded.
        assert all(held[m] in choices for m, choices in accepted.items())
    closed = run_in_pool(app, [close(convener_id, vote_id)])
    assert json.loads(closed[0])["participation"]["voted"] == CROWD


# --- casting racing closing -------------------------------------------------------------------

RACERS = 50


def test_ballots_racing_the_close_are_counted_or_refused_never_lost(app, committed):
    convener_id, member_ids = organization(RACERS)
    second_convener = make_member("Second convener", role=MemberRole.CONVENER).id
    settle()
    vote_id = open_vote(convener_id)
    casts = [cast(m, vote_id, CHOICES[i % 3]) for i, m in enumerate(member_ids)]
    closes = [close((convener_id, second_convener)[i % 2], vote_id) for i in range(RACERS)]
    # The first ballots get a head start; then casts and closes arrive interleaved.
    head = RACERS // 5
    works = casts[:head] + [w for pair in zip(casts[head:], closes, strict=False) for w in pair]
    works += closes[RACERS - head :]
    kinds = ["cast"] * head + ["cast", "close"] * (RACERS - head) + ["close"] * head

    results = run_in_pool(app, works, WORKERS)

    cast_results = [r for r, k in zip(results, kinds, strict=True) if k == "cast"]
    close_results = [r for r, k in zip(results, kinds, strict=True) if k == "close"]
    assert unexpected(close_results, str) == []
    assert len(set(close_results)) == 1, "every close answers with the same stored result"
    assert unexpected(cast_results, CastReceipt, InvalidTransition) == []
    accepted = [r for r in cast_results if isinstance(r, CastReceipt)]
    refused = [r for r in cast_results if isinstance(r, InvalidTransition)]
    assert all("closed" in r.message for r in refused)
    assert len(accepted) + len(refused) == RACERS
    after = stored(vote_id)
    assert after["state"] == VoteState.CLOSED
    assert after["result_json"] == close_results[0]
    assert after["closes"] == 1
    result = json.loads(close_results[0])
    assert result["participation"]["voted"] == len(accepted)
    assert sum(result["count"]["counts"].values()) == len(accepted)
    assert len(after["ballots"]) == len(after["voters"]) == len(accepted)


# --- a connection lost in the middle of casting or closing ------------------------------------


@pytest.mark.parametrize(
    "statement", ["INSERT INTO VOTE_PARTICIPATIONS", "INSERT INTO BALLOTS", "COMMIT"]
)
@postgres_only
def test_a_ballot_cut_off_mid_write_is_absent_whole_and_cast_again_once(app, committed, statement):
    convener_id, member_ids = organization(40)
    vote_id = open_vote(convener_id)
    works = [cast(m, vote_id, CHOICES[i % 3]) for i, m in enumerate(member_ids)]

    with backend_killed_before(statement) as killed:
        results = run_in_pool(app, works, 8)

    assert killed, "the fault was not injected"
    assert unexpected(results, CastReceipt, DBAPIError) == []
    lost = [m for m, r in zip(member_ids, results, strict=True) if isinstance(r, DBAPIError)]
    assert len(lost) == 1
    after = stored(vote_id)
    assert after["state"] == VoteState.OPEN
    assert len(after["ballots"]) == len(after["voters"]) == len(member_ids) - 1
    assert lost[0] not in after["voters"]
    retry = run_in_pool(app, [cast(lost[0], vote_id, "yes"), cast(lost[0], vote_id, "no")], 1)
    assert isinstance(retry[0], CastReceipt)
    assert isinstance(retry[1], AlreadyVoted)
    after = stored(vote_id)
    assert len(after["ballots"]) == len(after["voters"]) == len(member_ids)


@pytest.mark.parametrize(
    "statement",
    ["SELECT BALLOTS.CONTENT", "UPDATE VOTES", "INSERT INTO AUDIT_ENTRIES", "COMMIT"],
)
@postgres_only
def test_a_close_cut_off_mid_write_leaves_the_vote_open_and_closes_once(app, committed, statement):
    convener_id, member_ids = organization(30)
    vote_id = open_vote(convener_id)
    run_in_pool(app, [cast(m, vote_id, CHOICES[i % 3]) for i, m in enumerate(member_ids)], 8)

    with backend_killed_before(statement) as killed:
        failed = run_in_pool(app, [close(convener_id, vote_id)])

    assert killed, "the fault was not injected"
    assert isinstance(failed[0], DBAPIError)
    after = stored(vote_id)
    assert after["state"] == VoteState.OPEN
    assert after["result_json"] is None
    assert after["closes"] == 0
    assert len(after["ballots"]) == len(after["voters"]) == len(member_ids)
    retries = run_in_pool(app, [close(convener_id, vote_id) for _ in range(3)], 3)
    assert unexpected(retries, str) == []
    assert len(set(retries)) == 1
    assert json.loads(retries[0])["participation"]["voted"] == len(member_ids)
    after = stored(vote_id)
    assert after["state"] == VoteState.CLOSED
    assert after["result_json"] == retries[0]
    assert after["closes"] == 1
