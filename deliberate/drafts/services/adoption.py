"""The adoption of a draft: put to a vote from debate, adopted or rejected when it closes."""

from __future__ import annotations

from sqlalchemy import func, select

from deliberate.accounts.models import Member
from deliberate.audit.services import record_action
from deliberate.drafts.models import Amendment, AmendmentState, Draft, DraftState
from deliberate.drafts.services.common import _lock_draft, _require_convener
from deliberate.drafts.services.drafts import _move_draft
from deliberate.errors import InvalidTransition
from deliberate.extensions import db


def start_adoption_vote(actor: Member, draft: Draft) -> None:
    """The draft goes to its adoption vote: it must be in debate (the amendment window
    closed) with no amendment still being voted on. Raises InvalidTransition otherwise."""
    _require_convener(actor, draft, "put a draft to its adoption vote")
    draft = _lock_draft(draft)
    if draft.state != DraftState.DEBATE:
        raise InvalidTransition(
            "A draft goes to its adoption vote from debate, once its amendment window is closed."
        )
    voting = db.session.scalar(
        select(func.count())
        .select_from(Amendment)
        .where(Amendment.draft_id == draft.id, Amendment.state == AmendmentState.VOTING)
    )
    if voting:
        raise InvalidTransition(
            "Amendments to this draft are still being voted on; close those votes first."
        )
    _move_draft(draft, DraftState.VOTING)
    db.session.flush()
    record_action(actor, "draft.adoption_vote", draft, f"Put “{draft.title}” to its adoption vote")


def record_adoption_outcome(draft: Draft, *, adopted: bool | None) -> None:
    """The system records the adoption vote's outcome: adopted, rejected, or (None, the vote
    decided nothing) back to debate."""
    draft = _lock_draft(draft)
    if draft.state != DraftState.VOTING:
        raise InvalidTransition("This draft is not at its adoption vote.")
    target = (
        DraftState.DEBATE
        if adopted is None
        else (DraftState.ADOPTED if adopted else DraftState.REJECTED)
    )
    _move_draft(draft, target)
    db.session.flush()
    summary = {
        DraftState.DEBATE: "returned to debate: its adoption vote decided nothing",
        DraftState.ADOPTED: "adopted by vote",
        DraftState.REJECTED: "rejected by vote",
    }[target]
    record_action(None, "draft.adoption", draft, f"“{draft.title}” {summary}")
