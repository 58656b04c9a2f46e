"""Webhook endpoints and their deliveries: one row per (event, endpoint), marked sent in the
commit that follows the receiver's 2xx answer (deliberate/webhooks/worker.py)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from deliberate.database import Base, UTCDateTime, enum_check, utcnow


class WebhookEvent(StrEnum):
    VOTE_OPENED = "vote.opened"
    VOTE_CLOSED = "vote.closed"
    RECORD_SEALED = "record.sealed"
    EVALUATION_SEALED = "evaluation.sealed"
    AMENDMENT_TABLED = "amendment.tabled"

    @property
    def label(self) -> str:
        return {
            "vote.opened": "A vote opened",
            "vote.closed": "A vote closed (with its result's link)",
            "record.sealed": "A decision record was sealed",
            "evaluation.sealed": "An evaluation was sealed",
            "amendment.tabled": "An amendment was tabled",
        }[self.value]


class WebhookState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class WebhookEndpoint(Base):
    """Where an admin asked events to be posted. The secret signs each delivery (HMAC needs
    it in the clear, so it is stored as it is: SECURITY.md)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(String(120), default="")
    events: Mapped[str] = mapped_column(String(200))  # comma-separated WebhookEvent values
    secret: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))

    @property
    def event_list(self) -> list[str]:
        return [e for e in self.events.split(",") if e]

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.id} {self.url}>"


class WebhookDelivery(Base):
    """One event for one endpoint: `body` is the exact JSON posted (signed anew, with a fresh
    timestamp, at each attempt)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_key"),
        Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),
        CheckConstraint(enum_check("state", WebhookState), name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(32))
    event_key: Mapped[str] = mapped_column(String(80))  # one occurrence: "vote.opened:12"
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=WebhookState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
