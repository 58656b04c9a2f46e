"""The papers panel other pages include: what each tendency says about a subject."""

from __future__ import annotations

from typing import Any

from deliberate.auth import actor
from deliberate.papers import queries
from deliberate.subjects import Subject


def positions_context(subject: Subject) -> dict[str, Any]:
    """What `papers/_tendencies_say.html` needs, for any page that shows a subject."""
    return {"tendency_positions": queries.positions(subject, actor())}
