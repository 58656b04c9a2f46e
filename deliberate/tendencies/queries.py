"""Read-side selects for tendencies and their members."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import joinedload

from deliberate import fragments
from deliberate.accounts.models import Member
from deliberate.database import MemberId
from deliberate.extensions import db
from deliberate.fragments import PEOPLE
from deliberate.recent import Recent
from deliberate.search import name_holds
from deliberate.tendencies.models import (
    JoinRequest,
    JoinRequestState,
    MembershipRole,
    Tendency,
    TendencyMembership,
)


@dataclass
class TendencySummary:
    tendency: Tendency
    size: int
    coordinators: list[CoordinatorName]


def current_membership(member: Member) -> TendencyMembership | None:
    """The member's current tendency membership, with its tendency loaded."""
    return db.session.scalar(
        select(TendencyMembership)
        .options(joinedload(TendencyMembership.tendency))
        .where(TendencyMembership.member_id == member.id, TendencyMembership.left_at.is_(None))
    )


class TendencyName(NamedTuple):
    id: int
    name: str


@dataclass(frozen=True)
class MembershipView:
    """A member's current membership as pages show it, apart from any session: kept between
    requests under the people's stamp, which every change of a membership or a tendency's
    name touches (tendencies/watches.py)."""

    tendency_id: int
    is_coordinator: bool
    tendency: TendencyName


def kept_membership(member: Member, stamps: fragments.Tokens) -> MembershipView | None:
    """The member's current membership, read once per change of the people's stamp (the
    page read `stamps` before)."""

    def load() -> MembershipView | None:
        found = current_membership(member)
        if found is None:
            return None
        tendency = TendencyName(found.tendency.id, found.tendency.name)
        return MembershipView(found.tendency_id, found.is_coordinator, tendency)

    return fragments.kept("membership", stamps.only(PEOPLE), member.id, load)


def membership_in(member: Member, tendency: Tendency) -> TendencyMembership | None:
    return db.session.scalar(
        select(TendencyMembership).where(
            TendencyMembership.member_id == member.id,
            TendencyMembership.tendency_id == tendency.id,
            TendencyMembership.left_at.is_(None),
        )
    )


# Sizes and coordinators of the tendencies, read at most once per interval in each process
# (see deliberate.recent); a change of membership, or of a member (a coordinator renamed),
# forgets them once committed.
_kept = Recent("tendency sizes and coordinators", TendencyMembership, Member)


def tendency_sizes() -> dict[int, int]:
    """Current number of members of each tendency (tendencies without members are absent),
    counted at most once per TENDENCY_SIZES_SECONDS."""

    def count() -> dict[int, int]:
        return dict(
            db.session.execute(
                select(TendencyMembership.tendency_id, func.count())
                .where(TendencyMembership.left_at.is_(None))
                .group_by(TendencyMembership.tendency_id)
            )
            .tuples()
            .all()
        )

    return dict(_kept.get("sizes", count))


class CoordinatorName(NamedTuple):
    id: int
    display_name: str


def tendency_coordinators() -> dict[int, list[CoordinatorName]]:
    """Each tendency's current coordinators, longest-serving first, read at most once per
    TENDENCY_SIZES_SECONDS (finding them scans the memberships: nothing indexes the role)."""

    def read() -> dict[int, list[CoordinatorName]]:
        found: dict[int, list[CoordinatorName]] = {}
        for tendency_id, member_id, name in db.session.execute(
            select(TendencyMembership.tendency_id, Member.id, Member.display_name)
            .join(Member, Member.id == TendencyMembership.member_id)
            .where(TendencyMembership.left_at.is_(None), TendencyMembership.role == "coordinator")
            .order_by(TendencyMembership.joined_at, TendencyMembership.id)
        ):
            found.setdefault(tendency_id, []).append(CoordinatorName(member_id, name))
        return found

    return {k: list(v) for k, v in _kept.get("coordinators", read).items()}


def tendency_size(tendency: Tendency) -> int:
    """Current number of members of `tendency`."""
    return tendency_sizes().get(tendency.id, 0)


def tendency_summaries() -> list[TendencySummary]:
    """Every tendency with its current size and coordinators, in three queries."""
    tendencies = list(db.session.scalars(select(Tendency).order_by(Tendency.name)))
    sizes = tendency_sizes()
    coordinators = tendency_coordinators()
    return [TendencySummary(t, sizes.get(t.id, 0), coordinators.get(t.id, [])) for t in tendencies]


MEMBERS_PAGE_SIZE = 100


