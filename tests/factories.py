"""Test data builders: they flush, never commit."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from deliberate.accounts.models import Member, MemberRole, MemberStatus
from deliberate.accounts.passwords import hash_password
from deliberate.extensions import db
from deliberate.markup import render_markdown
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
from deliberate.tendencies.models import MembershipRole, Tendency, TendencyMembership

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)
_password_hash: dict[str, str] = {}


def make_member(
    name: str | None = None,
    *,
    role: MemberRole = MemberRole.MEMBER,
    status: MemberStatus = MemberStatus.ACTIVE,
    email: str | None = None,
    tendency: Tendency | None = None,
    coordinator: bool = False,
) -> Member:
    n = next(_sequence)
    if PASSWORD not in _password_hash:
        _password_hash[PASSWORD] = hash_password(PASSWORD)
    member = Member(
        display_name=name or f"Member {n}",
        email=(email or f"member{n}@example.org").lower(),
        password_hash=_password_hash[PASSWORD],
        role=role,
        status=status,
    )
    db.session.add(member)
    db.session.flush()
    if tendency is not None:
        join(member, tendency, coordinator=coordinator)
    return member


def make_tendency(name: str | None = None, line: str = "We hold a *line*.") -> Tendency:
    n = next(_sequence)
    tendency = Tendency(
        name=name or f"Tendency {n}", line_markdown=line, line_html=render_markdown(line)
    )
    db.session.add(tendency)
    db.session.flush()
    return tendency


def join(member: Member, tendency: Tendency, *, coordinator: bool = False) -> TendencyMembership:
    membership = TendencyMembership(
        member_id=member.id,
        tendency_id=tendency.id,
        role=MembershipRole.COORDINATOR if coordinator else MembershipRole.MEMBER,
    )
    db.session.add(membership)
    db.session.flush()
    return membership


@dataclass
class StandIn:
    """A subject that lives in memory: enough to exercise the registry, debates and papers."""

    id: int
    title: str
    closed: str | None = None
    paragraphs: ParagraphScope | None = None
    hidden_from: set[int] = field(default_factory=set)


_stand_ins: dict[int, StandIn] = {}
_stand_in_ids = itertools.count(1)


def _stand_in_kind() -> SubjectKind:
    return SubjectKind(
        type=SubjectType.VOTE,
        label="vote",
        load=_stand_ins.get,
        title=lambda obj: obj.title,
        endpoint=lambda obj: ("main.index", {}),
        closed_reason=lambda obj: obj.closed,
        can_view=lambda actor, obj: actor.is_active and actor.id not in obj.hidden_from,
        paragraphs=lambda obj: obj.paragraphs,
        accepts_papers=True,
    )


MakeSubject = Callable[..., Subject]


@contextmanager
def stand_in_subjects() -> Iterator[MakeSubject]:
    """Register the stand-in kind as "vote" for the duration; yields a subject factory."""
    previous = kind_for(SubjectType.VOTE) if is_registered(SubjectType.VOTE) else None
    register_subject(_stand_in_kind())

    def make(
        title: str = "Should we?",
        *,
        closed: str | None = None,
        paragraphs: int | None = None,
        hidden_from: set[int] | None = None,
    ) -> Subject:
        obj = StandIn(
            next(_stand_in_ids) + 10_000,
            title,
            closed,
            ParagraphScope(1, paragraphs) if paragraphs is not None else None,
            hidden_from or set(),
        )
        _stand_ins[obj.id] = obj
        return Subject(kind_for(SubjectType.VOTE), obj.id, obj)

    try:
        yield make
    finally:
        _stand_ins.clear()
        unregister_subject(SubjectType.VOTE)
        if previous is not None:
            register_subject(previous)
