"""Read-side selects of votes: the vote page, lists, participation, the published ballots."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from deliberate.accounts.models import Member
from deliberate.database import MemberId, Moment
from deliberate.extensions import db
from deliberate.voting.models import (
    Ballot,
    Participation,
    RollEntry,
    Vote,
    VoteState,
)

PAGE_SIZE = 25


def vote_with_options(vote_id: int) -> Vote | None:
    return db.session.scalar(
        select(Vote)
        .options(selectinload(Vote.options), joinedload(Vote.created_by), joinedload(Vote.body))
        .where(Vote.id == vote_id)
    )


def vote_for_ballot(vote_id: int) -> Vote | None:
    """The vote with its options in one query: what casting a ballot needs."""
    return db.session.scalar(
        select(Vote).options(joinedload(Vote.options)).where(Vote.id == vote_id)
    )


def next_round(vote: Vote) -> Vote | None:
    """The second round held after this vote, if any."""
    return db.session.scalar(select(Vote).where(Vote.previous_vote_id == vote.id))


def participation_count(vote: Vote) -> int:
    online = db.session.scalar(
        select(func.count()).select_from(Participation).where(Participation.vote_id == vote.id)
    )
    return int(online or 0)


@dataclass(frozen=True)
class Standing:
    """Where the viewing member stands in a vote."""

    on_roll: bool
    voted: bool
    on_paper: bool = False  # marked on the register of paper ballots


def standing(vote: Vote, member: Member) -> Standing:
    on_roll = db.session.get(RollEntry, (vote.id, member.id)) is not None
    took_part = db.session.get(Participation, (vote.id, member.id))
    return Standing(
        on_roll=on_roll,
        voted=took_part is not None,
        on_paper=took_part is not None and took_part.on_paper,
    )


def votes_on(subject_type: str, subject_id: int) -> list[Vote]:
    """The votes on a subject (an amendment, a draft), newest first."""
    return list(
        db.session.scalars(
            select(Vote)
            .where(Vote.subject_type == subject_type, Vote.subject_id == subject_id)
            .order_by(Vote.created_at.desc(), Vote.id.desc())
        )
    )


def votes_in(states: tuple[str, ...], *, page: int = 1) -> tuple[list[Vote], bool]:
    """Votes in these states, most recent first, a page at a time (and whether more follow)."""
    rows = list(
        db.session.scalars(
            select(Vote)
            .where(Vote.state.in_(states))
            .order_by(
                func.coalesce(Vote.closed_at, Vote.opened_at, Vote.opens_at).desc(), Vote.id.desc()
            )
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        )
    )
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def open_and_scheduled() -> list[Vote]:
    return list(
        db.session.scalars(
            select(Vote)
            .where(Vote.state.in_((VoteState.OPEN, VoteState.SCHEDULED)))
            .order_by(Vote.closes_at.is_(None), Vote.closes_at, Vote.id)
        )
    )


def member_names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(Member.id, Member.display_name).where(Member.id.in_(ids)))
    return dict(rows.tuples().all())


RECEIPTS_PAGE_SIZE = 1000


def _published_order(vote: Vote) -> Any:
    """Every counted ballot row of a vote in the published order: by receipt hash, paper
    ballots (no receipt) last by content, each with its weight (how many identical paper
    ballots it stands for). The order says nothing about when a ballot was cast."""
    return (
        select(Ballot.receipt_hash, Ballot.content, Ballot.weight)
        .where(Ballot.vote_id == vote.id)
        .order_by(Ballot.receipt_hash.is_(None), Ballot.receipt_hash, Ballot.content)
    )


def receipt_hashes(vote: Vote) -> list[str]:
    """The receipt hashes of a closed secret vote, sorted: that each ballot was counted, not
    what it says."""
    return [
        receipt
        for receipt in db.session.scalars(
            select(Ballot.receipt_hash)
            .where(Ballot.vote_id == vote.id, Ballot.receipt_hash.is_not(None))
            .order_by(Ballot.receipt_hash)
        )
        if receipt is not None
    ]


def receipts_page(vote: Vote, page: int) -> tuple[list[str], bool]:
    """A page of the sorted receipt hashes, and whether more follow."""
    rows = [
        receipt
        for receipt in db.session.scalars(
            select(Ballot.receipt_hash)
            .where(Ballot.vote_id == vote.id, Ballot.receipt_hash.is_not(None))
            .order_by(Ballot.receipt_hash)
            .offset((page - 1) * RECEIPTS_PAGE_SIZE)
            .limit(RECEIPTS_PAGE_SIZE + 1)
        )
        if receipt is not None
    ]
    return rows[:RECEIPTS_PAGE_SIZE], len(rows) > RECEIPTS_PAGE_SIZE


def ballot_groups(vote: Vote, page: int) -> tuple[list[tuple[dict[str, Any], int]], bool]:
    """A page of the anonymous ballots of a closed vote, identical ones grouped with their
    number (paper rows count for their weight), most frequent first: a list apart from the
    receipts, in an order of its own. And whether more follow."""
    number = func.sum(Ballot.weight).label("n")
    rows = db.session.execute(
        select(Ballot.content, number)
        .where(Ballot.vote_id == vote.id)
        .group_by(Ballot.content)
        .order_by(number.desc(), Ballot.content)
        .offset((page - 1) * RECEIPTS_PAGE_SIZE)
        .limit(RECEIPTS_PAGE_SIZE + 1)
    ).all()
    shown = [(json.loads(content), int(n)) for content, n in rows[:RECEIPTS_PAGE_SIZE]]
    return shown, len(rows) > RECEIPTS_PAGE_SIZE


def paired_receipts(vote: Vote) -> list[tuple[str, dict[str, Any]]]:
    """Each receipt hash with its ballot, by hash: only for a vote that chose
    content-verifiable receipts (paper ballots carry no receipt and are left out)."""
    rows = db.session.execute(
        select(Ballot.receipt_hash, Ballot.content)
        .where(Ballot.vote_id == vote.id, Ballot.receipt_hash.is_not(None))
        .order_by(Ballot.receipt_hash)
    ).all()
    return [(receipt, json.loads(content)) for receipt, content in rows if receipt is not None]


def published_counts(vote: Vote) -> list[tuple[dict[str, Any], int]]:
    """Every counted ballot of a closed vote for the recount files: each distinct content with
    how many ballots hold it (paper rows count for their weight), in the order of content."""
    number = func.sum(Ballot.weight)
    rows = db.session.execute(
        select(Ballot.content, number)
        .where(Ballot.vote_id == vote.id)
        .group_by(Ballot.content)
        .order_by(Ballot.content)
    ).all()
    return [(json.loads(content), int(weight)) for content, weight in rows]


def published_page(
    vote: Vote, page: int
) -> tuple[list[tuple[str | None, dict[str, Any], int]], bool]:
    """A page of the published ballots as (receipt hash or None for paper, content, weight),
    and whether more follow."""
    rows = db.session.execute(
        _published_order(vote).offset((page - 1) * RECEIPTS_PAGE_SIZE).limit(RECEIPTS_PAGE_SIZE + 1)
    ).all()
    shown = [
        (receipt, json.loads(content), weight)
        for receipt, content, weight in rows[:RECEIPTS_PAGE_SIZE]
    ]
    return shown, len(rows) > RECEIPTS_PAGE_SIZE


def waiting_ballots(member_id: MemberId, now: Moment) -> Select[Any]:
    """Open votes on whose roll the member is and where they have not voted (online or on
    paper), still before their close: (vote id, title, closes at), the soonest close first.
    Whether a member voted is told to that member alone: only their own rows are read."""
    # Correlated to each open vote, each a look-up of the (vote, member) primary key: the
    # rolls of all votes together may hold millions of rows.
    on_roll = exists().where(RollEntry.vote_id == Vote.id, RollEntry.member_id == member_id)
    voted = exists().where(Participation.vote_id == Vote.id, Participation.member_id == member_id)
    return (
        select(Vote.id, Vote.title, Vote.closes_at)
        .where(
            Vote.state == VoteState.OPEN,
            or_(Vote.closes_at.is_(None), Vote.closes_at > now),
            on_roll,
            ~voted,
        )
        .order_by(Vote.closes_at.is_(None), Vote.closes_at, Vote.id)
    )
