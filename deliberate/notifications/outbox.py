"""Writing events to the outbox, in the transaction of the change that causes them."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from deliberate import events
from deliberate.extensions import db
from deliberate.notifications.models import OutboxEvent


class OutboxWritten(events.Event):
    """Told after the commit of a transaction that wrote to the outbox: wake a worker."""


def add(
    kind: str, payload: dict[str, Any], *, key: str | None = None, secret: str | None = None
) -> OutboxEvent | None:
    """Write one event to the outbox in the open transaction (one row, whoever it concerns);
    with `key`, only if no event with that key was ever written (None then). Flushes."""
    if key is not None and db.session.scalar(select(OutboxEvent.id).where(OutboxEvent.key == key)):
        return None
    row = OutboxEvent(
        kind=kind, payload=json.dumps(payload, ensure_ascii=False), key=key, secret=secret
    )
    if key is None:
        db.session.add(row)
        db.session.flush()
    else:
        # Another worker's scheduler may write the same key at the same moment: one wins.
        from sqlalchemy.exc import IntegrityError

        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            return None
    if not events.pending(OutboxWritten):  # one wake-up per transaction is enough
        events.record(OutboxWritten())
    return row


def payload_of(event: OutboxEvent) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(event.payload)
    return loaded
