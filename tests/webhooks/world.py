"""The webhook objects of the security world: `webhook`, an endpoint on the loopback address
for every event (nothing sends to it during the security suite: no worker runs)."""

from __future__ import annotations

from typing import Any

from deliberate.extensions import db
from deliberate.webhooks.models import WebhookEndpoint, WebhookEvent


def build_webhooks(world: dict[str, Any]) -> None:
    endpoint = WebhookEndpoint(
        url="http://127.0.0.1:9/hook",
        description="The world's receiver",
        events=",".join(e.value for e in WebhookEvent),
        secret="whsec_world-secret",
        active=True,
        created_by_id=world["admin"].id,
    )
    db.session.add(endpoint)
    db.session.flush()
    world["webhook"] = endpoint
