"""Read-side selects for the audit log."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from deliberate.audit.models import AuditEntry
from deliberate.extensions import db

PAGE_SIZE = 100


def audit_page(
    page: int, *, object_type: str | None = None, actor_id: int | None = None
) -> tuple[list[AuditEntry], bool]:
    """One page of entries, newest first, with their actors, of one kind of object and by one
    person when given; second item: whether more follow."""
    query = select(AuditEntry).options(joinedload(AuditEntry.actor))
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    entries = list(
        db.session.scalars(
            query.order_by(AuditEntry.id.desc()).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
        )
    )
    return entries[:PAGE_SIZE], len(entries) > PAGE_SIZE


def object_types() -> list[str]:
    """The kinds of object the log holds entries on, by name."""
    return list(
        db.session.scalars(
            select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)
        )
    )
