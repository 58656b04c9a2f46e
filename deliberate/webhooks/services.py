"""Registering, disabling and deleting webhook endpoints (admins only), each audited."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select

from deliberate.accounts.models import Member
from deliberate.audit.services import record_action
from deliberate.errors import PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.webhooks.addresses import check_url
from deliberate.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from deliberate.webhooks.signing import new_secret

MAX_ENDPOINTS = 50
RECENT_DELIVERIES = 50


def _require_admin(actor: Member) -> None:
    if not actor.is_admin or not actor.is_active:
        raise PermissionDenied("Only admins manage webhooks.")


def create_endpoint(
    actor: Member, url: str, events: Iterable[str], description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its signing secret (shown to the admin once)."""
    _require_admin(actor)
    chosen = sorted({WebhookEvent(e).value for e in events if e in set(WebhookEvent)})
    if not chosen:
        raise ValidationError("Choose at least one event to send.", field="events")
    description = (description or "").strip()
    if len(description) > 120:
        raise ValidationError(
            "The description is too long (120 characters at most).", field="description"
        )
    checked = check_url(url)
    if len(list(db.session.scalars(select(WebhookEndpoint.id)))) >= MAX_ENDPOINTS:
        raise ValidationError(f"There are {MAX_ENDPOINTS} endpoints already; delete one first.")
    secret = new_secret()
    endpoint = WebhookEndpoint(
        url=checked,
        description=description,
        events=",".join(chosen),
        secret=secret,
        active=True,
        created_by_id=actor.id,
    )
    db.session.add(endpoint)
    db.session.flush()
    record_action(
        actor, "webhook.create", endpoint, f"Registered the webhook {checked}", events=chosen
    )
    return endpoint, secret


def set_active(actor: Member, endpoint: WebhookEndpoint, active: bool) -> None:
    _require_admin(actor)
    endpoint.active = active
    verb = "Enabled" if active else "Disabled"
    record_action(
        actor,
        "webhook.enable" if active else "webhook.disable",
        endpoint,
        f"{verb} the webhook {endpoint.url}",
    )


def delete_endpoint(actor: Member, endpoint: WebhookEndpoint) -> None:
    """Delete the endpoint and its delivery log."""
    _require_admin(actor)
    record_action(actor, "webhook.delete", endpoint, f"Deleted the webhook {endpoint.url}")
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    db.session.delete(endpoint)
    db.session.flush()


def endpoints() -> list[WebhookEndpoint]:
    return list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def recent_deliveries(limit: int = RECENT_DELIVERIES) -> list[WebhookDelivery]:
    return list(
        db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit))
    )
