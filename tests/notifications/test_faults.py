"""Faults on the way to the members: the mail server refusing connections and dropping one
mid-batch, a worker killed mid-batch, two workers at once. Every message arrives exactly
once (one per delivery, each Message-ID once)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from deliberate.accounts.models import MemberRole
from deliberate.database import utcnow
from deliberate.extensions import db
from deliberate.notifications import worker
from deliberate.notifications.models import Channel, Delivery, DeliveryState, OutboxEvent
from tests.conftest import POSTGRES_URL
from tests.factories import make_member
from tests.notifications.smtp import SmtpServer
from tests.notifications.test_delivery import open_vote


def exactly_once(smtp: SmtpServer, emails: set[str]) -> None:
    """Each address got the vote's opening once (and nothing else)."""
    assert {str(m["Subject"]).split("] ")[1] for m in smtp.sink.messages} == {"Vote open: Q?"}
    received = Counter(m["To"].addresses[0].addr_spec for m in smtp.sink.messages)
    assert set(received) == emails
    assert set(received.values()) == {1}
    assert len(set(smtp.sink.ids())) == len(smtp.sink.messages)


def roll_of(count: int) -> set[str]:
    convener = make_member("Convener", role=MemberRole.CONVENER)
    members = [make_member(f"Roll {n}") for n in range(count)]
    open_vote(convener, "Q?", closes_in=timedelta(days=3))  # no closing-soon reminder
    emails = {m.email for m in [convener, *members]}
    db.session.commit()
    db.session.close()  # no transaction of ours stays open while the workers write
    return emails


