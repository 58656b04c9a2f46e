"""Sending webhook deliveries, with the mail worker's discipline (deliberate/notifications/
worker.py): a delivery is the unique (event, endpoint) row; a worker claims one due row for
WEBHOOKS_CLAIM_SECONDS (PostgreSQL: `FOR UPDATE SKIP LOCKED`), posts it, and marks it sent in
the commit that follows the receiver's 2xx. A refusal or a failure counts an attempt and waits
WEBHOOKS_RETRY_SECONDS · 2^(attempts-1) before the next; after WEBHOOKS_MAX_ATTEMPTS it is
failed. Only a death between the receiver's answer and that commit repeats a delivery, with
the same `X-Deliberate-Delivery` id, which the receiver may use to drop the repeat."""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_, select

from deliberate.database import utcnow
from deliberate.errors import ValidationError
from deliberate.extensions import db
from deliberate.webhooks.addresses import check_url
from deliberate.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookState
from deliberate.webhooks.signing import signature

log = logging.getLogger("deliberate.webhooks")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is not followed: it could point into the site's own network."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _claim(now: datetime) -> tuple[int, str, str, str, str] | None:
    """Claim the oldest due delivery (committed); its id, event, body, url and secret."""
    config = current_app.config
    row = db.session.execute(
        select(WebhookDelivery, WebhookEndpoint)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(
            WebhookDelivery.state == WebhookState.PENDING,
            WebhookDelivery.next_attempt_at <= now,
            or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
            WebhookEndpoint.active,
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    ).first()
    if row is None:
        db.session.rollback()
        return None
    delivery, endpoint = row
    delivery.claimed_until = now + timedelta(seconds=config["WEBHOOKS_CLAIM_SECONDS"])
    claimed = (delivery.id, delivery.event, delivery.body, endpoint.url, endpoint.secret)
    db.session.commit()
    return claimed


def post(url: str, secret: str, delivery_id: int, event: str, body: bytes) -> int:
    """POST the delivery; the HTTP status (0: no answer). Raises ValidationError when the
    address is no longer one a webhook may reach."""
    check_url(url)
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked: https (or loopback)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Deliberate-Webhooks/1",
            "X-Deliberate-Event": event,
            "X-Deliberate-Delivery": str(delivery_id),
            "X-Deliberate-Signature": signature(secret, timestamp, body),
        },
    )
    timeout = current_app.config["WEBHOOKS_TIMEOUT_SECONDS"]
    try:
        with _opener.open(request, timeout=timeout) as answer:
            status: int = answer.status
            return status
    except urllib.error.HTTPError as error:
        return error.code


def send_one(now: datetime | None = None) -> bool:
    """Send one due delivery; False when none is due."""
    now = now or utcnow()
    claimed = _claim(now)
    if claimed is None:
        return False
    delivery_id, event, body, url, secret = claimed
    status, error = 0, None
    try:
        status = post(url, secret, delivery_id, event, body.encode())
    except ValidationError as refused:
        error = str(refused)
    except (OSError, ValueError) as failed:
        error = f"{type(failed).__name__}: {failed}"[:200]
    _settle(delivery_id, status, error, now)
    return True


def _settle(delivery_id: int, status: int, error: str | None, now: datetime) -> None:
    config = current_app.config
    delivery = db.session.get_one(WebhookDelivery, delivery_id)
    delivery.attempts += 1
    delivery.claimed_until = None
    delivery.last_status = status or None
    delivery.last_error = error if error else (None if 200 <= status < 300 else f"HTTP {status}")
    if 200 <= status < 300:
        delivery.state = WebhookState.SENT
        delivery.sent_at = utcnow()
    elif delivery.attempts >= config["WEBHOOKS_MAX_ATTEMPTS"]:
        delivery.state = WebhookState.FAILED
        log.warning("webhook delivery %s failed for good: %s", delivery_id, delivery.last_error)
    else:
        wait = config["WEBHOOKS_RETRY_SECONDS"] * 2 ** (delivery.attempts - 1)
        delivery.next_attempt_at = now + timedelta(seconds=wait)
    db.session.commit()


def send_due(now: datetime | None = None, *, limit: int = 1000) -> int:
    """Send every delivery due at `now` (at most `limit`); how many were attempted."""
    sent = 0
    while sent < limit and send_one(now):
        sent += 1
    return sent
