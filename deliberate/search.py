"""The one way lists of people are searched: a member's display name holding some text."""

from __future__ import annotations

from sqlalchemy import ColumnElement, true

from deliberate.accounts.models import Member

MAX_SEARCH = 100


def contains_pattern(search: str) -> str:
    """A LIKE pattern matching `search` anywhere, its wildcards taken literally (escape `\\`)."""
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def name_holds(search: str) -> ColumnElement[bool]:
    """Members whose display name holds `search` (any case); every member for a blank one."""
    search = search.strip()[:MAX_SEARCH]
    if not search:
        return true()
    return Member.display_name.ilike(contains_pattern(search), escape="\\")
