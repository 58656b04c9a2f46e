"""Writing to the audit log."""

from __future__ import annotations

from typing import Any

from deliberate.accounts.models import Member
from deliberate.audit.models import AuditEntry
from deliberate.extensions import db


def record_action(
    actor: Member | None,
    action: str,
    obj: Any,
    summary: str,
    **details: Any,
) -> AuditEntry:
    """Append an audit entry for `action` by `actor` on `obj` (flushed, not committed)."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=type(obj).__name__,
        object_id=getattr(obj, "id", None),
        summary=summary[:500],
        details=details,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
