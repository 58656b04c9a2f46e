"""Mail: each delivery composed from templates (plain text and HTML), with a stable
Message-ID and a one-click unsubscribe for its category; sent through Flask-Mailman, or,
with no MAIL_SERVER set, written to the letter box (an admins' page) and the log."""

from __future__ import annotations

import json
import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import formataddr, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template, url_for
from flask_mailman import EmailMessage, EmailMultiAlternatives
from flask_mailman.backends.base import BaseEmailBackend
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from deliberate.accounts.models import Invitation, Member, PasswordReset
from deliberate.database import utcnow
from deliberate.extensions import db, mailman
from deliberate.filters import organization_zone_name
from deliberate.notifications import bounces
from deliberate.notifications.categories import CATEGORIES, DIGEST
from deliberate.notifications.models import Delivery, OutboxEvent
from deliberate.notifications.outbox import payload_of
from deliberate.timezones import format_moment, written_for, zone

log = logging.getLogger("deliberate.mail")

UNSUBSCRIBE_SALT = "deliberate.unsubscribe"


@dataclass
class Letter:
    """What one mail says, before the templates lay it out."""

    subject: str
    greeting: str
    paragraphs: list[str]
    action: tuple[str, str] | None = None  # (label, absolute URL)
    items: list[tuple[str, str]] = field(default_factory=list)  # a digest's (text, URL)
    category: str | None = None  # unsubscribable category; None for account mail


# --- the connection ---------------------------------------------------------------------


