"""What a thread or a position paper is about: a registry of subject types.

A thread is identified by (subject_type, subject_id). Each subject type registers a
`SubjectKind` that knows how to load its object, who may see it, whether it is open for
debate, where it is shown and whether comments may point to its paragraphs. Each domain
registers its kinds with `register_subject` in its own `subjects.py`, which `create_app`
imports (`deliberate.wiring`); a page includes `debate/_thread.html` and
`papers/_tendencies_say.html` through the panels of `debate.panels` and `papers.panels`.
Nothing here knows the domains.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from deliberate.accounts.models import Member
from deliberate.errors import NotFound, ValidationError


class SubjectType(StrEnum):
    DRAFT = "draft"
    AMENDMENT = "amendment"
    PAPER = "paper"
    VOTE = "vote"
    DECISION = "decision"
    EVALUATION = "evaluation"


# Subject types a position paper may be written on.
PAPER_SUBJECT_TYPES = (
    SubjectType.DRAFT,
    SubjectType.AMENDMENT,
    SubjectType.VOTE,
    SubjectType.DECISION,
)


@dataclass(frozen=True)
class ParagraphScope:
    """The paragraphs a comment may point to: ¶1…¶count of version `version_number`.

    `earlier` follows paragraphs of earlier versions into this one: (version, paragraph,
    paragraph now, unchanged since). A comment on an unchanged paragraph belongs to it now; a
    comment on a paragraph that changed since is on an earlier version of it.
    """

    version_number: int
    count: int
    earlier: tuple[tuple[int, int, int, bool], ...] = ()

    def follow(self, version: int | None, paragraph: int | None) -> tuple[int, bool] | None:
        """Where ¶`paragraph` of `version` is now, and whether it is unchanged; None when
        it was deleted or is unknown."""
        if version == self.version_number and paragraph is not None:
            return paragraph, True
        for old_version, old_paragraph, now, unchanged in self.earlier:
            if (old_version, old_paragraph) == (version, paragraph):
                return now, unchanged
        return None

    def pairs_now(
        self, paragraph: int | None = None, *, unchanged_only: bool = True
    ) -> list[tuple[int, int]]:
        """The (version, paragraph) anchors that are ¶`paragraph` now (every paragraph when
        None): the current version's own, and earlier ones unchanged since (or changed too)."""
        pairs = [
            (v, p)
            for v, p, now, unchanged in self.earlier
            if (paragraph is None or now == paragraph) and (unchanged or not unchanged_only)
        ]
        if paragraph is not None:
            pairs.append((self.version_number, paragraph))
        return pairs


@dataclass(frozen=True)
class RelatedSubject:
    """A subject shown together with another (a draft's amendments beside the draft)."""

    type: SubjectType
    id: int
    label: str


def _always_visible(actor: Member, _obj: Any) -> bool:
    return actor.is_active


def _no_paragraphs(_obj: Any) -> ParagraphScope | None:
    return None


def _no_related(_obj: Any) -> list[RelatedSubject]:
    return []


def _no_stamps(_obj: Any) -> list[str]:
    return []


def _no_state(_obj: Any) -> Hashable:
    return None


@dataclass(frozen=True)
class SubjectKind:
    """How one subject type behaves in debates and papers.

    - `load(id)` returns the object or None.
    - `title(obj)` is the plain-text title shown in headings (escaped by templates).
    - `endpoint(obj)` is the (endpoint, url arguments) of the page that shows the subject.
    - `closed_reason(obj)` is None while the subject is open for debate, else the reason.
    - `can_view(actor, obj)` says whether the actor may read the subject and its thread.
    - `paragraphs(obj)` gives the paragraphs comments may point to, or None.
    - `accepts_papers`: whether tendencies may write position papers on it.
    - `related(obj)`: subjects whose papers are shown with this one's.
    - `load_titles(ids)`: titles of several subjects at once (for lists); by default each
      subject is loaded on its own.
    - `load_link(id)`: its (title, endpoint) without loading the whole object (a page that
      only links to it), or None when it does not exist; by default it is loaded.
    - `stamps(obj)`: besides its comments, the stamps (deliberate/fragments.py) whose
      changes alter how its thread and papers show (a draft's new version moves anchors);
      `state(obj)`: what of the loaded object (read before the stamps) they depend on.
    """

    type: SubjectType
    label: str
    load: Callable[[int], Any | None]
    title: Callable[[Any], str]
    endpoint: Callable[[Any], tuple[str, dict[str, Any]]]
    closed_reason: Callable[[Any], str | None]
    can_view: Callable[[Member, Any], bool] = _always_visible
    paragraphs: Callable[[Any], ParagraphScope | None] = _no_paragraphs
    accepts_papers: bool = False
    related: Callable[[Any], list[RelatedSubject]] = _no_related
    load_titles: Callable[[list[int]], dict[int, str]] | None = None
    load_link: Callable[[int], tuple[str, tuple[str, dict[str, Any]]] | None] | None = None
    stamps: Callable[[Any], list[str]] = _no_stamps
    state: Callable[[Any], Hashable] = _no_state

    def titles(self, ids: list[int]) -> dict[int, str]:
        if self.load_titles is not None:
            return self.load_titles(ids)
        loaded = ((i, self.load(i)) for i in ids)
        return {i: self.title(obj) for i, obj in loaded if obj is not None}


