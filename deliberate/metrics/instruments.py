"""What the app measures: counters kept by the web processes as requests happen, and gauges
read from the database and the task queue when Prometheus asks.

Labels are bounded sets only: a Flask endpoint name (never a path, which a client chooses), a
method among a known few, a status code the app answered, a state of an enum. No label ever
names a member, a vote or any other row, so nothing here says who did what, or how a given
vote is going (SECURITY.md, "Metrics").

What the worker does (mail sent or refused) and what the schedule does (votes closed on time)
happen in other processes, perhaps on other hosts; those figures are therefore read from the
database at scrape time, exact whichever process did the work, rather than counted in memory.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Flask
from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Select, func, select

from deliberate.extensions import db
from deliberate.notifications.models import Channel, Delivery, DeliveryState, OutboxEvent
from deliberate.voting.models import Vote
from deliberate.voting.vocabulary import VoteState

log = logging.getLogger("deliberate.metrics")

# The `_created` series (each one's first-use time) are left out, as in multiprocess mode.
disable_created_metrics()

#: The counters and histograms of this process (in multiprocess mode, their values are in
#: the shared folder's files, and the scrape reads those instead).
REGISTRY = CollectorRegistry(auto_describe=False)

REQUEST_SECONDS = Histogram(
    "deliberate_request_duration_seconds",
    "Time the app took to answer a request, by Flask endpoint and method.",
    ["endpoint", "method"],
    registry=REGISTRY,
)
RESPONSES = Counter(
    "deliberate_responses",
    "Responses sent, by Flask endpoint and HTTP status.",
    ["endpoint", "status"],
    registry=REGISTRY,
)
BALLOTS_CAST = Counter(
    "deliberate_ballots_cast",
    "Ballots accepted online (replacements included), every vote together.",
    registry=REGISTRY,
)

#: Methods are labels as they are; any other (a client may send any word) is "other".
METHODS = frozenset({"GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"})
#: Requests that matched no route (404, 405) share one endpoint label.
UNMATCHED = "unmatched"


def method_label(method: str) -> str:
    return method if method in METHODS else "other"


class DatabaseCollector(Collector):
    """Gauges read when Prometheus scrapes: the outbox, the mail by state, the votes by state,
    and the task queue's depth. A few counting queries over indexed columns."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        waiting = db.session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.expanded_at.is_(None))
        )
        yield _gauge(
            "deliberate_outbox_waiting",
            "Events written to the outbox that no worker has expanded into deliveries yet.",
            value=waiting or 0,
        )
        mail = _counts(
            select(Delivery.state, func.count())
            .where(Delivery.channel == Channel.MAIL)
            .group_by(Delivery.state)
        )
        yield _gauge(
            "deliberate_mail",
            "Mail deliveries as stored, by state: pending (to send), digest (waiting for a "
            "digest), sent (accepted by the mail server), failed (refused too many times)…",
            "state",
            {state.value: mail.get(state.value, 0) for state in DeliveryState},
        )
        votes = _counts(select(Vote.state, func.count()).group_by(Vote.state))
        yield _gauge(
            "deliberate_votes",
            "Votes by state (closed: counted and stored, whichever process closed them).",
            "state",
            {state.value: votes.get(state.value, 0) for state in VoteState},
        )
        yield from _queue(self.app)


def _counts(query: Select[tuple[str, int]]) -> dict[str, int]:
    return dict(db.session.execute(query).tuples().all())


def _queue(app: Flask) -> Iterable[Metric]:
    huey: Any = app.extensions.get("huey")
    if huey is None:
        return
    try:
        pending, scheduled = huey.pending_count(), huey.scheduled_count()
    except Exception as error:  # the queue's store is down: say so, rather than fail the scrape
        log.warning("the task queue could not be read for the metrics: %s", error)
        yield _gauge("deliberate_queue_reachable", "Whether the task queue answered.", value=0)
        return
    yield _gauge("deliberate_queue_reachable", "Whether the task queue answered.", value=1)
    yield _gauge(
        "deliberate_queue_tasks", "Tasks waiting in the queue for a worker.", value=pending
    )
    yield _gauge(
        "deliberate_queue_scheduled",
        "Tasks scheduled for later (retries after a failure, delayed tasks).",
        value=scheduled,
    )


def _gauge(
    name: str,
    documentation: str,
    label: str | None = None,
    values: dict[str, int] | None = None,
    *,
    value: float | None = None,
) -> GaugeMetricFamily:
    if label is None:
        return GaugeMetricFamily(name, documentation, value=value)
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for key, count in (values or {}).items():
        family.add_metric([key], count)
    return family
