"""The notification objects of the security world: a notification of the member's, and an
unsubscribe link of theirs."""

from __future__ import annotations

from typing import Any

from deliberate.database import utcnow
from deliberate.extensions import db
from deliberate.notifications.mail import unsubscribe_token
from deliberate.notifications.models import Channel, Delivery, DeliveryState, OutboxEvent


def build_notifications(world: dict[str, Any]) -> None:
    event = OutboxEvent(
        kind="vote_closed",
        payload='{"vote_id": 1, "title": "A vote", "summary": "Adopted."}',
        expanded_at=utcnow(),
    )
    db.session.add(event)
    db.session.flush()
    world["notification"] = Delivery(
        event_id=event.id,
        member_id=world["member"].id,
        channel=Channel.APP,
        state=DeliveryState.SENT,
        attempts=0,
    )
    db.session.add(world["notification"])
    db.session.flush()
    world["unsubscribe_token"] = unsubscribe_token(world["member"].id, "vote_opened")
