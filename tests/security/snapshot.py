"""A content hash of the whole database, to prove a refused request changed nothing."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from deliberate.extensions import db


def database_snapshot() -> dict[str, str]:
    """Row count and a hash of every row, per table."""
    db.session.flush()
    snapshot = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        digest = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
        snapshot[table.name] = f"{len(rows)}:{digest[:16]}"
    return snapshot
