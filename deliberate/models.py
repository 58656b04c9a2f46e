"""Imports every model so the metadata (and migrations) know the whole schema."""

from deliberate.accounts.models import Invitation, Member, PasswordReset
from deliberate.audit.models import AuditEntry
from deliberate.tendencies.models import JoinRequest, Tendency, TendencyMembership

__all__ = [
    "AuditEntry",
    "Invitation",
    "JoinRequest",
    "Member",
    "PasswordReset",
    "Tendency",
    "TendencyMembership",
]