def current_members(
    tendency: Tendency, *, search: str = "", page: int = 1, page_size: int = MEMBERS_PAGE_SIZE
) -> tuple[list[TendencyMembership], bool]:
    """One page of the tendency's current members whose display name holds `search`:
    coordinators first, then by seniority in the tendency; second item: whether more follow.

    The page is chosen from the memberships alone (by name only when searching), then its
    members are loaded: ordering 30,000 members by name on every page cost 70 ms of database
    time. Without a search, the coordinators (a few) come first and the page of the others
    is read in the order of an index (tendency, role, seniority) instead of sorting them all.
    """
    current = (TendencyMembership.tendency_id == tendency.id, TendencyMembership.left_at.is_(None))
    seniority = (TendencyMembership.joined_at, TendencyMembership.id)
    start, wanted = (page - 1) * page_size, page_size + 1
    if search.strip():
        ids = list(
            db.session.scalars(
                select(TendencyMembership.id)
                .join(Member, Member.id == TendencyMembership.member_id)
                .where(*current, name_holds(search))
                .order_by(
                    (TendencyMembership.role == MembershipRole.COORDINATOR).desc(), *seniority
                )
                .limit(wanted)
                .offset(start)
            )
        )
    else:
        by_role = select(TendencyMembership.id).where(*current).order_by(*seniority)
        coordinators = list(
            db.session.scalars(by_role.where(TendencyMembership.role == MembershipRole.COORDINATOR))
        )
        ids = coordinators[start : start + wanted]
        ids += db.session.scalars(
            by_role.where(TendencyMembership.role == MembershipRole.MEMBER)
            .limit(wanted - len(ids))
            .offset(max(0, start - len(coordinators)))
        )
    shown = ids[:page_size]
    if not shown:
        return [], False
    rows = {
        m.id: m
        for m in db.session.scalars(
            select(TendencyMembership)
            .options(joinedload(TendencyMembership.member))
            .where(TendencyMembership.id.in_(shown))
        )
    }
    return [rows[i] for i in shown], len(ids) > page_size


def membership_history(member: Member) -> list[TendencyMembership]:
    return list(
        db.session.scalars(
            select(TendencyMembership)
            .options(joinedload(TendencyMembership.tendency))
            .where(TendencyMembership.member_id == member.id)
            .order_by(TendencyMembership.joined_at.desc())
        )
    )


# Join requests a coordinator sees at once, oldest first; the others wait their turn.
REQUESTS_SHOWN = 50


def _pending(tendency: Tendency) -> ColumnElement[bool]:
    return and_(
        JoinRequest.tendency_id == tendency.id, JoinRequest.state == JoinRequestState.PENDING
    )


def pending_requests(tendency: Tendency, *, limit: int = REQUESTS_SHOWN) -> list[JoinRequest]:
    """The oldest `limit` requests to join `tendency` that wait for a decision."""
    return list(
        db.session.scalars(
            select(JoinRequest)
            .options(joinedload(JoinRequest.member))
            .where(_pending(tendency))
            .order_by(JoinRequest.created_at, JoinRequest.id)
            .limit(limit)
        )
    )


def pending_request_count(tendency: Tendency) -> int:
    return db.session.scalar(select(func.count()).where(_pending(tendency))) or 0


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


# --- what waits for a member ("needs you", deliberate/main/needs.py) ---------------------------


def own_tendency_ids(member_id: MemberId) -> Select[tuple[int]]:
    """The member's current tendency (none, or one row), as a subquery for other domains."""
    return select(TendencyMembership.tendency_id).where(
        TendencyMembership.member_id == member_id, TendencyMembership.left_at.is_(None)
    )


def coordinated_tendency_ids(member_id: MemberId, *, admin: bool) -> Select[tuple[int]]:
    """The tendency the member coordinates (an admin: the one they belong to), as a subquery:
    whose join requests and sponsorship requests wait for them."""
    rows = own_tendency_ids(member_id)
    if admin:
        return rows
    return rows.where(TendencyMembership.role == MembershipRole.COORDINATOR)


def join_requests_waiting(member_id: MemberId, *, admin: bool) -> Select[Any]:
    """Requests to join a tendency the member coordinates that wait for a decision: (request
    id, tendency id, tendency name, requester's name, asked at), oldest first."""
    return (
        select(
            JoinRequest.id,
            Tendency.id,
            Tendency.name,
            Member.display_name,
            JoinRequest.created_at,
        )
        .join(Tendency, Tendency.id == JoinRequest.tendency_id)
        .join(Member, Member.id == JoinRequest.member_id)
        .where(
            JoinRequest.state == JoinRequestState.PENDING,
            JoinRequest.tendency_id.in_(coordinated_tendency_ids(member_id, admin=admin)),
        )
        .order_by(JoinRequest.created_at, JoinRequest.id)
    )