def test_a_server_refusing_connections_then_recovering_gets_each_message_once(
    app, session, smtp, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_BATCH", 4)
    emails = roll_of(9)
    smtp.stop()
    with pytest.raises(worker.MailServerUnavailable):
        worker.deliver_all()
    assert (
        db.session.scalar(
            select(func.count()).where(Delivery.sent_at.is_not(None), Delivery.channel == "mail")
        )
        == 0
    )
    smtp.start()
    worker.deliver_all()
    worker.deliver_all()
    exactly_once(smtp, emails)


def test_in_app_notifications_do_not_wait_for_a_mail_server_that_is_down(
    app, session, smtp, monkeypatch
):
    monkeypatch.setitem(app.config, "NOTIFY_BATCH", 3)
    emails = roll_of(9)
    smtp.stop()
    with pytest.raises(worker.MailServerUnavailable):
        worker.deliver_all()
    # The whole roll's notifications are in the app, though the first batch's mail failed.
    in_app = select(func.count()).where(Delivery.channel == Channel.APP)
    assert db.session.scalar(in_app) == len(emails)


def test_a_connection_dropped_mid_batch_then_recovering_gets_each_message_once(
    app, session, smtp, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_BATCH", 5)
    emails = roll_of(11)
    smtp.sink.drop_at = 3
    with pytest.raises(worker.MailServerUnavailable):
        worker.deliver_all()
    assert len(smtp.sink.messages) == 2  # the third was cut off before it was accepted
    worker.deliver_all()  # released at once: no lease to wait for
    exactly_once(smtp, emails)
    attempts = db.session.scalars(select(Delivery.attempts).where(Delivery.channel == "mail"))
    assert set(attempts) == {0}  # the server's fault counts against no address


def run_worker(app: Flask, smtp: SmtpServer, **extra: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DELIBERATE_ENV": "testing",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        **extra,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "deliberate", "worker", "--once"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_a_worker_killed_mid_batch_leaves_the_rest_to_another_with_no_duplicate(
    app, committed, smtp
):
    emails = roll_of(12)
    smtp.sink.hold_at = 5
    first = run_worker(app, smtp, MAIL_BATCH="50")
    assert smtp.sink.held.wait(60), first.communicate()
    first.send_signal(signal.SIGKILL)
    first.communicate()  # reaped, its pipes closed
    smtp.sink.release.set()
    assert len(smtp.sink.messages) == 4
    # Its claim holds until the lease lapses; then another worker takes what it had not sent.
    worker.deliver_all()
    assert len(smtp.sink.messages) == 4
    lease = app.config["MAIL_CLAIM_SECONDS"]
    worker.deliver_all(now=utcnow() + timedelta(seconds=lease + 1))
    exactly_once(smtp, emails)


def test_two_workers_at_once_send_each_message_once(app, committed, smtp):
    emails = roll_of(40)
    workers = [run_worker(app, smtp, MAIL_BATCH="5") for _ in range(2)]
    for process in workers:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()[-2000:]
    exactly_once(smtp, emails)
    states = db.session.scalars(select(Delivery.state).where(Delivery.channel == "mail"))
    assert set(states) == {DeliveryState.SENT}


@pytest.mark.skipif(POSTGRES_URL is None, reason="row locks skipped: PostgreSQL only")
def test_an_idle_worker_waits_for_another_s_expansion_and_takes_it_over_if_it_stops(
    app, committed, smtp, monkeypatch
):
    monkeypatch.setitem(app.config, "NOTIFY_BATCH", 5)
    emails = roll_of(12)
    # Another worker is writing a batch of the vote's deliveries: it holds the event's row.
    other = db.engine.connect()
    expanding = other.begin()
    other.execute(select(OutboxEvent.id).where(OutboxEvent.expanded_at.is_(None)).with_for_update())
    reports: list[worker.SendReport] = []

    def second_worker() -> None:
        with app.app_context():
            reports.append(worker.deliver_all())
            db.session.remove()

    thread = threading.Thread(target=second_worker)
    thread.start()
    try:
        thread.join(1.5)
        # Nothing expanded yet, so nothing to send: it waits for the batch, it does not leave.
        assert thread.is_alive()
        assert smtp.sink.messages == []
    finally:
        expanding.rollback()  # the other worker dies mid-batch, its batch undone
        other.close()
    thread.join(60)
    assert not thread.is_alive()
    # The waiting worker took the expansion over and sent every message, once.
    assert reports[0].sent == len(emails)
    exactly_once(smtp, emails)


@pytest.mark.parametrize(("roll", "helpers"), [(7, 2), (1, 0)])
def test_a_worker_with_more_mail_than_one_batch_calls_other_workers_in(
    app, committed, smtp, monkeypatch, roll, helpers
):
    monkeypatch.setitem(app.config, "MAIL_BATCH", 3)
    monkeypatch.setitem(app.config, "MAIL_HELPERS", 2)
    huey = app.extensions["huey"]
    huey.flush()
    emails = roll_of(roll)  # the convener and the roll: 8 mails, then 2
    woken = huey.dequeue()  # the wake-up the vote's opening queued after its commit
    assert woken.name == "deliver"
    huey.execute(woken)
    queued = [huey.dequeue() for _ in range(huey.pending_count())]
    assert [(task.name, task.kwargs["helping"]) for task in queued] == [("deliver", True)] * helpers
    for task in queued:
        huey.execute(task)  # the work is done: they leave, and call no one in
    assert huey.pending_count() == 0
    exactly_once(smtp, emails)


def test_a_worker_of_three_processes_sends_each_message_once(app, committed, smtp, tmp_path):
    """`flask worker --kind process`, here chosen in the settings as the shipped unit reads
    them (WORKER_KIND, WORKER_CONCURRENCY): the queue's consumer forks its workers, each with
    its own database connections; the vote's mail all arrives, once."""
    emails = roll_of(30)
    queue = f"sqlite:///{tmp_path / 'tasks.db'}"
    consumer = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "deliberate", "worker"],
        env={
            **os.environ,
            "DELIBERATE_ENV": "testing",
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp.port),
            "MAIL_BATCH": "5",
            "MAIL_HELPERS": "1",
            "TASK_QUEUE_URL": queue,
            "WORKER_KIND": "process",
            "WORKER_CONCURRENCY": "3",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        while len(smtp.sink.messages) < len(emails) and time.monotonic() < deadline:
            assert consumer.poll() is None, consumer.communicate()
            time.sleep(0.1)
    finally:
        consumer.send_signal(signal.SIGINT)
        _out, err = consumer.communicate(timeout=60)
    assert "started with 3 process" in err.decode()  # the workers the settings chose
    exactly_once(smtp, emails)
