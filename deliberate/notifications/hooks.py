"""Where notifications hook in: votes opening and closing, nominations, invitations and
password resets, each writing one outbox row in the transaction of the change
(deliberate/wiring.py)."""

from __future__ import annotations

from typing import Any

from deliberate.accounts import hooks as account_hooks
from deliberate.accounts.models import Invitation, Member, PasswordReset
from deliberate.extensions import db
from deliberate.notifications import outbox
from deliberate.voting import hooks as voting_hooks
from deliberate.voting.hooks import Purpose
from deliberate.voting.models import Nomination, Vote
from deliberate.voting.results import Result
from deliberate.voting.vocabulary import NominationState


def _vote_opened(_actor: Member | None, vote: Vote) -> None:
    if vote.in_person:
        return  # a meeting's vote opens and closes at once, counted by hand
    outbox.add(
        "vote_opened",
        {
            "vote_id": vote.id,
            "title": vote.title,
            "closes_at": vote.closes_at.isoformat() if vote.closes_at else None,
        },
    )


def _vote_closed(vote: Vote, _purpose: Purpose, result: Result) -> None:
    if vote.in_person:
        return
    outcome: dict[str, Any] = result["outcome"]
    outbox.add(
        "vote_closed",
        {"vote_id": vote.id, "title": vote.title, "summary": str(outcome.get("summary", ""))},
    )


def _nomination(nomination: Nomination, actor: Member) -> None:
    """The nominee is told she was nominated; the one who nominated her, of her answer."""
    vote = db.session.get_one(Vote, nomination.vote_id)
    pending = nomination.state == NominationState.PENDING
    outbox.add(
        "nominated" if pending else "nomination_answered",
        {
            "vote_id": vote.id,
            "title": vote.title,
            "member_id": nomination.nominee_id if pending else nomination.nominated_by_id,
            "by": actor.display_name,
            "accepted": nomination.state == NominationState.ACCEPTED,
        },
    )


def _invited(invitation: Invitation, token: str) -> None:
    outbox.add(
        "invitation",
        {
            "invitation_id": invitation.id,
            "email": invitation.email,
            "name": invitation.display_name,
        },
        secret=token,
    )


def _reset_issued(reset: PasswordReset, token: str) -> None:
    outbox.add("password_reset", {"reset_id": reset.id, "member_id": reset.member_id}, secret=token)


voting_hooks.on_every_open(_vote_opened)
voting_hooks.on_every_close(_vote_closed)
voting_hooks.on_nomination(_nomination)
account_hooks.on_invitation(_invited)
account_hooks.on_password_reset(_reset_issued)
