"""The worker's schedule: due votes opened and closed (as `flask close-due` does), closing-soon
reminders, evaluations coming due, and the daily digests. Each job is one or a few commits and
may run on several workers at once: the keyed outbox rows and the vote locks make a second run
do nothing."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

from deliberate.accounts.models import Member, MemberStatus
from deliberate.database import utcnow
from deliberate.decisions.models import DecisionRecord, Evaluation, RecordState
from deliberate.extensions import db
from deliberate.notifications import outbox
from deliberate.notifications.categories import DIGEST
from deliberate.notifications.models import Channel, Delivery, DeliveryState
from deliberate.voting import services as voting
from deliberate.voting.models import Vote, VoteState

log = logging.getLogger("deliberate.notifications")


def close_due(now: datetime | None = None) -> tuple[list[Vote], list[Vote]]:
    """Open the scheduled votes whose time has come and close those past their close: the
    same services as `flask close-due`, in one transaction (committed here)."""
    now = now or utcnow()
    try:
        opened = voting.open_due_votes(now)
        closed = voting.close_due_votes(
            breakdown_min=current_app.config.get("SECRET_BREAKDOWN_MIN", 10), now=now
        )
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return opened, closed


def remind_closing(now: datetime | None = None) -> int:
    """One reminder per open vote that closes within VOTE_REMINDER_BEFORE, to its whole roll
    (never only to those who have not voted: who gets it must say nothing about who voted)."""
    now = now or utcnow()
    before = current_app.config["VOTE_REMINDER_BEFORE"]
    votes = db.session.scalars(
        select(Vote).where(
            Vote.state == VoteState.OPEN,
            Vote.in_person.is_(False),
            Vote.closes_at > now,
            Vote.closes_at <= now + before,
        )
    ).all()
    written = 0
    for vote in votes:
        payload = {
            "vote_id": vote.id,
            "title": vote.title,
            "closes_at": vote.closes_at.isoformat() if vote.closes_at else None,
        }
        written += outbox.add("vote_closing", payload, key=f"closing:{vote.id}") is not None
    db.session.commit()
    return written


def evaluations_coming_due(now: datetime | None = None) -> int:
    """Tell the conveners once of each sealed record whose evaluation date is within
    EVALUATION_NOTICE and whose evaluation has not opened."""
    today = (now or utcnow()).date()
    horizon = today + current_app.config["EVALUATION_NOTICE"]
    records = db.session.scalars(
        select(DecisionRecord).where(
            DecisionRecord.state == RecordState.SEALED,
            DecisionRecord.evaluation_date <= horizon,
            DecisionRecord.id.not_in(select(Evaluation.record_id)),
        )
    ).all()
    written = 0
    for record in records:
        payload = {
            "record_id": record.id,
            "title": record.title,
            "date": record.evaluation_date.isoformat() if record.evaluation_date else "",
        }
        written += outbox.add("evaluation_due", payload, key=f"evaluation:{record.id}") is not None
    db.session.commit()
    return written


def daily_digests(now: datetime | None = None, *, batch: int = 500) -> int:
    """Gather each member's waiting digest items into one digest mail (committed a batch of
    members at a time); returns the number of digests made."""
    now = now or utcnow()
    day = now.date().isoformat()
    made = 0
    after = 0
    while True:
        members = list(
            db.session.scalars(
                select(Member.id)
                .join(Delivery, Delivery.member_id == Member.id)
                .where(
                    Delivery.channel == Channel.MAIL,
                    Delivery.state == DeliveryState.DIGEST,
                    Delivery.member_id > after,
                    Member.status == MemberStatus.ACTIVE,
                )
                .group_by(Member.id)
                .order_by(Member.id)
                .limit(batch)
            )
        )
        if not members:
            return made
        for member_id in members:
            made += _digest_for(member_id, day, now)
        db.session.commit()
        after = members[-1]


def _digest_for(member_id: int, day: str, now: datetime) -> bool:
    event = outbox.add(DIGEST, {"member_id": member_id}, key=f"digest:{member_id}:{day}")
    if event is None:
        return False
    event.expanded_at = now
    digest = Delivery(
        event_id=event.id,
        member_id=member_id,
        channel=Channel.MAIL,
        state=DeliveryState.PENDING,
        attempts=0,
        created_at=now,
    )
    db.session.add(digest)
    db.session.flush()
    db.session.execute(
        update(Delivery)
        .where(
            Delivery.member_id == member_id,
            Delivery.channel == Channel.MAIL,
            Delivery.state == DeliveryState.DIGEST,
            Delivery.event_id != event.id,
        )
        .values(state=DeliveryState.DIGESTED, digest_id=digest.id)
        .execution_options(synchronize_session=False)
    )
    return True


def every_minute(now: datetime | None = None) -> None:
    """What the worker does each minute besides sending."""
    now = now or utcnow()
    close_due(now)
    remind_closing(now)
    evaluations_coming_due(now)
