"""Reading a member's notifications and settings, and the admins' view of failed mail and
of the addresses whose mail is stopped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from deliberate.accounts.models import Member
from deliberate.extensions import db
from deliberate.notifications.categories import CATEGORIES
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


@dataclass(frozen=True)
class Shown:
    id: int
    kind: str
    payload: dict[str, Any]
    at: datetime
    read: bool


def notifications_page(member: Member, page: int, size: int) -> tuple[list[Shown], int, int]:
    """One page of the member's notifications, newest first; with the total and unread."""
    mine = (Delivery.member_id == member.id, Delivery.channel == Channel.APP)
    rows = db.session.execute(
        select(Delivery, OutboxEvent)
        .join(OutboxEvent, OutboxEvent.id == Delivery.event_id)
        .where(*mine)
        .order_by(Delivery.id.desc())
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    total, unread = db.session.execute(
        select(func.count(), func.count(Delivery.id).filter(Delivery.read_at.is_(None))).where(
            *mine
        )
    ).one()
    shown = [
        Shown(d.id, e.kind, payload_of(e), d.created_at, d.read_at is not None) for d, e in rows
    ]
    return shown, total, unread


def settings_of(member: Member) -> dict[str, Mode]:
    """Every category's mode for `member` (the default where they chose none)."""
    rows = db.session.execute(
        select(NotificationSetting.category, NotificationSetting.mode).where(
            NotificationSetting.member_id == member.id
        )
    ).tuples()
    chosen: dict[str, str] = dict(rows.all())
    return {name: Mode(chosen.get(name, c.default)) for name, c in CATEGORIES.items()}


def failed_mail(limit: int = 50) -> list[tuple[Delivery, OutboxEvent, str]]:
    """The mails given up on, newest first, with their address."""
    rows = db.session.execute(
        select(Delivery, OutboxEvent, Member.email)
        .join(OutboxEvent, OutboxEvent.id == Delivery.event_id)
        .outerjoin(Member, Member.id == Delivery.member_id)
        .where(Delivery.channel == Channel.MAIL, Delivery.state == DeliveryState.FAILED)
        .order_by(Delivery.id.desc())
        .limit(limit)
    ).all()
    return [(d, e, email or str(payload_of(e).get("email", ""))) for d, e, email in rows]


def stopped_mail(limit: int = 100) -> list[tuple[MailStop, Member]]:
    """The members whose mail is stopped, most recent first."""
    rows = db.session.execute(
        select(MailStop, Member)
        .join(Member, Member.id == MailStop.member_id)
        .where(MailStop.stopped_at.is_not(None))
        .order_by(MailStop.stopped_at.desc(), MailStop.member_id)
        .limit(limit)
    ).all()
    return [(stop, member) for stop, member in rows]
