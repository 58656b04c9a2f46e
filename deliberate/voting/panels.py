"""The votes panel other pages include: the votes on a subject (`votes/_subject_votes.html`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from deliberate import fragments
from deliberate.subjects import Subject
from deliberate.voting import queries
from deliberate.voting.vocabulary import VoteState
from deliberate.voting.watches import VOTES_STAMP


@dataclass(frozen=True)
class SubjectVote:
    """A vote on a subject as its page lists it, apart from any session (kept between
    requests)."""

    id: int
    title: str
    state: str
    outcome: str | None
    closes_at: datetime | None
    in_person: bool

    @property
    def is_closed(self) -> bool:
        return self.state == VoteState.CLOSED


def votes_context(subject: Subject, *, stamps: fragments.Tokens | None = None) -> dict[str, Any]:
    """The votes on the subject (an amendment, a draft), newest first. `stamps`, when the
    page read them first, must include VOTES_STAMP: the list is then kept between requests."""

    def load() -> tuple[SubjectVote, ...]:
        return tuple(
            SubjectVote(v.id, v.title, v.state, v.outcome, v.closes_at, v.in_person)
            for v in queries.votes_on(subject.type.value, subject.id)
        )

    if stamps is None:
        return {"subject_votes": load()}
    variant = (subject.type.value, subject.id)
    return {
        "subject_votes": fragments.kept("subject votes", stamps.only(VOTES_STAMP), variant, load)
    }
