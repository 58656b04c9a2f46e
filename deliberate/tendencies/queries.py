"""Read-side selects for tendencies and their members."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, joinedload

from deliberate.accounts.models import Member
from deliberate.extensions import db
from deliberate.search import name_holds
from deliberate.tendencies.models import (
    JoinRequest,
    JoinRequestState,
    Tendency,
    TendencyMembership,
)


@dataclass
class TendencySummary:
    tendency: Tendency
    size: int
    coordinators: list[Member]


def current_membership(member: Member) -> TendencyMembership | None:
    """The member's current tendency membership, with its tendency loaded."""
    return db.session.scalar(
        select(TendencyMembership)
        .options(joinedload(TendencyMembership.tendency))
        .where(TendencyMembership.member_id == member.id, TendencyMembership.left_at.is_(None))
    )


def membership_in(member: Member, tendency: Tendency) -> TendencyMembership | None:
    return db.session.scalar(
        select(TendencyMembership).where(
            TendencyMembership.member_id == member.id,
            TendencyMembership.tendency_id == tendency.id,
            TendencyMembership.left_at.is_(None),
        )
    )


# Sizes of the tendencies, counted at most once per TENDENCY_SIZES_SECONDS in each process
# (per database): counting every current membership on each page costs a scan of the whole
# membership (90,000 rows in a national organization) for a figure that moves slowly. A
# change of membership flushed by this process forgets them at once; other workers see it
# within the interval.
_sizes: dict[str, tuple[float, dict[int, int]]] = {}


@event.listens_for(Session, "after_flush")
def _forget_sizes(session: Session, _context: object) -> None:
    if any(
        isinstance(row, TendencyMembership)
        for row in (*session.new, *session.dirty, *session.deleted)
    ):
        _sizes.clear()


def tendency_sizes() -> dict[int, int]:
    """Current number of members of each tendency (tendencies without members are absent),
    counted at most once per TENDENCY_SIZES_SECONDS."""
    interval = current_app.config.get("TENDENCY_SIZES_SECONDS", 0)
    key = current_app.config["SQLALCHEMY_DATABASE_URI"]
    cached = _sizes.get(key)
    now = time.monotonic()
    if interval and cached is not None and now - cached[0] < interval:
        return dict(cached[1])
    sizes = dict(
        db.session.execute(
            select(TendencyMembership.tendency_id, func.count())
            .where(TendencyMembership.left_at.is_(None))
            .group_by(TendencyMembership.tendency_id)
        )
        .tuples()
        .all()
    )
    if interval:
        _sizes[key] = (now, sizes)
    return dict(sizes)


def tendency_size(tendency: Tendency) -> int:
    """Current number of members of `tendency`."""
    return tendency_sizes().get(tendency.id, 0)


def tendency_summaries() -> list[TendencySummary]:
    """Every tendency with its current size and coordinators, in three queries."""
    tendencies = list(db.session.scalars(select(Tendency).order_by(Tendency.name)))
    sizes = tendency_sizes()
    coordinators: dict[int, list[Member]] = {}
    for membership in db.session.scalars(
        select(TendencyMembership)
        .options(joinedload(TendencyMembership.member))
        .where(TendencyMembership.left_at.is_(None), TendencyMembership.role == "coordinator")
        .order_by(TendencyMembership.joined_at)
    ):
        coordinators.setdefault(membership.tendency_id, []).append(membership.member)
    return [TendencySummary(t, sizes.get(t.id, 0), coordinators.get(t.id, [])) for t in tendencies]


MEMBERS_PAGE_SIZE = 100


def current_members(
    tendency: Tendency, *, search: str = "", page: int = 1, page_size: int = MEMBERS_PAGE_SIZE
) -> tuple[list[TendencyMembership], bool]:
    """One page of the tendency's current members, coordinators first, then by name, whose
    display name holds `search`; second item: whether more follow."""
    query = (
        select(TendencyMembership)
        .options(joinedload(TendencyMembership.member))
        .where(TendencyMembership.tendency_id == tendency.id, TendencyMembership.left_at.is_(None))
        .join(TendencyMembership.member)
        .where(name_holds(search))
        .order_by(TendencyMembership.role.desc(), Member.display_name, Member.id)
    )
    rows = list(db.session.scalars(query.limit(page_size + 1).offset((page - 1) * page_size)))
    return rows[:page_size], len(rows) > page_size


def membership_history(member: Member) -> list[TendencyMembership]:
    return list(
        db.session.scalars(
            select(TendencyMembership)
            .options(joinedload(TendencyMembership.tendency))
            .where(TendencyMembership.member_id == member.id)
            .order_by(TendencyMembership.joined_at.desc())
        )
    )


def pending_requests(tendency: Tendency) -> list[JoinRequest]:
    return list(
        db.session.scalars(
            select(JoinRequest)
            .options(joinedload(JoinRequest.member))
            .where(
                JoinRequest.tendency_id == tendency.id,
                JoinRequest.state == JoinRequestState.PENDING,
            )
            .order_by(JoinRequest.created_at)
        )
    )


def pending_request_of(member: Member, tendency: Tendency) -> JoinRequest | None:
    return db.session.scalar(
        select(JoinRequest).where(
            JoinRequest.member_id == member.id,
            JoinRequest.tendency_id == tendency.id,
            JoinRequest.state == JoinRequestState.PENDING,
        )
    )


def tendencies_of(member_ids: list[int]) -> dict[int, Tendency]:
    """Current tendency of each of the given members (one query), for badges."""
    if not member_ids:
        return {}
    rows = db.session.execute(
        select(TendencyMembership.member_id, Tendency)
        .join(Tendency, Tendency.id == TendencyMembership.tendency_id)
        .where(TendencyMembership.member_id.in_(member_ids), TendencyMembership.left_at.is_(None))
    )
    return dict(rows.tuples().all())


def tendency_names() -> list[tuple[int, str]]:
    """(id, name) of every tendency, by name, for a choice of tendency."""
    rows = db.session.execute(select(Tendency.id, Tendency.name).order_by(Tendency.name)).all()
    return [(tendency_id, name) for tendency_id, name in rows]
