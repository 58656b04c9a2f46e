"""Who may see and keep bodies (the services check again, with reasons)."""

from __future__ import annotations

from deliberate.accounts.models import Member


def can_manage_bodies(actor: Member) -> bool:
    """Admins keep the bodies (delegates, committees) that votes may be restricted to: they
    create and rename them, add and remove members, import lists and read their history."""
    return actor.is_active and actor.is_admin


def can_view_bodies(actor: Member) -> bool:
    """Conveners (and admins) see the list of bodies with their names, descriptions and sizes,
    because they choose one when they open a vote. Who sits in a body is the admins' page:
    a convener needs the size of the roll, not the list of names, to choose."""
    return actor.is_active and actor.is_convener
