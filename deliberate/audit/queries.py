"""Read-side selects for the audit log."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from deliberate.audit.models import AuditEntry
from deliberate.extensions import db

PAGE_SIZE = 100


def audit_page(page: int) -> tuple[list[AuditEntry], bool]:
    """One page of entries, newest first, with their actors; second item: whether more follow."""
    entries = list(
        db.session.scalars(
            select(AuditEntry)
            .options(joinedload(AuditEntry.actor))
            .order_by(AuditEntry.id.desc())
            .limit(PAGE_SIZE + 1)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    return entries[:PAGE_SIZE], len(entries) > PAGE_SIZE
