"""Read-side selects for members and invitations."""

from __future__ import annotations

import time

from flask import current_app
from sqlalchemy import event, func, or_, select
from sqlalchemy.orm import Session, joinedload

from deliberate.accounts.models import Invitation, Member
from deliberate.database import utcnow
from deliberate.extensions import db
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


def active_members() -> list[Member]:
    """Every active member, by display name."""
    return list(
        db.session.scalars(
            select(Member).where(Member.status == "active").order_by(Member.display_name)
        )
    )


# The number of members, counted at most once per TENDENCY_SIZES_SECONDS in each process
# (per database), like the tendencies' sizes: a count of 90,000 rows on every home page buys
# nothing. A member added or deleted by this process is counted at once.
_counts: dict[str, tuple[float, int]] = {}


@event.listens_for(Session, "after_flush")
def _forget_count(session: Session, _context: object) -> None:
    if any(isinstance(row, Member) for row in (*session.new, *session.deleted)):
        _counts.clear()


def member_count() -> int:
    """How many members the organization has (suspended ones included)."""
    interval = current_app.config.get("TENDENCY_SIZES_SECONDS", 0)
    key = current_app.config["SQLALCHEMY_DATABASE_URI"]
    cached = _counts.get(key)
    now = time.monotonic()
    if interval and cached is not None and now - cached[0] < interval:
        return cached[1]
    count = db.session.scalar(select(func.count(Member.id))) or 0
    if interval:
        _counts[key] = (now, count)
    return count
