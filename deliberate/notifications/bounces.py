"""Bounces that come after the mail server accepted a message: a delivery status
notification (RFC 3464) sent back to the message's envelope sender.

With MAIL_BOUNCE_ADDRESS set (`bounces@example.org`), each mail goes out with an envelope
sender of its own, `bounces+<delivery id>.<signature>@example.org`: the bounce names the
delivery, and the signature (an HMAC under SECRET_KEY) means nobody can make up a bounce for
another member's mail. The mail server hands what comes back to that address to
`flask --app deliberate bounce` (a pipe in its aliases). A permanent failure (Action failed,
Status 5.x.x) marks the delivery failed, where admins see it, and counts against the
member's address; at MAIL_BOUNCE_LIMIT failed deliveries no more mail goes there until the
member resumes it. A delay or a temporary failure counts for nothing,
nor does anything else that is not a signed bounce.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses

from flask import current_app
from sqlalchemy import select

from deliberate.accounts.models import Member
from deliberate.audit.services import record_action
from deliberate.database import insert_or_skip, utcnow
from deliberate.extensions import db
from deliberate.notifications.models import Delivery, DeliveryState, MailStop

# Where an MTA writes the address a message was delivered to, most telling first.
RECIPIENT_HEADERS = ("X-Original-To", "Delivered-To", "Envelope-To", "To")
STATUS = re.compile(r"([245])\.[0-9]{1,3}\.[0-9]{1,3}")
TAG = re.compile(r"([0-9]{1,18})\.([0-9a-f]{16})")


def _signature(delivery_id: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"bounce:{delivery_id}".encode(), hashlib.sha256).hexdigest()[:16]


def envelope_sender(delivery_id: int) -> str | None:
    """The envelope sender of one delivery's mail, or None without MAIL_BOUNCE_ADDRESS."""
    configured = current_app.config.get("MAIL_BOUNCE_ADDRESS") or ""
    local, at, domain = configured.rpartition("@")
    if not at or not local or not domain:
        return None
    return f"{local}+{delivery_id}.{_signature(delivery_id)}@{domain}"


def delivery_of(address: str) -> int | None:
    """The delivery a signed bounce address names, or None for any other address."""
    configured = current_app.config.get("MAIL_BOUNCE_ADDRESS") or ""
    local, _, domain = configured.lower().rpartition("@")
    name, _, host = address.strip().strip("<>").lower().rpartition("@")
    base, plus, tag = name.partition("+")
    if not local or base != local or not plus or host != domain:
        return None
    matched = TAG.fullmatch(tag)
    if matched is None:
        return None
    delivery_id = int(matched.group(1))
    if not hmac.compare_digest(matched.group(2), _signature(delivery_id)):
        return None
    return delivery_id


@dataclass(frozen=True)
class Failure:
    status: str  # 5.1.1
    diagnostic: str


def permanent_failure(message: Message) -> Failure | None:
    """The first recipient the report says failed for good, or None (a delay, a temporary
    failure, or no delivery status report at all)."""
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for fields in _field_blocks(part):
            action = str(fields.get("Action", "")).strip().lower()
            status = str(fields.get("Status", "")).strip().split(" ")[0]
            matched = STATUS.fullmatch(status)
            if action == "failed" and matched and matched.group(1) == "5":
                diagnostic = " ".join(str(fields.get("Diagnostic-Code", "")).split())
                return Failure(status, diagnostic[:250])
    return None


def _field_blocks(part: Message) -> list[Message]:
    """The report's blocks of fields, which the parser reads as one message each."""
    payload = part.get_payload()
    return (
        [block for block in payload if isinstance(block, Message)]
        if isinstance(payload, list)
        else []
    )


def read(raw: bytes, recipient: str | None = None, now: datetime | None = None) -> str:
    """Read one message that came back to the bounce address; what it did, in words. Only a
    signed bounce address's permanent failure changes anything (the caller commits)."""
    message = BytesParser(policy=policy.compat32).parsebytes(raw)
    candidates = [recipient] if recipient else []
    for header in RECIPIENT_HEADERS:
        candidates += [address for _, address in getaddresses(message.get_all(header) or [])]
    delivery_id = next((found for found in map(delivery_of, candidates) if found is not None), None)
    if delivery_id is None:
        return "not a bounce of ours: ignored"
    failure = permanent_failure(message)
    if failure is None:
        return f"delivery {delivery_id}: not a permanent failure, ignored"
    return record(delivery_id, failure, now or utcnow())


def record(delivery_id: int, failure: Failure, now: datetime) -> str:
    delivery = db.session.get(Delivery, delivery_id, with_for_update=True)
    if delivery is None:
        return f"delivery {delivery_id}: no longer kept, ignored"
    if delivery.state == DeliveryState.FAILED:
        return f"delivery {delivery_id}: its failure is already counted"
    delivery.state = DeliveryState.FAILED
    said = f"Bounced after it was accepted: {failure.status} {failure.diagnostic}"
    delivery.last_error = said.strip()[:300]
    member = db.session.get(Member, delivery.member_id) if delivery.member_id else None
    if member is None:  # an invitation, to an address and not a member
        return f"delivery {delivery_id}: failed ({failure.status})"
    db.session.execute(
        insert_or_skip(MailStop, db.engine.dialect.name).values(
            member_id=member.id, address=member.email, bounces=0, last_at=now
        )
    )
    stop = db.session.scalars(
        select(MailStop).where(MailStop.member_id == member.id).with_for_update()
    ).one()
    stop.bounces += 1
    stop.last_status, stop.last_diagnostic, stop.last_at = failure.status, failure.diagnostic, now
    limit = current_app.config["MAIL_BOUNCE_LIMIT"]
    if stop.bounces >= limit and stop.stopped_at is None:
        stop.stopped_at = now
        record_action(
            None,
            "mail.stopped",
            member,
            f"Stopped mail to {member.display_name}: {stop.bounces} messages bounced",
            status=failure.status,
        )
        return (
            f"delivery {delivery_id}: failed ({failure.status}); mail to member {member.id} stopped"
        )
    return f"delivery {delivery_id}: failed ({failure.status}); {stop.bounces} of {limit}"


def stopped(member: Member) -> MailStop | None:
    """The member's stop, if their mail is stopped."""
    stop = db.session.get(MailStop, member.id)
    return stop if stop is not None and stop.stopped_at is not None else None
