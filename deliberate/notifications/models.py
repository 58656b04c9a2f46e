"""The outbox of events, each member's deliveries of them, and members' mail settings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from deliberate.database import Base, UTCDateTime, enum_check, utcnow


class Channel(StrEnum):
    APP = "app"  # the member's notifications page
    MAIL = "mail"


class DeliveryState(StrEnum):
    PENDING = "pending"  # to send now
    DIGEST = "digest"  # waits for the member's daily digest
    DIGESTED = "digested"  # went out in a digest
    SENT = "sent"  # accepted by the mail server (or shown in the app)
    SKIPPED = "skipped"  # no longer to send: suspended member, revoked invitation, stopped mail
    FAILED = "failed"  # refused too many times, or bounced later; admins see it


class Mode(StrEnum):
    IMMEDIATELY = "immediately"
    DIGEST = "digest"
    NEVER = "never"


class OutboxEvent(Base):
    """One thing that happened and concerns members, written in the transaction that made it
    happen (one row per event, never one per recipient). The worker expands it into
    deliveries a batch of members at a time, `cursor` being the last member id done.

    `key` makes a scheduled event once only ("closing:7"). `secret` holds an invitation's or
    a reset's token until its mail is accepted, then is erased."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text, default="{}")
    key: Mapped[str | None] = mapped_column(String(64), unique=True)
    secret: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    expanded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class Delivery(Base):
    """An event for one member on one channel. The unique (event, member, channel) row is
    what makes a delivery happen once, whatever the queue repeats; `sent_at` is committed
    with each message sent. A mail is claimed (`claim`, `claimed_at`) by one worker for a
    while; a claim older than the lease is another worker's to take."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "member_id", "channel"),
        CheckConstraint(enum_check("channel", Channel), name="channel_known"),
        CheckConstraint(enum_check("state", DeliveryState), name="state_known"),
        # An invitation's mail goes to an address, not a member: one per event.
        Index(
            "uq_deliveries_event_address",
            "event_id",
            "channel",
            unique=True,
            sqlite_where=text("member_id IS NULL"),
            postgresql_where=text("member_id IS NULL"),
        ),
        Index("ix_deliveries_member_channel_id", "member_id", "channel", "id"),
        Index("ix_deliveries_channel_state_id", "channel", "state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(12), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The digest mail that carried this delivery (DIGESTED).
    digest_id: Mapped[int | None] = mapped_column(Integer)


class NotificationSetting(Base):
    """A member's choice for a category of mail; no row: the category's default."""

    __tablename__ = "notification_settings"
    __table_args__ = (CheckConstraint(enum_check("mode", Mode), name="mode_known"),)

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    mode: Mapped[str] = mapped_column(String(12))


class MailStop(Base):
    """Mail to a member's address that bounced after the server accepted it (a delivery
    status notification read by `flask bounce`). `bounces` counts the deliveries that failed
    for good since mail last resumed (each is marked failed, so it counts once); at
    MAIL_BOUNCE_LIMIT, `stopped_at` is set and no more mail goes to the member until they
    resume it. `address` is the address that bounced."""

    __tablename__ = "mail_stops"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    address: Mapped[str] = mapped_column(String(320))
    bounces: Mapped[int] = mapped_column(Integer, default=0)
    last_status: Mapped[str] = mapped_column(String(16), default="")
    last_diagnostic: Mapped[str] = mapped_column(String(300), default="")
    last_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
