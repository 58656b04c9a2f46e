"""Read-side selects for tendencies and their members."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from deliberate.accounts.models import Member
from deliberate.extensions import db
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


def tendency_sizes() -> dict[int, int]:
    """Current number of members of each tendency (tendencies without members are absent)."""
    return dict(
        db.session.execute(
            select(TendencyMembership.tendency_id, func.count())
            .where(TendencyMembership.left_at.is_(None))
            .group_by(TendencyMembership.tendency_id)
        )
        .tuples()
        .all()
    )


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


def current_members(tendency: Tendency) -> list[TendencyMembership]:
    return list(
        db.session.scalars(
            select(TendencyMembership)
            .options(joinedload(TendencyMembership.member))
            .where(
                TendencyMembership.tendency_id == tendency.id, TendencyMembership.left_at.is_(None)
            )
            .join(TendencyMembership.member)
            .order_by(TendencyMembership.role.desc(), Member.display_name)
        )
    )


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
