"""Members' choices about their notifications: read marks, mail settings, unsubscribing."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select, update

from deliberate.accounts.models import Member
from deliberate.audit.services import record_action
from deliberate.database import utcnow
from deliberate.errors import NotFound, ValidationError
from deliberate.extensions import db
from deliberate.notifications import bounces
from deliberate.notifications.categories import CATEGORIES, DIGEST
from deliberate.notifications.models import Channel, Delivery, Mode, NotificationSetting
from deliberate.notifications.queries import settings_of


def mark_read(actor: Member, delivery_id: int | None = None) -> int:
    """Mark one of the actor's notifications read (or all, with None); returns how many.
    Raises NotFound for a notification that is not the actor's."""
    if delivery_id is not None:
        owner = db.session.scalar(
            select(Delivery.member_id).where(
                Delivery.id == delivery_id, Delivery.channel == Channel.APP
            )
        )
        if owner is None or owner != actor.id:
            raise NotFound("There is no such notification of yours.")
    condition = [
        Delivery.member_id == actor.id,
        Delivery.channel == Channel.APP,
        Delivery.read_at.is_(None),
    ]
    if delivery_id is not None:
        condition.append(Delivery.id == delivery_id)
    result = db.session.execute(
        update(Delivery)
        .where(*condition)
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def save_settings(actor: Member, chosen: Mapping[str, str]) -> None:
    """Set the actor's mode for each category given. Raises ValidationError naming an
    unknown category or mode; nothing is saved then."""
    for category, mode in chosen.items():
        if category not in CATEGORIES:
            raise ValidationError(f"There is no category “{category[:40]}”.")
        if mode not in {m.value for m in Mode}:
            raise ValidationError(f"“{mode[:40]}” is not a choice: immediately, digest or never.")
    for category, mode in chosen.items():
        _set(actor.id, category, mode)
    db.session.flush()


def unsubscribe(member_id: int, category: str) -> Member | None:
    """Stop the mails of `category` for the member (for the digest: every category now
    sent in the digest). None when the member is gone."""
    member = db.session.get(Member, member_id)
    if member is None:
        return None
    if category == DIGEST:
        for name, mode in settings_of(member).items():
            if mode == Mode.DIGEST:
                _set(member.id, name, Mode.NEVER)
    else:
        _set(member.id, category, Mode.NEVER)
    db.session.flush()
    return member


def _set(member_id: int, category: str, mode: str) -> None:
    row = db.session.scalar(
        select(NotificationSetting).where(
            NotificationSetting.member_id == member_id, NotificationSetting.category == category
        )
    )
    if row is None:
        db.session.add(NotificationSetting(member_id=member_id, category=category, mode=mode))
    else:
        row.mode = mode


def resume_mail(actor: Member) -> None:
    """Send mail to the actor's address again, after it bounced too often (they say it works
    now). Raises ValidationError when their mail is not stopped."""
    stop = bounces.stopped(actor)
    if stop is None:
        raise ValidationError("Mail to your address is not stopped.")
    db.session.delete(stop)
    record_action(actor, "mail.resumed", actor, f"{actor.display_name} resumed their mail")
    db.session.flush()