def connection() -> BaseEmailBackend:
    """The SMTP server of MAIL_SERVER, or the letter box when none is set."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return LetterBox()
    backend: BaseEmailBackend = mailman.get_connection(
        "smtp",
        host=config["MAIL_SERVER"],
        port=config["MAIL_PORT"],
        username=config.get("MAIL_USERNAME"),
        password=config.get("MAIL_PASSWORD"),
        use_tls=config.get("MAIL_USE_TLS", False),
        use_ssl=config.get("MAIL_USE_SSL", False),
        timeout=config.get("MAIL_TIMEOUT"),
    )
    return backend


def letterbox_dir() -> Path:
    configured = current_app.config.get("MAIL_LETTERBOX")
    return Path(configured) if configured else Path(current_app.instance_path) / "mail"


class LetterBox(BaseEmailBackend):
    """Development's mail server: each message written as a file the admins' mail page
    reads, and logged."""

    def send_messages(self, email_messages: Any) -> int:
        folder = letterbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            built = message.message()
            stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
            name = f"{stamp}-{message.extra_headers['Message-ID'].strip('<>').split('@')[0]}.eml"
            (folder / name).write_bytes(built.as_bytes())
            log.info("mail to %s: %s", ", ".join(message.to), message.subject)
        return len(email_messages)


# --- unsubscribe tokens ---------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(member_id: int, category: str) -> str:
    return _serializer().dumps({"m": member_id, "c": category})


class BadUnsubscribeToken(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """The member and category an unsubscribe link was made for. Raises BadUnsubscribeToken
    for a link that is expired, altered, or made by another key or for another purpose."""
    max_age = int(current_app.config["UNSUBSCRIBE_VALID_FOR"].total_seconds())
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise BadUnsubscribeToken("This unsubscribe link has expired.") from None
    except BadSignature:
        raise BadUnsubscribeToken("This unsubscribe link is not valid.") from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("m"), int)
        or data.get("c") not in (*CATEGORIES, DIGEST)
    ):
        raise BadUnsubscribeToken("This unsubscribe link is not valid.")
    return data["m"], data["c"]


# --- composing ------------------------------------------------------------------------------


def site_domain() -> str:
    return urlsplit(current_app.config["SITE_URL"]).hostname or "localhost"


def message_id(delivery: Delivery) -> str:
    """The same for every attempt at one delivery: a receiver may drop a repeat."""
    return f"<deliberate.{delivery.event_id}.{delivery.id}@{site_domain()}>"


def composing() -> AbstractContextManager[Any]:
    """The request context mail is written in: its links are absolute under SITE_URL. One
    serves a whole batch of messages."""
    return current_app.test_request_context("/", base_url=current_app.config["SITE_URL"])


def compose(delivery: Delivery, event: OutboxEvent, member: Member | None) -> EmailMessage | None:
    """The mail of one delivery, or None when there is no longer anything to send (a revoked
    or used link, a vote gone). Called inside `composing()`."""
    config = current_app.config
    own_zone = member.time_zone if member is not None else ""
    with written_for(zone(own_zone or organization_zone_name())):
        letter, to = _letter(delivery, event, member)
    if letter is None or not to:
        return None
    unsubscribe = None
    if letter.category is not None and member is not None:
        unsubscribe = url_for(
            "notifications.unsubscribe",
            token=unsubscribe_token(member.id, letter.category),
            _external=True,
        )
    context = {
        "letter": letter,
        "organization_name": config["ORGANIZATION_NAME"],
        "unsubscribe": unsubscribe,
        "settings_url": url_for("notifications.settings", _external=True),
    }
    text = render_template("notifications/mail/letter.txt", **context)
    html = render_template("notifications/mail/letter.html", **context)
    headers = {"Message-ID": message_id(delivery), "Auto-Submitted": "auto-generated"}
    if unsubscribe is not None:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    sender = parseaddr(config["MAIL_DEFAULT_SENDER"])[1] or "deliberate@localhost"
    headers["From"] = formataddr((config["ORGANIZATION_NAME"], sender))
    message = EmailMultiAlternatives(
        subject=f"[{config['ORGANIZATION_NAME']}] {letter.subject}",
        body=text,
        # The envelope's sender: where a late bounce comes back, naming this delivery.
        from_email=bounces.envelope_sender(delivery.id) or headers["From"],
        to=[to],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def _letter(
    delivery: Delivery, event: OutboxEvent, member: Member | None
) -> tuple[Letter | None, str]:
    payload = payload_of(event)
    name = member.display_name if member is not None else str(payload.get("name") or "")
    greeting = f"Hello {name}," if name else "Hello,"
    organization = current_app.config["ORGANIZATION_NAME"]
    kind = event.kind
    if kind == "invitation":
        invitation = db.session.get(Invitation, payload["invitation_id"])
        if invitation is None or not invitation.is_usable(utcnow()) or event.secret is None:
            return None, ""
        link = url_for("accounts.accept_invitation", token=event.secret, _external=True)
        letter = Letter(
            f"You are invited to join {organization}",
            greeting,
            [
                f"You are invited to join {organization}, where its members debate and decide "
                "their common texts.",
                f"The link works once, until {_when(invitation.expires_at)}.",
            ],
            ("Accept the invitation", link),
        )
        return letter, invitation.email
    if member is None:
        return None, ""
    if kind == "password_reset":
        reset = db.session.get(PasswordReset, payload["reset_id"])
        if reset is None or not reset.is_usable(utcnow()) or event.secret is None:
            return None, ""
        link = url_for("accounts.reset_password", token=event.secret, _external=True)
        letter = Letter(
            "Set a new password",
            greeting,
            [
                "An admin issued you a link to set a new password. It works once, until "
                f"{_when(reset.expires_at)}; earlier links no longer work.",
                "If you did not expect it, you may ignore this message.",
            ],
            ("Set a new password", link),
        )
        return letter, member.email
    if kind == "digest":
        return _digest(delivery, greeting), member.email
    return _about(kind, payload, greeting), member.email


def _when(moment: datetime | str | None) -> str:
    if moment is None:
        return "no set time"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return format_moment(moment)


def _about(kind: str, payload: dict[str, Any], greeting: str) -> Letter | None:
    """A member's notification, the same words in the app, the mail and the digest. Nothing
    in it depends on whether the member voted, nor on any ballot."""
    subject, text, label, url = describe(kind, payload)
    if not subject:
        return None
    return Letter(subject, greeting, [text], (label, url), category=kind)


def describe(kind: str, payload: dict[str, Any]) -> tuple[str, str, str, str]:
    """(subject, one sentence, link label, absolute URL) of a member's notification."""
    title = str(payload.get("title", ""))
    if kind in ("vote_opened", "vote_closing", "vote_closed"):
        url = url_for("votes.detail", vote_id=payload["vote_id"], _external=True)
        if kind == "vote_opened":
            closes = payload.get("closes_at")
            until = f" It closes on {_when(closes)}." if closes else ""
            return (
                f"Vote open: {title}",
                f"The vote “{title}” is open and you are on its roll.{until}",
                "Go to the vote",
                url,
            )
        if kind == "vote_closing":
            return (
                f"Closing soon: {title}",
                f"The vote “{title}” closes on {_when(payload.get('closes_at'))}. Whoever has not "
                "voted yet may still do so until then.",
                "Go to the vote",
                url,
            )
        return (
            f"Vote closed: {title}",
            f"The vote “{title}” has closed. {payload.get('summary', '')}".strip(),
            "See the result",
            url,
        )
    if kind in ("nominated", "nomination_answered"):
        url = url_for("nominations.index", vote_id=payload["vote_id"], _external=True)
        by = str(payload.get("by", ""))
        if kind == "nominated":
            return (
                f"Nominated: {title}",
                f"{by} nominated you as a candidate in the election “{title}”. Accept, with a "
                "statement if you wish, or decline, before nominations close.",
                "Answer the nomination",
                url,
            )
        answer = "accepted" if payload.get("accepted") else "declined"
        return (
            f"Nomination {answer}: {title}",
            f"{by} {answer} your nomination as a candidate in the election “{title}”.",
            "See the candidates",
            url,
        )
    if kind == "evaluation_due":
        url = url_for("decisions.detail", record_id=payload["record_id"], _external=True)
        return (
            f"Evaluation due: {title}",
            f"The decision “{title}” is due for evaluation on {payload.get('date', '')}.",
            "Go to the decision",
            url,
        )
    return "", "", "", ""


def _digest(delivery: Delivery, greeting: str) -> Letter | None:
    rows = db.session.execute(
        select(OutboxEvent.kind, OutboxEvent.payload)
        .join(Delivery, Delivery.event_id == OutboxEvent.id)
        .where(Delivery.digest_id == delivery.id)
        .order_by(Delivery.id)
    ).all()
    items = []
    for kind, payload in rows:
        _subject, text, _label, url = describe(kind, json.loads(payload))
        if text:
            items.append((text, url))
    if not items:
        return None
    count = len(items)
    return Letter(
        f"Your daily digest: {count} {'thing' if count == 1 else 'things'}",
        greeting,
        ["Here is what happened since your last digest."],
        items=items,
        category=DIGEST,
    )
