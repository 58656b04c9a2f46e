"""Who may manage members."""

from __future__ import annotations

from deliberate.accounts.models import Member


def can_manage_members(actor: Member) -> bool:
    """Admins invite, import, suspend, reactivate, reset passwords and change roles."""
    return actor.is_authenticated and actor.is_active and actor.is_admin
