"""The demo's mail: what the letter box (the admins' mail page) holds once the demo is loaded.

The demo's weeks of history told nobody at the time; what is news today is: the invitations
still open, the ranked vote still open, and the last vote closed, which comes in the digest.
Pavel's mailbox has been full for days: three messages bounced, and his mail is stopped."""

from __future__ import annotations

from datetime import datetime, timedelta

import click
from sqlalchemy import select, update

from deliberate.demo.people import ADMIN, DEMO_DOMAIN
from deliberate.demo.world import DemoWorld
from deliberate.extensions import db
from deliberate.notifications.models import MailStop, OutboxEvent
from deliberate.notifications.outbox import payload_of

BOUNCING = "Pavel Horák"


def quiet_history(world: DemoWorld) -> None:
    """Mark the history's events as told to nobody, but for today's news; the admin invites a
    second person today. Flushes."""
    from deliberate.accounts.services import invite_member

    pavel = world.members[BOUNCING]
    stopped = world.clock.now - timedelta(days=2)
    db.session.add(
        MailStop(
            member_id=pavel.id,
            address=pavel.email,
            bounces=3,
            last_status="5.2.2",
            last_diagnostic="smtp; 552 5.2.2 Mailbox full",
            last_at=stopped,
            stopped_at=stopped,
        )
    )
    with world.clock.at(world.clock.ago(0.05)) as moment:
        _quiet(moment)
        invite_member(
            world.members[ADMIN],
            f"ines.ferreira@{DEMO_DOMAIN}",
            "Inês Ferreira",
            valid_for=timedelta(days=14),
        )


def _quiet(moment: datetime) -> None:
    events = db.session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)).all()
    closed = [e for e in events if e.kind == "vote_closed"]
    news = {e.id for e in events if e.kind in ("invitation", "vote_opened")}
    news.update(e.id for e in closed[-1:])
    opened_then_closed = {payload_of(e)["vote_id"] for e in closed}
    news -= {
        e.id
        for e in events
        if e.kind == "vote_opened" and payload_of(e)["vote_id"] in opened_then_closed
    }
    db.session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id.not_in(news))
        .values(expanded_at=moment, secret=None)
        .execution_options(synchronize_session=False)
    )


def deliver_demo_mail() -> None:
    """Send today's news at once, with today's digest (the worker would, at its hour).
    Commits."""
    from deliberate.notifications import schedule, worker

    worker.expand_all()
    schedule.daily_digests()
    try:
        report = worker.deliver_all()
    except worker.MailServerUnavailable as error:
        click.echo(f"The mail server is unavailable ({error}); the worker will send the mail.")
        return
    click.echo(f"Sent {report.sent} messages (with no MAIL_SERVER: to the admins' mail page).")
