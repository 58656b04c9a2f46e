"""The worker's work, whatever queue runs it: expand outbox events into deliveries a batch
of members at a time, and send the mail deliveries, each marked sent in its own commit; a
batch of each in turn, so that several workers share one large event (`deliver_all`).

Exactly once is ours, not the queue's: a delivery is the unique (event, member, channel) row,
so expanding an event twice (two workers, a retried task) inserts nothing more; a mail is
claimed by one worker for `MAIL_CLAIM_SECONDS` (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so two
workers take different rows; SQLite writes one at a time), and marked sent in the commit that
follows the server's acceptance. A worker that dies leaves its claim to lapse; another then
sends what it had not marked. Only a death in the instant between the server's acceptance and
that commit can send one message twice, and it carries the same Message-ID both times.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import smtplib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, exists, func, literal, or_, select, true, update
from sqlalchemy.sql.expression import Insert

from deliberate.accounts.models import Member, MemberStatus
from deliberate.database import UTCDateTime, insert_or_skip, utcnow
from deliberate.extensions import db
from deliberate.notifications import mail
from deliberate.notifications.categories import ACCOUNT_KINDS, CATEGORIES
from deliberate.notifications.models import (
    Channel,
    Delivery,
    DeliveryState,
    MailStop,
    Mode,
    NotificationSetting,
    OutboxEvent,
)
from deliberate.notifications.outbox import payload_of
from deliberate.notifications.recipients import recipients

log = logging.getLogger("deliberate.notifications")

# Errors of the mail server or the way to it: nothing is wrong with the message; try later.
CONNECTION_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError)
# The server refused this message or its address: counts against the delivery.
REFUSALS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


# A worker with nothing to send while another expands an event waits this long between looks,
# and at most IDLE_LIMIT seconds in a row.
IDLE_WAIT = 0.1
IDLE_LIMIT = 30.0


class MailServerUnavailable(Exception):
    """The mail server could not be reached or dropped the connection; retry later."""


def _insert(table: Any) -> Insert:
    """An INSERT that skips rows already there (the unique delivery), on either database."""
    return insert_or_skip(table, db.engine.dialect.name)


def expand_batch(batch: int, now: datetime | None = None) -> int | None:
    """Expand the oldest event not yet expanded by up to `batch` members, in one transaction
    (committed here). Returns the number of members done, None when no event waits."""
    now = now or utcnow()
    event = db.session.scalar(
        select(OutboxEvent)
        .where(OutboxEvent.expanded_at.is_(None))
        .order_by(OutboxEvent.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if event is None:
        db.session.rollback()
        return None
    payload = payload_of(event)
    chosen = recipients(event.kind, payload)
    if chosen is None:  # an invitation: one mail to an address
        db.session.execute(
            _insert(Delivery).values(
                event_id=event.id,
                member_id=None,
                channel=Channel.MAIL,
                state=DeliveryState.PENDING,
                attempts=0,
                created_at=now,
            )
        )
        event.expanded_at = now
        db.session.commit()
        return 1
    ids = list(
        db.session.scalars(chosen.where(Member.id > event.cursor).order_by(Member.id).limit(batch))
    )
    if ids:
        members = chosen.where(Member.id.between(ids[0], ids[-1])).subquery()
        _insert_deliveries(event, members, now)
        event.cursor = ids[-1]
    if len(ids) < batch:
        event.expanded_at = now
    db.session.commit()
    return len(ids)


def _insert_deliveries(event: OutboxEvent, members: Any, now: datetime) -> None:
    when = literal(now, UTCDateTime())
    columns = ["event_id", "member_id", "channel", "state", "attempts", "created_at", "sent_at"]
    in_app = event.kind not in ACCOUNT_KINDS and event.kind != "digest"
    if in_app:
        db.session.execute(
            _insert(Delivery).from_select(
                columns,
                select(
                    literal(event.id),
                    members.c.id,
                    literal(Channel.APP.value),
                    literal(DeliveryState.SENT.value),
                    literal(0),
                    when,
                    when,
                    # SQLite reads "SELECT … ON CONFLICT" only after a WHERE.
                ).where(true()),
            )
        )
    category = CATEGORIES.get(event.kind)
    source: Any = members
    if category is None:  # account mail and digests go out at once, whatever the settings
        mode: Any = literal(Mode.IMMEDIATELY.value)
    else:
        mode = func.coalesce(NotificationSetting.mode, category.default.value)
        source = members.outerjoin(
            NotificationSetting,
            and_(
                NotificationSetting.member_id == members.c.id,
                NotificationSetting.category == category.name,
            ),
        )
    state = case(
        (mode == Mode.DIGEST.value, DeliveryState.DIGEST.value),
        else_=DeliveryState.PENDING.value,
    )
    db.session.execute(
        _insert(Delivery).from_select(
            columns,
            select(
                literal(event.id),
                members.c.id,
                literal(Channel.MAIL.value),
                state,
                literal(0),
                when,
                literal(None, UTCDateTime()),
            )
            .select_from(source)
            .where(mode != Mode.NEVER.value),
        )
    )


@dataclass
class SendReport:
    sent: int = 0
    refused: int = 0
    skipped: int = 0
    claimed: int = 0
    errors: list[str] = field(default_factory=list)


def claim_batch(batch: int, now: datetime, lease: timedelta) -> tuple[str, list[int]]:
    """Claim up to `batch` mails due now for this worker; committed, so another worker skips
    them until the lease lapses."""
    token = secrets.token_hex(8)
    due = (
        select(Delivery.id)
        .where(
            Delivery.channel == Channel.MAIL,
            Delivery.state == DeliveryState.PENDING,
            or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
            or_(Delivery.claim.is_(None), Delivery.claimed_at < now - lease),
        )
        .order_by(Delivery.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    ids = list(db.session.scalars(due))
    if ids:
        db.session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids))
            .values(claim=token, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return token, ids


def send_batch(batch: int | None = None, now: datetime | None = None) -> SendReport:
    """Claim a batch of due mails and send them, committing each one's fate as it goes.
    Raises MailServerUnavailable (after releasing what it had not sent) when the server
    cannot be reached or drops the connection."""
    config = current_app.config
    now = now or utcnow()
    token, ids = claim_batch(
        batch or config["MAIL_BATCH"], now, timedelta(seconds=config["MAIL_CLAIM_SECONDS"])
    )
    report = SendReport(claimed=len(ids))
    if not ids:
        return report
    letters = _compose_batch(token)
    # No transaction stays open while the server answers (on SQLite it would hold the lock).
    db.session.rollback()
    connection = mail.connection()
    try:
        connection.open()
    except CONNECTION_ERRORS as error:
        _release(token, ids)
        raise MailServerUnavailable(str(error)) from error
    try:
        for position, (delivery_id, event_id, secret, is_digest, message) in enumerate(letters):
            if isinstance(message, Exception):
                _refused(delivery_id, message)
                report.refused += 1
                continue
            if message is None:  # suspended since, or the link was revoked or used
                _mark(token, delivery_id, event_id, DeliveryState.SKIPPED, secret, is_digest)
                report.skipped += 1
                continue
            try:
                connection.send_messages([message])
            except REFUSALS as error:
                _refused(delivery_id, error)
                report.refused += 1
                continue
            except CONNECTION_ERRORS as error:
                _release(token, [row[0] for row in letters[position:]])
                raise MailServerUnavailable(str(error)) from error
            _mark(token, delivery_id, event_id, DeliveryState.SENT, secret, is_digest)
            report.sent += 1
    finally:
        with contextlib.suppress(*CONNECTION_ERRORS):
            connection.close()
    return report


Letter = tuple[int, int, bool, bool, Any]


def _compose_batch(token: str) -> list[Letter]:
    """The claimed deliveries with their messages (None: nothing to send), read at once."""
    rows = db.session.execute(
        select(Delivery, OutboxEvent, Member, MailStop.stopped_at)
        .join(OutboxEvent, OutboxEvent.id == Delivery.event_id)
        .outerjoin(Member, Member.id == Delivery.member_id)
        # Mail to an address that bounced too often is stopped (bounces.py).
        .outerjoin(MailStop, MailStop.member_id == Member.id)
        .where(Delivery.claim == token)
        .order_by(Delivery.id)
    ).all()
    letters: list[Letter] = []
    with mail.composing():
        for delivery, event, member, stopped in rows:
            message: Any = None
            if member is None or (member.status == MemberStatus.ACTIVE and stopped is None):
                try:
                    message = mail.compose(delivery, event, member)
                except Exception as error:  # a message that cannot be written: tried, failed
                    log.exception("could not compose delivery %s", delivery.id)
                    message = error
            letters.append(
                (delivery.id, event.id, event.secret is not None, event.kind == "digest", message)
            )
    return letters


def _mark(
    token: str, delivery_id: int, event_id: int, state: DeliveryState, secret: bool, digest: bool
) -> None:
    """Commit one delivery's fate; the link's token leaves the database with its mail."""
    now = utcnow()
    db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.claim == token)
        .values(state=state, sent_at=now if state == DeliveryState.SENT else None, claim=None)
        .execution_options(synchronize_session=False)
    )
    if secret:
        db.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == event_id)
            .values(secret=None)
            .execution_options(synchronize_session=False)
        )
    if digest and state == DeliveryState.SKIPPED:
        # A digest that could not go (its items gone): its items wait for the next one.
        db.session.execute(
            update(Delivery)
            .where(Delivery.digest_id == delivery_id)
            .values(state=DeliveryState.DIGEST, digest_id=None)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()


def _refused(delivery_id: int, error: Exception) -> None:
    config = current_app.config
    delivery = db.session.get_one(Delivery, delivery_id)
    delivery.attempts += 1
    delivery.claim = None
    delivery.last_error = str(error)[:300]
    if delivery.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        delivery.state = DeliveryState.FAILED
        log.warning(
            "mail delivery %s failed after %s attempts: %s", delivery.id, delivery.attempts, error
        )
    else:
        backoff = config["MAIL_RETRY_SECONDS"] * 2 ** (delivery.attempts - 1)
        delivery.next_attempt_at = utcnow() + timedelta(seconds=backoff)
    db.session.commit()


def _release(token: str, ids: Sequence[int]) -> None:
    db.session.rollback()
    db.session.execute(
        update(Delivery)
        .where(Delivery.id.in_(list(ids)), Delivery.claim == token)
        .values(claim=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def expand_all(now: datetime | None = None) -> None:
    """Expand every event waiting in the outbox, a batch of members per commit."""
    while expand_batch(current_app.config["NOTIFY_BATCH"], now) is not None:
        pass


def _expanding_elsewhere() -> bool:
    """Whether an event is still being expanded: after `expand_batch` found none free, by
    another worker, which holds its row until its batch commits."""
    waiting = db.session.scalar(select(exists().where(OutboxEvent.expanded_at.is_(None))))
    db.session.rollback()
    return bool(waiting)


def deliver_all(
    *,
    now: datetime | None = None,
    max_batches: int = 1_000_000,
    helpers: Callable[[], None] | None = None,
) -> SendReport:
    """What one run of the worker does: expand a batch of members, send a batch of mail, in
    turn, until nothing is left. Raises MailServerUnavailable as send_batch does, once every
    event is expanded (in-app notifications do not wait for the mail server).

    Several workers share one large event: whichever is free expands its next batch of
    members (the event's row is locked only while a batch is written) and each sends what has
    been expanded. A worker with nothing to send while another is expanding waits for that
    batch rather than leaving (up to IDLE_LIMIT seconds), and takes the expansion over if the
    other stops. `helpers`, called once when there is more mail than one batch, asks other
    workers to join.
    """
    config = current_app.config
    total = SendReport()
    idle = 0.0
    for _ in range(max_batches):
        expanded = expand_batch(config["NOTIFY_BATCH"], now)
        try:
            report = send_batch(now=now)
        except MailServerUnavailable:
            expand_all(now)
            raise
        total.sent += report.sent
        total.refused += report.refused
        total.skipped += report.skipped
        total.claimed += report.claimed
        if helpers is not None and report.claimed >= config["MAIL_BATCH"]:
            helpers()
            helpers = None
        if report.claimed or expanded is not None:
            idle = 0.0
            continue
        if idle >= IDLE_LIMIT or not _expanding_elsewhere():
            break
        time.sleep(IDLE_WAIT)
        idle += IDLE_WAIT
    return total
