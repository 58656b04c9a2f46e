"""Votes as debate subjects and as subjects of position papers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from deliberate.extensions import db
from deliberate.subjects import SubjectKind, SubjectType, register_subject
from deliberate.voting.models import Vote
from deliberate.voting.vocabulary import VoteState


def load_vote(vote_id: int) -> Vote | None:
    return db.session.get(Vote, vote_id)


def _closed_reason(vote: Vote) -> str | None:
    if vote.state == VoteState.CANCELLED:
        return "This vote was cancelled; its debate is closed."
    return None


def _endpoint(vote: Vote) -> tuple[str, dict[str, Any]]:
    return "votes.detail", {"vote_id": vote.id}


def _titles(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(select(Vote.id, Vote.title).where(Vote.id.in_(ids)))
    return dict(rows.tuples().all())


register_subject(
    SubjectKind(
        type=SubjectType.VOTE,
        label="vote",
        load=load_vote,
        title=lambda vote: vote.title,
        endpoint=_endpoint,
        closed_reason=_closed_reason,
        accepts_papers=True,
        load_titles=_titles,
    )
)