@dataclass(frozen=True)
class Subject:
    """A loaded subject: its kind, id and object.

    Whether it is open is computed once per `Subject`: a page builds one and asks it for
    every comment it shows.
    """

    kind: SubjectKind
    id: int
    obj: Any = field(compare=False)

    @property
    def type(self) -> SubjectType:
        return self.kind.type

    @property
    def label(self) -> str:
        return self.kind.label

    @property
    def title(self) -> str:
        return self.kind.title(self.obj)

    @property
    def endpoint(self) -> tuple[str, dict[str, Any]]:
        return self.kind.endpoint(self.obj)

    @cached_property
    def closed_reason(self) -> str | None:
        return self.kind.closed_reason(self.obj)

    @property
    def is_open(self) -> bool:
        return self.closed_reason is None

    def can_view(self, actor: Member) -> bool:
        return self.kind.can_view(actor, self.obj)

    def paragraphs(self) -> ParagraphScope | None:
        return self.kind.paragraphs(self.obj)

    @property
    def stamps(self) -> list[str]:
        return self.kind.stamps(self.obj)

    @property
    def state(self) -> Hashable:
        return (self.type.value, self.id, self.is_open, self.kind.state(self.obj))

    def related(self) -> list[RelatedSubject]:
        return self.kind.related(self.obj)


_registry: dict[SubjectType, SubjectKind] = {}


def register_subject(kind: SubjectKind) -> None:
    """Register (or replace) the kind for a subject type."""
    _registry[kind.type] = kind


def unregister_subject(subject_type: SubjectType) -> None:
    _registry.pop(subject_type, None)


def kind_for(subject_type: str) -> SubjectKind:
    """The registered kind of `subject_type`; NotFound if none is registered."""
    try:
        return _registry[SubjectType(subject_type)]
    except (ValueError, KeyError):
        raise NotFound(f"There is no debate about a “{subject_type}” here.") from None


def is_registered(subject_type: str) -> bool:
    return subject_type in {t.value for t in _registry}


def resolve(subject_type: str, subject_id: int) -> Subject:
    """Load a subject; NotFound when the type is unknown or the object does not exist."""
    kind = kind_for(subject_type)
    obj = kind.load(subject_id)
    if obj is None:
        raise NotFound(f"That {kind.label} does not exist.")
    return Subject(kind, subject_id, obj)


def link(subject_type: str, subject_id: int) -> tuple[str, str, tuple[str, dict[str, Any]]]:
    """A subject's (label, title, endpoint), for a page that links to it; NotFound when the
    type is unknown or the object does not exist."""
    kind = kind_for(subject_type)
    if kind.load_link is None:
        subject = resolve(subject_type, subject_id)
        return kind.label, subject.title, subject.endpoint
    found = kind.load_link(subject_id)
    if found is None:
        raise NotFound(f"That {kind.label} does not exist.")
    return kind.label, *found


def subject_of(subject_type: SubjectType, obj: Any) -> Subject:
    """The subject of an object the caller has already loaded (no query)."""
    return Subject(kind_for(subject_type), obj.id, obj)


def resolve_for_paper(subject_type: str, subject_id: int) -> Subject:
    """Load a subject a position paper may be written on; ValidationError otherwise."""
    if subject_type not in {t.value for t in PAPER_SUBJECT_TYPES}:
        raise ValidationError(
            "A position paper is written on a draft, an amendment, a vote or a decision record."
        )
    subject = resolve(subject_type, subject_id)
    if not subject.kind.accepts_papers:
        raise ValidationError(f"Position papers cannot be written on a {subject.label}.")
    return subject
