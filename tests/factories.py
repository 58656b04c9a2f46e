"""Test data builders: they flush, never commit."""

from __future__ import annotations

import itertools

from deliberate.accounts.models import Member, MemberRole, MemberStatus
from deliberate.accounts.passwords import hash_password
from deliberate.extensions import db
from deliberate.markup import render_markdown
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
