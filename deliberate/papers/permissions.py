"""Who may write, read and sign position papers."""

from __future__ import annotations

from deliberate.accounts.models import Member
from deliberate.papers.models import PaperState, PositionPaper
from deliberate.tendencies.models import Tendency
from deliberate.tendencies.permissions import is_coordinator
from deliberate.tendencies.queries import current_membership


def can_write_papers(actor: Member, tendency: Tendency) -> bool:
    """Only the tendency's current coordinators draft, revise, publish and withdraw its papers
    (an admin does not speak for a tendency)."""
    return actor.is_active and is_coordinator(actor, tendency)


def is_in_tendency(actor: Member, tendency_id: int) -> bool:
    membership = current_membership(actor)
    return membership is not None and membership.tendency_id == tendency_id


def can_view_paper(actor: Member, paper: PositionPaper) -> bool:
    """A paper that has been published is public to all members (also once superseded or
    withdrawn); a paper never published is seen by its tendency's members only."""
    if not actor.is_active:
        return False
    return paper.has_been_public or is_in_tendency(actor, paper.tendency_id)


def can_sign(actor: Member, paper: PositionPaper) -> bool:
    """Current members of the paper's tendency sign it while it is published."""
    return (
        actor.is_active
        and paper.state == PaperState.PUBLISHED
        and is_in_tendency(actor, paper.tendency_id)
    )
