"""Who an event concerns: a select of active members' ids, one query whatever their number.

A member is told only of what they may see: a vote's events go to its roll alone (the roll
is whom the vote concerns; every active member may read a vote, deliberate/voting/
permissions.py), an evaluation coming due to the conveners who hold it (can_evaluate), a
nomination to the nominee, her answer to the member who nominated her (both on the
election's roll)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from deliberate.accounts.models import Member, MemberRole, MemberStatus
from deliberate.voting.models import RollEntry


def recipients(kind: str, payload: dict[str, Any]) -> Select[tuple[int]] | None:
    """The ids of the active members `kind` concerns; None for mail to an address alone."""
    active = select(Member.id).where(Member.status == MemberStatus.ACTIVE)
    if kind in ("vote_opened", "vote_closing", "vote_closed"):
        on_roll = select(RollEntry.member_id).where(RollEntry.vote_id == int(payload["vote_id"]))
        return active.where(Member.id.in_(on_roll))
    if kind == "evaluation_due":
        return active.where(Member.role.in_((MemberRole.CONVENER, MemberRole.ADMIN)))
    if kind in ("password_reset", "digest", "nominated", "nomination_answered"):
        return active.where(Member.id == int(payload["member_id"]))
    return None
