"""Who may do what with votes (the services check again, with reasons)."""

from __future__ import annotations

from deliberate.accounts.models import Member
from deliberate.voting.models import Vote


def can_run_votes(actor: Member) -> bool:
    """The organization's conveners (and admins) open, close and record votes."""
    return actor.is_active and actor.is_convener


def can_view_vote(actor: Member, _vote: Vote) -> bool:
    """Every active member sees every vote, its ballot, its participation and its result."""
    return actor.is_active
