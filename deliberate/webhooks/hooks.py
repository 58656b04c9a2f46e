"""Where webhooks hook in: votes opening and closing (voting's hooks, in the transaction);
records, evaluations and amendments call `outbox.emit` from their services. Payloads carry
ids, titles and links: never a ballot, never who voted (a secret vote's roll stays unsaid)."""

from __future__ import annotations

from typing import Any

from deliberate.accounts.models import Member
from deliberate.voting import hooks as voting_hooks
from deliberate.voting.hooks import Purpose
from deliberate.voting.models import Vote
from deliberate.voting.results import Result
from deliberate.webhooks.models import WebhookEvent
from deliberate.webhooks.outbox import emit, site_link


def _vote(vote: Vote) -> dict[str, Any]:
    return {
        "vote_id": vote.id,
        "title": vote.title,
        "url": site_link(f"/votes/{vote.id}"),
        "closes_at": vote.closes_at.isoformat() if vote.closes_at else None,
    }


def _vote_opened(_actor: Member | None, vote: Vote) -> None:
    if vote.in_person:
        return  # a meeting's vote opens and closes at once: its closing is told
    emit(WebhookEvent.VOTE_OPENED, str(vote.id), _vote(vote))


def _vote_closed(vote: Vote, _purpose: Purpose, result: Result) -> None:
    outcome: dict[str, Any] = result["outcome"]
    emit(
        WebhookEvent.VOTE_CLOSED,
        str(vote.id),
        {
            **_vote(vote),
            "summary": str(outcome.get("summary", "")),
            "result_url": site_link(f"/api/v1/votes/{vote.id}/results"),
        },
    )


voting_hooks.on_every_open(_vote_opened)
voting_hooks.on_every_close(_vote_closed)
