"""What waits for a member ("needs you"): the list on the home page and the count in the
navigation, read from each domain's own queries.

Each kind of item is a select that a domain offers (votes the member has not cast, records
awaiting their commitment, ...). The home page reads each kind in one query (its first rows
and, through a window count, how many there are), so the list costs one query per kind
whatever the size of the organization; the navigation's count sums every kind's count in a
single statement. The statements are built once per process, with bind parameters for the
member and the moment: building them anew cost more CPU than running them. Both the count
and the list are kept between requests, per member, under the stamps every change to what
they read touches (deliberate/main/watches.py), read with the page's own stamps: a member
reading page after page with nothing changed costs no query, and any change that may alter
what waits for them is seen on their next request; until the earliest close of a vote they
list, as time alone ends a vote's wait. Nothing here writes: an item disappears because what
it asks for was done (the ballot cast, the commitment recorded, the reply answered), never
because a page was read.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import reduce
from typing import Any

from flask import url_for
from sqlalchemy import Integer, Select, bindparam, func, select

from deliberate import fragments
from deliberate.accounts.models import Member
from deliberate.database import MemberId, Moment, UTCDateTime, utcnow
from deliberate.debate import queries as debate
from deliberate.decisions import queries as decisions
from deliberate.drafts import queries as drafts
from deliberate.extensions import db
from deliberate.filters import format_date
from deliberate.stamps import NEEDS, needs_of
from deliberate.subjects import SubjectType, kind_for
from deliberate.tendencies import queries as tendencies
from deliberate.timezones import format_duration
from deliberate.voting import queries as voting

SHOWN = 5  # items of each kind listed; the count says how many there are in all
EXCERPT = 90  # characters of a reply quoted in the list
COUNT_LABEL = "needs_you"  # the navigation's count, named so in the SQL it sends


@dataclass(frozen=True)
class Item:
    """One thing to do: what it is, where to act, and a detail (the time left to vote)."""

    text: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class Section:
    """The items of one kind: the first few, how many in all, and where to see them all."""

    key: str
    heading: str
    items: list[Item]
    total: int
    more_url: str | None = None

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass(frozen=True)
class Kind:
    """A kind of item: the rows waiting for a member (a select of a domain's queries, given
    the member's id, the moment and whether the member is an admin), how a row reads, and
    where the whole list is when more wait than are shown."""

    key: str
    heading: str
    rows: Callable[[MemberId, Moment, bool], Select[Any]]
    item: Callable[[Sequence[Any], datetime], Item]
    more_url: Callable[[Sequence[Sequence[Any]]], str | None] = lambda _rows: None
    # The column of a moment after which a row no longer waits (a vote's close), if any: a
    # count kept between requests holds until the earliest of them.
    until: str | None = None


# --- how each kind reads ----------------------------------------------------------------------


def time_left(closes_at: datetime | None, now: datetime) -> str:
    """How long a vote stays open, in words: "closes in 2 days 23 hours"."""
    if closes_at is None:
        return "no close is scheduled"
    return f"closes in {format_duration(max(closes_at - now, timedelta(0)))}"


def excerpt(markdown: str, length: int = EXCERPT) -> str:
    """The first words of a comment as plain text (Markdown's marks dropped), shortened."""
    plain = " ".join(re.sub(r"[*_`>#\[\]]|\(https?://[^)]*\)", "", markdown).split())
    if len(plain) <= length:
        return plain
    return plain[: length - 1].rsplit(" ", 1)[0] + "…"


def _vote(row: Sequence[Any], now: datetime) -> Item:
    vote_id, title, closes_at = row[:3]
    return Item(title, url_for("votes.detail", vote_id=vote_id), time_left(closes_at, now))


def _record(row: Sequence[Any], _now: datetime) -> Item:
    record_id, title, sealed_at = row[:3]
    return Item(
        title,
        url_for("decisions.detail", record_id=record_id, _anchor="your-entry"),
        f"sealed {format_date(sealed_at)}" if sealed_at else "",
    )


def _evaluation(row: Sequence[Any], _now: datetime) -> Item:
    record_id, title, opened_at = row[:3]
    return Item(
        title,
        url_for("decisions.evaluation", record_id=record_id),
        f"open since {format_date(opened_at)}",
    )


def _amendment(endpoint: str, detail: str) -> Callable[[Sequence[Any], datetime], Item]:
    def item(row: Sequence[Any], _now: datetime) -> Item:
        _id, draft_id, number, title, draft_title = row[:5]
        return Item(
            f"A{number} {title}",
            url_for(endpoint, draft_id=draft_id, number=number),
            detail.format(draft=draft_title),
        )

    return item


def _join_request(row: Sequence[Any], _now: datetime) -> Item:
    _id, tendency_id, tendency, name, asked_at = row[:5]
    return Item(
        f"{name} asks to join {tendency}",
        url_for("tendencies.detail", tendency_id=tendency_id, _anchor="requests"),
        f"since {format_date(asked_at)}",
    )


def _join_requests_page(rows: Sequence[Sequence[Any]]) -> str | None:
    return url_for("tendencies.detail", tendency_id=rows[0][1]) if rows else None


def _reply(row: Sequence[Any], _now: datetime) -> Item:
    comment_id, name, markdown, subject_type, posted_at = row[:5]
    return Item(
        f"{name}: “{excerpt(markdown)}”",
        url_for("debate.permalink", comment_id=comment_id),
        f"on a {kind_for(subject_type).label}, {format_date(posted_at)}",
    )


KINDS: tuple[Kind, ...] = (
    Kind(
        "votes",
        "Votes waiting for your ballot",
        lambda member, now, _admin: voting.waiting_ballots(member, now),
        _vote,
        lambda _rows: url_for("votes.index"),
        until="closes_at",
    ),
    Kind(
        "records",
        "Decisions awaiting your commitment",
        lambda member, _now, _admin: decisions.records_awaiting(member),
        _record,
        lambda _rows: url_for("decisions.index"),
    ),
    Kind(
        "evaluations",
        "Evaluations open for debate",
        lambda member, _now, _admin: decisions.evaluations_in_debate(
            debate.has_spoken(member, SubjectType.EVALUATION.value)
        ),
        _evaluation,
        lambda _rows: url_for("decisions.index"),
    ),
    Kind(
        "updates",
        "Your amendments to update",
        lambda member, _now, _admin: drafts.amendments_to_update(member),
        _amendment("drafts.edit_amendment", "a new version of “{draft}” changed its paragraphs"),
    ),
    Kind(
        "seconding",
        "Amendments of your tendency awaiting seconders",
        lambda member, _now, _admin: drafts.seconding_requests(
            member, tendencies.own_tendency_ids(member)
        ),
        _amendment("drafts.amendment", "to “{draft}”"),
    ),
    Kind(
        "sponsorship",
        "Amendments asking your tendency to sponsor them",
        lambda member, _now, admin: drafts.sponsorship_requests(
            tendencies.coordinated_tendency_ids(member, admin=admin)
        ),
        _amendment("drafts.amendment", "to “{draft}”"),
    ),
    Kind(
        "join_requests",
        "Requests to join your tendency",
        lambda member, _now, admin: tendencies.join_requests_waiting(member, admin=admin),
        _join_request,
        _join_requests_page,
    ),
    Kind(
        "replies",
        "Replies to your comments",
        lambda member, _now, _admin: debate.replies_waiting(member),
        _reply,
    ),
)


# --- reading them -----------------------------------------------------------------------------

MEMBER = "needs_member"
NOW = "needs_now"


@dataclass(frozen=True)
class Statements:
    """Each kind's list (its first SHOWN rows, each with the count of all) and the sum of
    every kind's count with the moment it holds until (the earliest close of a vote it
    counts, or none), for a member and a moment given as bind parameters."""

    lists: tuple[Select[Any], ...]
    count: Select[Any]


_built: dict[bool, Statements] = {}


def statements(admin: bool) -> Statements:
    """The statements for a member who is an admin or not (an admin's own tendency's requests
    wait for them as for its coordinators), built on first use."""
    found = _built.get(admin)
    if found is None:
        member = bindparam(MEMBER, type_=Integer)
        now = bindparam(NOW, type_=UTCDateTime())
        rows = [kind.rows(member, now, admin) for kind in KINDS]
        counts = [
            select(func.count()).select_from(r.order_by(None).subquery()).scalar_subquery()
            for r in rows
        ]
        ends = [
            select(func.min(getattr(r.order_by(None).subquery().c, kind.until))).scalar_subquery()
            for kind, r in zip(KINDS, rows, strict=True)
            if kind.until is not None
        ]
        found = _built[admin] = Statements(
            tuple(r.add_columns(func.count().over()).limit(SHOWN) for r in rows),
            select(
                reduce(operator.add, counts).label(COUNT_LABEL),
                func.least(*ends) if len(ends) > 1 else ends[0],
            ),
        )
    return found


@dataclass(frozen=True)
class Waiting:
    """Each kind's rows for a member (its first SHOWN rows as tuples, each with the count of
    all), in the order of KINDS, and until when they hold if nothing changes (the earliest
    close of a vote listed; a kind with `until` lists its rows soonest first)."""

    rows: tuple[tuple[tuple[Any, ...], ...], ...]
    until: datetime | None

    def holds_at(self, now: datetime) -> bool:
        return self.until is None or now < self.until


def waiting(member: Member, now: datetime) -> Waiting:
    """What waits for an active member: one query a kind."""
    values = {MEMBER: member.id, NOW: now}
    found: list[tuple[tuple[Any, ...], ...]] = []
    ends: list[datetime] = []
    for kind, statement in zip(KINDS, statements(member.is_admin).lists, strict=True):
        rows = db.session.execute(statement, values).all()
        if kind.until is not None:
            ends.extend(end for row in rows if (end := row._mapping[kind.until]) is not None)
        found.append(tuple(tuple(row) for row in rows))
    until = min(ends, default=None)
    if until is not None and until.tzinfo is None:  # stored times are UTC
        until = until.replace(tzinfo=UTC)
    return Waiting(tuple(found), until)


def sections(
    member: Member, now: datetime, people: fragments.Tokens | None = None
) -> list[Section]:
    """Every kind that holds something for the member, in the order of KINDS: one query a
    kind (the first SHOWN rows, each with the count of all), none for a suspended member.
    Given the tokens of PEOPLE (read before, as a page reads its stamps), the rows are kept
    between requests as the navigation's count is (`kept_count`), and under PEOPLE too: the
    list names members."""
    if not member.is_active:
        return []
    if people is None:
        read = waiting(member, now)
    else:
        around = fragments.ambient_tokens().only(NEEDS, needs_of(member.id))
        stamps = fragments.Tokens(tuple(sorted({*people.values, *around.values})))
        read = fragments.kept(
            "needs list",
            stamps,
            (member.id, member.is_admin),
            lambda: waiting(member, now),
            fresh=lambda kept: kept.holds_at(utcnow()),
        )
    found = []
    for kind, rows in zip(KINDS, read.rows, strict=True):
        if not rows:
            continue
        total = int(rows[0][-1])
        found.append(
            Section(
                kind.key,
                kind.heading,
                [kind.item(row, now) for row in rows],
                total,
                kind.more_url(rows) if total > len(rows) else None,
            )
        )
    return found


@dataclass(frozen=True)
class Count:
    """How many things wait for a member, and until when that holds if nothing changes (the
    earliest close of a vote counted; None: until something changes)."""

    total: int
    until: datetime | None

    def holds_at(self, now: datetime) -> bool:
        return self.until is None or now < self.until


def count(member: Member, now: datetime) -> Count:
    """How many things wait for the member, every kind together, in one query."""
    if not member.is_active:
        return Count(0, None)
    statement = statements(member.is_admin).count
    total, until = db.session.execute(statement, {MEMBER: member.id, NOW: now}).one()
    if until is not None and until.tzinfo is None:  # stored times are UTC
        until = until.replace(tzinfo=UTC)
    return Count(int(total or 0), until)


def kept_count(member: Member) -> int:
    """The navigation's count for the member reading the page: kept between requests under
    the stamps of what waits for members and for this member (deliberate/main/watches.py),
    read with the page's own stamps, so an unchanged count costs no query; counted again
    after any change that may concern them, and when a vote it counts closes. Kept for this
    member alone (their id, with their role, is its key)."""
    if not member.is_active:
        return 0
    stamps = fragments.ambient_tokens().only(NEEDS, needs_of(member.id))
    found = fragments.kept(
        "needs count",
        stamps,
        (member.id, member.is_admin),
        lambda: count(member, utcnow()),
        fresh=lambda kept: kept.holds_at(utcnow()),
    )
    return found.total
