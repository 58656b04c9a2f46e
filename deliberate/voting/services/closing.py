"""Closing votes: the secret ballots written again, the count stored once, recounting."""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    String,
    Table,
    case,
    column,
    delete,
    func,
    insert,
    null,
    select,
)
from sqlalchemy import cast as sa_cast
from sqlalchemy import (
    table as table_clause,
)

from deliberate.accounts.models import Member
from deliberate.audit.services import record_action
from deliberate.database import utcnow
from deliberate.errors import InvalidTransition
from deliberate.extensions import db
from deliberate.voting import hooks, results
from deliberate.voting.models import Ballot, Participation, Vote
from deliberate.voting.services.common import _lock, _require_runner, load_options, settings_of
from deliberate.voting.vocabulary import VoteState


def is_due(vote: Vote, now: datetime | None = None) -> bool:
    """Whether an open vote has passed its scheduled close."""
    now = now or utcnow()
    return vote.state == VoteState.OPEN and vote.closes_at is not None and vote.closes_at <= now


def close_vote(
    actor: Member | None,
    vote: Vote,
    *,
    breakdown_min: int = 10,
    now: datetime | None = None,
) -> Vote:
    """Close the vote, count it once, store the result, and let its subject react.

    Idempotent: closing a closed vote returns it unchanged, with the same stored result.
    `actor` None is the system closing it at its scheduled time. The subject's hook (merging
    an adopted amendment, say) runs in the same transaction, so a failure leaves the vote open.
    """
    if actor is not None:
        _require_runner(actor, "close votes")
    now = now or utcnow()
    vote = _lock(vote)
    if vote.state == VoteState.CLOSED:
        return vote
    if vote.state != VoteState.OPEN:
        raise InvalidTransition(f"This vote is {vote.state}; only an open vote closes.")
    if actor is None and not is_due(vote, now):
        raise InvalidTransition("This vote is not due to close yet.")
    options = load_options(vote)
    if vote.secret:
        _rewrite_secret_ballots(vote, breakdown_min)
    result = results.compute(
        settings_of(vote, options),
        ballots=_ballots_for_count(vote),
        roll_size=vote.roll_size or 0,
        participation=_participation(vote),
        tendencies=_tendency_names(),
        breakdown_min=breakdown_min,
        roll_call=not vote.secret,
    )
    _finish(vote, actor, result, now)
    return vote


def _rewrite_secret_ballots(vote: Vote, breakdown_min: int) -> None:
    """Write a closing secret vote's ballots again, in this transaction: delete them and
    insert them again with fresh random keys, in the order of those keys.

    The new rows share nothing with the participations that the storage could pair them by:
    not the transaction that wrote them (PostgreSQL `xmin`), not their place (`ctid`), not
    the order or value of their keys. Each column is copied as stored, whatever columns the
    table has; only `tendency_id` is erased where the published breakdown will not show the
    voter's group (and everywhere when none is published), so that what is stored after
    close says no more than what is published.
    """
    db.session.flush()
    table = cast(Table, Ballot.__table__)
    connection = db.session.connection()
    # Group sizes as the result counts them: paper rows stand for their weight.
    sizes: dict[int | None, int] = {
        tendency_id: int(number)
        for tendency_id, number in connection.execute(
            select(table.c.tendency_id, func.sum(table.c.weight))
            .where(table.c.vote_id == vote.id)
            .group_by(table.c.tendency_id)
        ).tuples()
    }
    if not sizes:
        return
    shown = (
        results.published_tendencies(sizes, _tendency_names(), breakdown_min=breakdown_min)
        if vote.breakdown_by_tendency
        else None
    )
    kept = shown or frozenset()
    if connection.dialect.name == "postgresql":
        _rewrite_in_the_database(table, vote.id, kept)
    else:
        _rewrite_through_python(table, vote.id, kept)
    # Ballot objects this session loaded name rows that no longer exist.
    for instance in [o for o in db.session.identity_map.values() if isinstance(o, Ballot)]:
        db.session.expunge(instance)


def _rewrite_in_the_database(table: Table, vote_id: int, kept: frozenset[int]) -> None:
    """PostgreSQL: the rows never leave the server (a referendum's 100,000 ballots in about
    a second). The keys are `gen_random_uuid`'s, drawn from the server's strong random source
    (122 random bits), written as 32 hex digits like the keys ballots are cast with."""
    fresh = func.replace(sa_cast(func.gen_random_uuid(), String), "-", "")
    tendency = (
        case((table.c.tendency_id.in_(kept), table.c.tendency_id), else_=null()) if kept else null()
    )
    chosen = select(
        *(
            fresh.label("id")
            if stored.name == "id"
            else sa_cast(tendency, stored.type).label("tendency_id")
            if stored.name == "tendency_id"
            else stored
            for stored in table.columns
        )
    ).where(table.c.vote_id == vote_id)
    connection = db.session.connection()
    compiled = chosen.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    names = [column.name for column in table.columns]
    closing = table_clause("closing_ballots", *(column(name) for name in names))
    # A table of this transaction's own: the unique receipt hashes forbid inserting the new
    # rows before the old ones are gone. (The statement is SQLAlchemy's, compiled here.)
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {closing.name} AS {compiled}", compiled.params
    )
    connection.execute(delete(table).where(table.c.vote_id == vote_id))
    connection.execute(insert(table).from_select(names, select(*closing.c).order_by(closing.c.id)))
    connection.exec_driver_sql(f"DROP TABLE {closing.name}")


