"""Read-side selects of votes: the vote page, lists, participation, the published ballots."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, exists, func, or_, select
from sqlalchemy.orm import joinedload

from deliberate.accounts.models import Member
from deliberate.database import MemberId, Moment
from deliberate.extensions import db
from deliberate.tendencies.models import Tendency
from deliberate.voting.models import (
    Ballot,
    Nomination,
    Participation,
    RollEntry,
    Vote,
    VoteOption,
    VoteState,
)

PAGE_SIZE = 25


# The statements every vote page runs are built once per process, with bind parameters:
# computing a new statement's cache key (its eager loads above all) costs more CPU than
# running it.
VOTE_ID = "vote_id"
MEMBER_ID = "member_id"


@cache
def _vote_with_options() -> Select[tuple[Vote]]:
    return (
        select(Vote)
        .options(joinedload(Vote.options), joinedload(Vote.created_by), joinedload(Vote.body))
        .where(Vote.id == bindparam(VOTE_ID))
    )


@cache
def _vote_for_ballot() -> Select[tuple[Vote]]:
    return select(Vote).options(joinedload(Vote.options)).where(Vote.id == bindparam(VOTE_ID))


def vote_with_options(vote_id: int) -> Vote | None:
    """The vote with its options, who made it and its body, in one query."""
    return db.session.scalar(_vote_with_options(), {VOTE_ID: vote_id})


def vote_for_ballot(vote_id: int) -> Vote | None:
    """The vote with its options in one query: what casting a ballot needs."""
    return db.session.scalar(_vote_for_ballot(), {VOTE_ID: vote_id})


def next_round(vote: Vote) -> Vote | None:
    """The second round held after this vote, if any."""
    return db.session.scalar(select(Vote).where(Vote.previous_vote_id == vote.id))


def participation_count(vote: Vote) -> int:
    online = db.session.scalar(
        select(func.count()).select_from(Participation).where(Participation.vote_id == vote.id)
    )
    return int(online or 0)


@dataclass(frozen=True)
class Candidate:
    """The member standing as an option of an election by nomination, and her statement."""

    member_id: int
    statement_html: str


def candidates(vote: Vote) -> dict[str, Candidate]:
    """The candidates of an election by nomination, by their option's label (empty for any
    other vote, without a query)."""
    if not vote.by_nomination:
        return {}
    rows = db.session.execute(
        select(VoteOption.label, VoteOption.candidate_id, Nomination.statement_html)
        .join(
            Nomination,
            (Nomination.vote_id == VoteOption.vote_id)
            & (Nomination.nominee_id == VoteOption.candidate_id),
        )
        .where(VoteOption.vote_id == vote.id)
    )
    return {label: Candidate(member_id, html) for label, member_id, html in rows}


@dataclass(frozen=True)
class Standing:
    """Where the viewing member stands in a vote."""

    on_roll: bool
    voted: bool
    on_paper: bool = False  # marked on the register of paper ballots


def standing(vote: Vote, member: Member) -> Standing:
    return standing_and_count(vote, member)[0]


@cache
def _standing_and_count() -> Select[tuple[bool, bool | None, int]]:
    vote_id, member_id = bindparam(VOTE_ID, type_=Integer), bindparam(MEMBER_ID, type_=Integer)
    on_roll = (
        select(RollEntry.member_id)
        .where(RollEntry.vote_id == vote_id, RollEntry.member_id == member_id)
        .exists()
    )
    on_paper = (
        select(Participation.on_paper)
        .where(Participation.vote_id == vote_id, Participation.member_id == member_id)
        .scalar_subquery()
    )
    voted = (
        select(func.count())
        .select_from(Participation)
        .where(Participation.vote_id == vote_id)
        .scalar_subquery()
    )
    return select(on_roll, on_paper, voted)


def standing_and_count(vote: Vote, member: Member) -> tuple[Standing, int]:
    """Where the member stands in the vote, and how many have voted, in one query."""
    roll, paper, count = db.session.execute(
        _standing_and_count(), {VOTE_ID: vote.id, MEMBER_ID: member.id}
    ).one()
    took_part = paper is not None
    return Standing(on_roll=bool(roll), voted=took_part, on_paper=took_part and bool(paper)), int(
        count or 0
    )


def standings(votes: list[Vote], member: Member) -> dict[int, Standing]:
    """Where the member stands in each of these votes, in two queries however many there are:
    on the roll or not, voted or not (never what they chose)."""
    ids = [vote.id for vote in votes]
    if not ids:
        return {}
    on_roll = set(
        db.session.scalars(
            select(RollEntry.vote_id).where(
                RollEntry.member_id == member.id, RollEntry.vote_id.in_(ids)
            )
        )
    )
    took_part = dict(
        db.session.execute(
            select(Participation.vote_id, Participation.on_paper).where(
                Participation.member_id == member.id, Participation.vote_id.in_(ids)
            )
        )
        .tuples()
        .all()
    )
    return {
        vote_id: Standing(
            on_roll=vote_id in on_roll,
            voted=vote_id in took_part,
            on_paper=bool(took_part.get(vote_id)),
        )
        for vote_id in ids
    }


@cache
def _turnout_by_tendency() -> Select[tuple[int | None, str, int, int]]:
    voted = func.count(Participation.member_id)
    return (
        select(RollEntry.tendency_id, Tendency.name, func.count(RollEntry.member_id), voted)
        .select_from(RollEntry)
        .outerjoin(Tendency, Tendency.id == RollEntry.tendency_id)
        .outerjoin(
            Participation,
            (Participation.vote_id == RollEntry.vote_id)
            & (Participation.member_id == RollEntry.member_id),
        )
        .where(RollEntry.vote_id == bindparam(VOTE_ID, type_=Integer))
        .group_by(RollEntry.tendency_id, Tendency.name)
    )


def turnout_by_tendency(vote: Vote) -> list[tuple[int | None, str | None, int, int]]:
    """For an open vote: per tendency the roll took (tendency id or None, its name, how many
    are on the roll, how many of them have voted, online or on paper), in one query."""
    rows = db.session.execute(_turnout_by_tendency(), {VOTE_ID: vote.id}).all()
    return [(tendency_id, name, int(roll), int(took)) for tendency_id, name, roll, took in rows]


NOT_VOTED_PAGE_SIZE = 100


def not_voted(vote: Vote, page: int) -> tuple[list[tuple[int, str, str | None]], bool]:
    """A page of the members on the roll who have not voted yet, by name, with the tendency
    the roll took (id, name, tendency name), and whether more follow."""
    rows = db.session.execute(
        select(Member.id, Member.display_name, Tendency.name)
        .select_from(RollEntry)
        .join(Member, Member.id == RollEntry.member_id)
        .outerjoin(Tendency, Tendency.id == RollEntry.tendency_id)
        .outerjoin(
            Participation,
            (Participation.vote_id == RollEntry.vote_id)
            & (Participation.member_id == RollEntry.member_id),
        )
        .where(RollEntry.vote_id == vote.id, Participation.member_id.is_(None))
        .order_by(func.lower(Member.display_name), Member.id)
        .offset((page - 1) * NOT_VOTED_PAGE_SIZE)
        .limit(NOT_VOTED_PAGE_SIZE + 1)
    ).all()
    shown = [(member_id, name, tendency) for member_id, name, tendency in rows]
    return shown[:NOT_VOTED_PAGE_SIZE], len(shown) > NOT_VOTED_PAGE_SIZE


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
