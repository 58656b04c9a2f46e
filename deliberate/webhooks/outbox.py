"""Writing webhook deliveries in the transaction of the change they report: one row per
subscribed endpoint, saved with the change or not at all (deliberate/events.py)."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app
from sqlalchemy import select

from deliberate import events
from deliberate.database import utcnow
from deliberate.extensions import db
from deliberate.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent


class WebhooksQueued(events.Event):
    """Told after the commit of a transaction that queued deliveries: wake a worker."""


def site_link(path: str) -> str:
    """An absolute link to one of the site's pages (SITE_URL, as the mail's links)."""
    return str(current_app.config["SITE_URL"]).rstrip("/") + path


def emit(event: WebhookEvent, key: str, data: dict[str, Any]) -> int:
    """Queue `event` (one occurrence, named by `key`: the same key is delivered once) for
    every active endpoint that subscribed to it, in the open transaction. Returns how many
    deliveries were queued. `data` holds ids, titles and links, never who voted what."""
    from deliberate.notifications.worker import _insert

    endpoints = [
        e
        for e in db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active))
        if event.value in e.event_list
    ]
    if not endpoints:
        return 0
    now = utcnow()
    event_key = f"{event.value}:{key}"
    body = json.dumps(
        {"id": event_key, "event": event.value, "created_at": now.isoformat(), "data": data},
        ensure_ascii=False,
        sort_keys=True,
    )
    for endpoint in endpoints:
        db.session.execute(
            _insert(WebhookDelivery).values(
                endpoint_id=endpoint.id,
                event=event.value,
                event_key=event_key,
                body=body,
                state="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    if not events.pending(WebhooksQueued):
        events.record(WebhooksQueued())
    return len(endpoints)
