"""Read-side selects for members and invitations."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from deliberate.accounts.models import Invitation, Member, MemberStatus, OrganizationSettings
from deliberate.database import utcnow
from deliberate.extensions import db
from deliberate.recent import Recent
from deliberate.search import MAX_SEARCH, contains_pattern
from deliberate.tendencies.models import MembershipRole, Tendency, TendencyMembership

PAGE_SIZE = 100


def member_directory(
    search: str = "",
    *,
    page: int = 1,
    include_suspended: bool = False,
    search_emails: bool = False,
) -> tuple[list[tuple[Member, Tendency | None, bool]], bool]:
    """One page of members with their current tendency and whether they coordinate it;
    second item: whether more follow.

    `search` matches display names, and emails only when `search_emails` (for those who may
    see emails: a match on what the searcher cannot see would reveal it letter by letter)."""
    # The page of members is chosen from the members alone, and only its rows are joined to
    # their tendencies: ordering a join of every member with every membership costs three
    # times as much at 30,000 members.
    chosen = select(Member.id).order_by(Member.display_name, Member.id)
    if not include_suspended:
        chosen = chosen.where(Member.status == "active")
    search = search.strip()[:MAX_SEARCH]
    if search:
        pattern = contains_pattern(search)
        matches = [Member.display_name.ilike(pattern, escape="\\")]
        if search_emails:
            matches.append(Member.email.ilike(pattern, escape="\\"))
        chosen = chosen.where(or_(*matches))
    ids = list(db.session.scalars(chosen.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)))
    if not ids:
        return [], False
    rows = db.session.execute(
        select(Member, Tendency, TendencyMembership.role)
        .outerjoin(
            TendencyMembership,
            (TendencyMembership.member_id == Member.id) & TendencyMembership.left_at.is_(None),
        )
        .outerjoin(Tendency, Tendency.id == TendencyMembership.tendency_id)
        .where(Member.id.in_(ids[:PAGE_SIZE]))
        .order_by(Member.display_name, Member.id)
    ).all()
    coordinator = MembershipRole.COORDINATOR
    return [(m, t, role == coordinator) for m, t, role in rows], len(ids) > PAGE_SIZE


def open_invitations() -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .options(joinedload(Invitation.tendency), joinedload(Invitation.invited_by))
            .where(
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at.desc())
        )
    )


def members_by_email(emails: list[str]) -> dict[str, Member]:
    """The members whose (normalized) email is in `emails`, by email."""
    return {m.email: m for m in db.session.scalars(select(Member).where(Member.email.in_(emails)))}


# The number of members, read at most once per interval in each process like the tendencies'
# sizes (see deliberate.recent); a member added, suspended or reactivated here is counted once
# committed.
_counted = Recent("member count", Member)


def member_count() -> int:
    """How many members the organization has: its active members, as the directory lists
    them (a suspended member is not in it)."""
    return _counted.get(
        "members",
        lambda: (
            db.session.scalar(
                select(func.count(Member.id)).where(Member.status == MemberStatus.ACTIVE)
            )
            or 0
        ),
    )


def organization_time_zone() -> str:
    """The zone an admin chose for the organization, "" when none was chosen yet."""
    return (
        db.session.scalar(
            select(OrganizationSettings.time_zone).where(OrganizationSettings.id == 1)
        )
        or ""
    )
