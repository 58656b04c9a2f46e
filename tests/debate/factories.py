"""Debate test helpers: stand-in subjects registered like any domain's, and comments."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from deliberate.accounts.models import Member
from deliberate.debate import services
from deliberate.debate.models import Comment
from deliberate.drafts.models import Draft
from deliberate.subjects import (
    ParagraphScope,
    Subject,
    SubjectKind,
    SubjectType,
    is_registered,
    kind_for,
    register_subject,
    unregister_subject,
)

_ids = itertools.count(1)


@dataclass
class StandIn:
    """A subject that lives in memory: enough to exercise the registry and the services."""

    id: int
    title: str
    closed: str | None = None
    paragraphs: ParagraphScope | None = None
    hidden_from: set[int] = field(default_factory=set)


_objects: dict[int, StandIn] = {}


def _kind() -> SubjectKind:
    return SubjectKind(
        type=SubjectType.VOTE,
        label="vote",
        load=_objects.get,
        title=lambda obj: obj.title,
        endpoint=lambda obj: ("main.index", {}),
        closed_reason=lambda obj: obj.closed,
        can_view=lambda actor, obj: actor.is_active and actor.id not in obj.hidden_from,
        paragraphs=lambda obj: obj.paragraphs,
        accepts_papers=True,
    )


@contextmanager
def stand_in_subjects() -> Iterator[Any]:
    """Register the stand-in kind as "vote" for the duration; yields a subject factory."""
    previous = kind_for(SubjectType.VOTE) if is_registered(SubjectType.VOTE) else None
    register_subject(_kind())

    def make(
        title: str = "Should we?",
        *,
        closed: str | None = None,
        paragraphs: int | None = None,
        hidden_from: set[int] | None = None,
    ) -> Subject:
        obj = StandIn(
            next(_ids) + 10_000,
            title,
            closed,
            ParagraphScope(1, paragraphs) if paragraphs is not None else None,
            hidden_from or set(),
        )
        _objects[obj.id] = obj
        return Subject(kind_for(SubjectType.VOTE), obj.id, obj)

    try:
        yield make
    finally:
        _objects.clear()
        unregister_subject(SubjectType.VOTE)
        if previous is not None:
            register_subject(previous)


def make_comment(
    subject: Subject,
    author: Member,
    body: str = "I think we should.",
    *,
    parent: Comment | None = None,
    paragraph: int | None = None,
) -> Comment:
    return services.post_comment(author, subject, body, parent=parent, paragraph=paragraph)


def make_draft(
    title: str = "Situational objective: the spring campaign",
    paragraphs: list[str] | None = None,
    *,
    convener: Member | None = None,
    withdrawn: bool = False,
) -> Draft:
    """A draft made by the drafts service (by a new convener unless one is given)."""
    from deliberate.accounts.models import MemberRole
    from deliberate.drafts.services import create_draft, withdraw_draft
    from tests.factories import make_member

    convener = convener or make_member("Draft Convener", role=MemberRole.CONVENER)
    paragraphs = paragraphs or [
        "We campaign for rent control in every city where we have a branch.",
        "Each branch holds an open assembly before the end of the month.",
        "We evaluate the campaign in January.",
    ]
    draft = create_draft(convener, title=title, kind="resolution", body="\n\n".join(paragraphs))
    if withdrawn:
        withdraw_draft(convener, draft, "Overtaken by events.")
    return draft
