"""The health checks: /healthz answers while the process does, /readyz only when the database
is at the head revision of migrations/ and the Redis stores configured answer; both one word,
to anyone, revealing nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import text

from deliberate.health import migration_heads
from tests.factories import make_member

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def stamp(session, revisions: set[str]) -> None:
    """The database marked at these revisions, as `flask db upgrade` leaves it (inside the
    test's transaction, rolled back afterwards)."""
    session.execute(
        text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
    )
    for revision in revisions:
        session.execute(text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision})


@contextmanager
def setting(app: Flask, name: str, value: str) -> Iterator[None]:
    before = app.config.get(name)
    app.config[name] = value
    try:
        yield
    finally:
        app.config[name] = before


def test_healthz_says_ok_and_nothing_else(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"
    assert response.mimetype == "text/plain"
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_answers_a_logged_in_member_alike(client, login_as):
    login_as(make_member())
    assert client.get("/healthz").get_data(as_text=True) == "ok\n"


def test_readyz_refuses_a_database_made_without_migrations(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_data(as_text=True) == "unavailable\n"


def test_readyz_is_ready_once_the_database_is_at_the_head_revision(app, client, session):
    stamp(session, migration_heads(app))
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ready\n"


def test_readyz_refuses_a_database_one_migration_behind(app, client, session):
    stamp(session, {"0001"})
    assert client.get("/readyz").status_code == 503


def test_readyz_refuses_when_the_task_queue_does_not_answer(app, client, session, caplog):
    stamp(session, migration_heads(app))
    with setting(app, "TASK_QUEUE_URL", UNREACHABLE_REDIS):
        response = client.get("/readyz")
    assert response.status_code == 503
    # What failed is in the log for the operator, never in the answer.
    assert response.get_data(as_text=True) == "unavailable\n"
    assert "the task queue does not answer" in caplog.text


def test_readyz_refuses_when_the_rate_limit_store_does_not_answer(app, client, session, caplog):
    stamp(session, migration_heads(app))
    with setting(app, "RATELIMIT_STORAGE_URI", UNREACHABLE_REDIS):
        assert client.get("/readyz").status_code == 503
    assert "the rate-limit store does not answer" in caplog.text


def test_readyz_is_ready_when_the_configured_redis_answers(app, client, session, redis_url):
    stamp(session, migration_heads(app))
    with (
        setting(app, "TASK_QUEUE_URL", redis_url),
        setting(app, "RATELIMIT_STORAGE_URI", redis_url),
    ):
        assert client.get("/readyz").status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_take_no_post(client, path):
    assert client.post(path).status_code == 405