def _rewrite_through_python(table: Table, vote_id: int, kept: frozenset[int]) -> None:
    """Elsewhere (SQLite): read the rows, delete them, insert them again shuffled."""
    connection = db.session.connection()
    names = [column.name for column in table.columns]
    key, tendency = names.index("id"), names.index("tendency_id")
    rows = [
        list(row) for row in connection.execute(select(table).where(table.c.vote_id == vote_id))
    ]
    connection.execute(delete(table).where(table.c.vote_id == vote_id))
    secrets.SystemRandom().shuffle(rows)
    for row in rows:
        row[key] = secrets.token_hex(16)
        if row[tendency] not in kept:
            row[tendency] = None
    connection.execute(insert(table), [dict(zip(names, row, strict=True)) for row in rows])


def _finish(vote: Vote, actor: Member | None, result: dict[str, Any], now: datetime) -> None:
    vote.result_json = json.dumps(result, ensure_ascii=False, sort_keys=True)
    vote.outcome = result["outcome"]["summary"][:200]
    vote.state = VoteState.CLOSED
    vote.closed_at = now
    vote.closed_by_id = actor.id if actor is not None else None
    db.session.flush()
    hooks.vote_closed(vote, result)
    record_action(
        actor,
        "vote.close",
        vote,
        f"Closed the vote “{vote.title}”: {vote.outcome}",
        participation=result["participation"]["voted"],
    )


def recount(vote: Vote) -> dict[str, Any]:
    """A closed vote's result counted again from its ballots as stored now, the way
    `close_vote` (or, for a meeting's vote, `record_in_person_vote`) counted it (for checking
    the archive: the stored result must match), with the breakdown minimum it was closed
    with. A meeting's anonymous counts have no voters to list and no tendencies to break
    down."""
    stored = vote.result or {}
    return results.compute(
        settings_of(vote, load_options(vote)),
        ballots=_ballots_for_count(vote),
        roll_size=vote.roll_size or 0,
        participation=_participation(vote),
        tendencies={} if vote.in_person else _tendency_names(),
        breakdown_min=int(stored.get("breakdown_min", 10)),
        roll_call=not vote.secret and not vote.in_person,
    )


def _ballots_for_count(vote: Vote) -> list[results.CountedBallot]:
    """The vote's ballots, identical ones grouped with their number (a referendum's 100,000
    ballots are a few thousand distinct rows; a paper row counts for its weight), each content
    decoded once."""
    count = func.sum(Ballot.weight).label("weight")
    rows = db.session.execute(
        select(Ballot.content, Ballot.tendency_id, Ballot.member_id, count)
        .where(Ballot.vote_id == vote.id)
        .group_by(Ballot.content, Ballot.tendency_id, Ballot.member_id)
        .order_by(Ballot.content, Ballot.tendency_id, Ballot.member_id)
    )
    return [
        results.CountedBallot(json.loads(content), tendency_id, member_id, weight)
        for content, tendency_id, member_id, weight in rows
    ]


def _participation(vote: Vote) -> int:
    """How many took part: the members of the roll who voted, online or marked on paper; for
    a meeting's vote, which has no roll here, the ballots it counted (their weights)."""
    if vote.in_person:
        counted = db.session.scalar(
            select(func.coalesce(func.sum(Ballot.weight), 0)).where(Ballot.vote_id == vote.id)
        )
        return int(counted or 0)
    voted = db.session.scalar(
        select(func.count()).select_from(Participation).where(Participation.vote_id == vote.id)
    )
    return int(voted or 0)


def _tendency_names() -> dict[int, str]:
    from deliberate.tendencies.models import Tendency

    return dict(db.session.execute(select(Tendency.id, Tendency.name)).tuples().all())


def close_due_votes(*, breakdown_min: int = 10, now: datetime | None = None) -> list[Vote]:
    """Close every open vote past its scheduled time (the system acting)."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Vote).where(Vote.state == VoteState.OPEN, Vote.closes_at <= now)
    ).all()
    return [close_vote(None, vote, breakdown_min=breakdown_min, now=now) for vote in due]
