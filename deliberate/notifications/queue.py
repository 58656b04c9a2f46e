"""The task queue under the worker: Huey.

Huey is small and well kept, runs on Redis in production (several workers on several hosts
share one queue), on a SQLite file with no other service for `make run`, and in memory for the
tests; it retries tasks with backoff and runs periodic tasks on a crontab. TASK_QUEUE_URL
chooses: empty for the SQLite file in the instance folder, `redis://…`, or `memory`.

The queue only wakes the worker and keeps the schedule: what is sent, and that it is sent
once, is in the database (deliberate/notifications/worker.py), so a task run twice or lost
changes nothing; the minute's periodic task picks up whatever a lost wake-up left waiting.

A task queued during a request carries the request's id (deliberate/logs.py), and the
worker's log lines for it name that id; a periodic task's run gets an id of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab

from deliberate import events, logs
from deliberate.notifications import schedule, worker
from deliberate.notifications.outbox import OutboxWritten
from deliberate.webhooks import worker as webhooks_worker
from deliberate.webhooks.outbox import WebhooksQueued

log = logging.getLogger("deliberate.notifications")


def make_queue(app: Flask) -> Huey:
    """The application's queue and its tasks, kept in `app.extensions["huey"]`."""
    url = app.config.get("TASK_QUEUE_URL") or ""
    name = app.config.get("TASK_QUEUE_NAME") or "deliberate"
    huey: Huey
    if url == "memory":
        huey = MemoryHuey(name)
    elif url.startswith(("redis://", "rediss://", "unix://")):
        huey = RedisHuey(name, url=url)
    else:
        path = url.removeprefix("sqlite:///") or str(Path(app.instance_path) / "tasks.db")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(name, filename=path)

    plain_execute = huey.execute

    def execute(task: Any, timestamp: Any = None) -> Any:
        # Every line of a task's run, Huey's own included, under the id of the request that
        # queued it (its `request_id` argument), or a new one (a periodic task's run).
        with logs.carrying((task.kwargs or {}).get("request_id")):
            return plain_execute(task, timestamp)

    huey.execute = execute

    def helpers_for(request_id: str | None) -> Callable[[], None]:
        def call_helpers() -> None:
            # More mail than one batch (a vote opened for a large roll): other workers, on
            # this host or another, join in; a helper that finds the work done leaves.
            for _ in range(app.config["MAIL_HELPERS"]):
                deliver(request_id=request_id, helping=True)

        return call_helpers

    @huey.task(retries=10, retry_delay=5, retry_backoff=2, name="deliver")
    def deliver(request_id: str | None = None, helping: bool = False) -> None:
        with app.app_context():
            # MailServerUnavailable: Huey retries later, and later.
            worker.deliver_all(helpers=None if helping else helpers_for(request_id))

    @huey.task(name="send_webhooks")
    def send_webhooks(request_id: str | None = None) -> None:
        with app.app_context():
            webhooks_worker.send_due()  # what fails waits its backoff: the minute's task

    @huey.periodic_task(crontab(minute="*"), name="every_minute")
    def every_minute() -> None:
        with app.app_context():
            schedule.every_minute()
            webhooks_worker.send_due()  # retries whose backoff has passed
            try:
                worker.deliver_all(helpers=helpers_for(logs.current_request_id()))
            except worker.MailServerUnavailable as error:
                log.warning("the mail server is unavailable (%s); next minute again", error)

    @huey.periodic_task(crontab(minute="0", hour=str(app.config["DIGEST_HOUR"])), name="digests")
    def digests() -> None:
        with app.app_context():
            worker.expand_all()  # what happened up to now goes in today's digest
            schedule.daily_digests()
        deliver(request_id=logs.current_request_id())

    app.extensions["huey"] = huey
    app.extensions["huey.deliver"] = deliver
    app.extensions["huey.send_webhooks"] = send_webhooks
    return huey


def _kick(task_name: str) -> None:
    """Ask a worker to run the task now, after the commit that gave it work; a queue that is
    down only delays it: the minute's task finds the rows anyway."""
    task: Any = current_app.extensions.get(task_name)
    if task is None:
        return
    try:
        task(request_id=logs.current_request_id())
    except Exception:
        log.exception("could not wake the worker (%s)", task_name)


def wake(_event: OutboxWritten) -> None:
    """After a commit that wrote to the outbox: ask a worker to deliver now."""
    _kick("huey.deliver")


def wake_webhooks(_event: WebhooksQueued) -> None:
    """After a commit that queued webhook deliveries: ask a worker to send them now."""
    _kick("huey.send_webhooks")


events.subscribe(OutboxWritten, wake)
events.subscribe(WebhooksQueued, wake_webhooks)
