"""What a change to a member's row touches in the page cache (deliberate/fragments.py)."""

from __future__ import annotations

from sqlalchemy import Connection, inspect

from deliberate.accounts.models import Member
from deliberate.fragments import PEOPLE, watch


def _renamed(row: Member, _connection: Connection) -> list[str]:
    """Pages show members by name: a name given or changed touches every part that names
    people; a login, which updates the row too, touches nothing."""
    state = inspect(row)
    if state.was_deleted or state.attrs.display_name.history.has_changes():
        return [PEOPLE]
    return []


watch(Member, _renamed)
