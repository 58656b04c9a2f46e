"""Health checks for load balancers and process managers.

`/healthz` says the process answers (liveness): it touches nothing else, so a database outage
does not make every instance look dead and get restarted in a loop. `/readyz` says the
instance can serve (readiness): the database answers and is at the head revision of
migrations/, and the Redis stores the instance is configured to use (rate-limit counters, the
task queue) answer. An instance started against a database a migration behind is not ready
until `flask db upgrade` has run, so a deploy can start new code first and route to it only
once the schema is there.

Both answer one word in plain text, to anyone: what failed goes to the log, never to the
client. Neither needs a login, counts against a rate limit or needs a CSRF token (they are
GET only), and neither writes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, Response, current_app
from redis import Redis
from sqlalchemy import text

from deliberate.extensions import csrf, db, limiter

log = logging.getLogger("deliberate.health")
bp = Blueprint("health", __name__)

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
# How long a readiness probe waits for Redis before calling it unreachable: a probe must
# answer well within a load balancer's own timeout (nginx's and most others' are seconds).
REDIS_TIMEOUT_SECONDS = 2.0


def _plain(word: str, status: int) -> Response:
    response = Response(word + "\n", status=status, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@limiter.exempt
@csrf.exempt
def healthz() -> Response:
    return _plain("ok", 200)


@bp.get("/readyz")
@limiter.exempt
@csrf.exempt
def readyz() -> Response:
    failed = [name for name, check in _checks(current_app) if not _passes(name, check)]
    if failed:
        log.warning("not ready: %s", ", ".join(failed))
        return _plain("unavailable", 503)
    return _plain("ready", 200)


def _passes(name: str, check: Callable[[], bool]) -> bool:
    try:
        if check():
            return True
        log.warning("readiness: %s", name)
    except Exception as error:  # any failure of a dependency is "not ready", never a 500
        log.warning("readiness: %s (%s: %s)", name, type(error).__name__, error)
    return False


def _checks(app: Flask) -> list[tuple[str, Callable[[], bool]]]:
    checks: list[tuple[str, Callable[[], bool]]] = [
        ("the database is not at the head revision of migrations/", _database_at_head)
    ]
    for setting, what in (
        ("RATELIMIT_STORAGE_URI", "the rate-limit store"),
        ("TASK_QUEUE_URL", "the task queue"),
    ):
        url = app.config.get(setting) or ""
        if url.startswith(REDIS_SCHEMES):
            checks.append((f"{what} does not answer", _redis_ping(app, url)))
    return checks


def _database_at_head() -> bool:
    connection = db.session.connection()  # the request's, rolled back at its end
    connection.execute(text("SELECT 1"))
    current = set(MigrationContext.configure(connection).get_current_heads())
    return current == migration_heads(current_app)


def migration_heads(app: Flask) -> set[str]:
    """The head revisions of the migrations shipped with this code (read once per process:
    the code, and so its migrations, do not change while it runs)."""
    heads: set[str] | None = app.extensions.get("health.heads")
    if heads is None:
        directory = Path(app.extensions["migrate"].directory)
        heads = set(ScriptDirectory(str(directory)).get_heads())
        app.extensions["health.heads"] = heads
    return heads


def _redis_ping(app: Flask, url: str) -> Callable[[], bool]:
    clients: dict[str, Any] = app.extensions.setdefault("health.redis", {})
    if url not in clients:
        clients[url] = Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
    client = clients[url]
    return lambda: bool(client.ping())
