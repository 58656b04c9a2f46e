"""Who may do what with a tendency."""

from __future__ import annotations

from deliberate.accounts.models import Member
from deliberate.tendencies.models import Tendency
from deliberate.tendencies.queries import membership_in


def can_register_tendency(actor: Member) -> bool:
    """Admins and conveners register tendencies."""
    return actor.is_active and actor.is_convener


def is_coordinator(actor: Member, tendency: Tendency) -> bool:
    """True when `actor` currently coordinates `tendency`."""
    membership = membership_in(actor, tendency)
    return membership is not None and membership.is_coordinator


def can_coordinate(actor: Member, tendency: Tendency) -> bool:
    """Coordinators of the tendency manage its members, requests and line; admins may too."""
    return actor.is_active and (actor.is_admin or is_coordinator(actor, tendency))
