"""Builders for bodies: they flush, never commit."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from deliberate.accounts.models import Member
from deliberate.bodies.models import Body, BodyMembership
from deliberate.extensions import db

_sequence = itertools.count(1)


def make_body(
    name: str | None = None, members: Sequence[Member] = (), description: str = ""
) -> Body:
    body = Body(name=name or f"Body {next(_sequence)}", description=description)
    db.session.add(body)
    db.session.flush()
    for member in members:
        db.session.add(BodyMembership(body_id=body.id, member_id=member.id))
    db.session.flush()
    return body
