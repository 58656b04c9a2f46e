"""The votes panel other pages include: the votes on a subject (`votes/_subject_votes.html`)."""

from __future__ import annotations

from typing import Any

from deliberate.subjects import Subject
from deliberate.voting import queries


def votes_context(subject: Subject) -> dict[str, Any]:
    """The votes on the subject (an amendment, a draft), newest first."""
    return {"subject_votes": queries.votes_on(subject.type.value, subject.id)}
