"""Read-side selects for bodies: sizes, current members, history, choices for a vote."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Select, func, literal, select, union_all
from sqlalchemy.orm import aliased, joinedload

from deliberate.accounts.models import Member, MemberStatus
from deliberate.bodies.models import Body, BodyMembership
from deliberate.extensions import db

PAGE_SIZE = 100
HISTORY_PAGE_SIZE = 50


@dataclass(frozen=True)
class BodySummary:
    body: Body
    size: int
    suspended: int


class BodyChoice(NamedTuple):
    """A body as the vote form offers it, `(id, name, size)`: `size` is the roll a vote to it
    would take now."""

    id: int
    name: str
    size: int


@dataclass(frozen=True)
class BodyEvent:
    """A line of a body's history: `kind` is "added" or "removed"."""

    kind: str
    at: datetime
    member: Member
    by: Member | None


def _counts(*, active: bool) -> Select[tuple[int, int]]:
    wanted = MemberStatus.ACTIVE if active else MemberStatus.SUSPENDED
    return (
        select(BodyMembership.body_id, func.count())
        .join(Member, Member.id == BodyMembership.member_id)
        .where(BodyMembership.removed_at.is_(None), Member.status == wanted)
        .group_by(BodyMembership.body_id)
    )


def body_sizes() -> dict[int, int]:
    """Current active members of each body: the roll a vote to it would take now."""
    return dict(db.session.execute(_counts(active=True)).tuples().all())


def body_summaries() -> list[BodySummary]:
    """Every body by name with its size and its suspended members, in three queries."""
    bodies = db.session.scalars(select(Body).order_by(Body.name)).all()
    sizes = body_sizes()
    suspended = dict(db.session.execute(_counts(active=False)).tuples().all())
    return [BodySummary(b, sizes.get(b.id, 0), suspended.get(b.id, 0)) for b in bodies]


def body_summary(body: Body) -> BodySummary:
    """One body with its size and its suspended members (one query)."""
    rows = dict(
        db.session.execute(
            select(Member.status, func.count())
            .join(BodyMembership, BodyMembership.member_id == Member.id)
            .where(BodyMembership.body_id == body.id, BodyMembership.removed_at.is_(None))
            .group_by(Member.status)
        )
        .tuples()
        .all()
    )
    return BodySummary(body, rows.get(MemberStatus.ACTIVE, 0), rows.get(MemberStatus.SUSPENDED, 0))


def body_choices() -> list[BodyChoice]:
    """The bodies a vote may go to, by name, each with the size of the roll it would take."""
    sizes = body_sizes()
    rows = db.session.execute(select(Body.id, Body.name).order_by(Body.name)).tuples()
    return [BodyChoice(body_id, name, sizes.get(body_id, 0)) for body_id, name in rows]


def current_members(body: Body, *, page: int = 1) -> tuple[list[BodyMembership], bool]:
    """One page of the body's current seats (suspended members included, their status shown),
    by name, with the member loaded; second item: whether more follow."""
    rows = db.session.scalars(
        select(BodyMembership)
        .join(BodyMembership.member)
        .options(joinedload(BodyMembership.member))
        .where(BodyMembership.body_id == body.id, BodyMembership.removed_at.is_(None))
        .order_by(Member.display_name, Member.id)
        .limit(PAGE_SIZE + 1)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return list(rows[:PAGE_SIZE]), len(rows) > PAGE_SIZE


def current_membership(body: Body, member: Member) -> BodyMembership | None:
    return db.session.scalar(
        select(BodyMembership).where(
            BodyMembership.body_id == body.id,
            BodyMembership.member_id == member.id,
            BodyMembership.removed_at.is_(None),
        )
    )


def current_member_ids(body: Body) -> set[int]:
    return set(
        db.session.scalars(
            select(BodyMembership.member_id).where(
                BodyMembership.body_id == body.id, BodyMembership.removed_at.is_(None)
            )
        )
    )


def history(body: Body, *, page: int = 1) -> tuple[list[BodyEvent], bool]:
    """One page of the body's additions and removals, newest first, with who did each; second
    item: whether more follow. One query whatever the body's size."""
    added = select(
        BodyMembership.id.label("seat"),
        literal("added").label("kind"),
        BodyMembership.added_at.label("at"),
        BodyMembership.member_id.label("member_id"),
        BodyMembership.added_by_id.label("by_id"),
    ).where(BodyMembership.body_id == body.id)
    removed = select(
        BodyMembership.id,
        literal("removed"),
        BodyMembership.removed_at,
        BodyMembership.member_id,
        BodyMembership.removed_by_id,
    ).where(BodyMembership.body_id == body.id, BodyMembership.removed_at.is_not(None))
    events = union_all(added, removed).subquery()
    subject, by = aliased(Member), aliased(Member)
    rows = db.session.execute(
        select(events.c.kind, events.c.at, subject, by)
        .join(subject, subject.id == events.c.member_id)
        .outerjoin(by, by.id == events.c.by_id)
        # Newest first; a seat removed at the moment it was added shows its removal first.
        .order_by(events.c.at.desc(), events.c.seat.desc(), events.c.kind.desc())
        .limit(HISTORY_PAGE_SIZE + 1)
        .offset((max(page, 1) - 1) * HISTORY_PAGE_SIZE)
    ).all()
    found = [BodyEvent(kind, at, member, actor) for kind, at, member, actor in rows]
    return found[:HISTORY_PAGE_SIZE], len(found) > HISTORY_PAGE_SIZE


def members_by_email(emails: list[str]) -> dict[str, Member]:
    """The members whose (stored, lower-case) email is in `emails`, by email."""
    found: dict[str, Member] = {}
    # Chunks keep each IN list well below every backend's limit on bound parameters.
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        found.update(
            (m.email, m) for m in db.session.scalars(select(Member).where(Member.email.in_(chunk)))
        )
    return found
