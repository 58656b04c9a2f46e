"""Request ids and JSON log lines: the id nginx sends (or one the app makes) is on the
response, on every log line of the request, and on the worker's lines for the task the
request queued."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from config import from_environment
from deliberate import create_app, logs
from deliberate.accounts.models import MemberRole
from deliberate.extensions import db
from deliberate.voting import services
from deliberate.voting.rules import Settings
from tests.conftest import login_with_id
from tests.factories import make_member

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """What the JSON handler create_app installs writes (`json_app`), and the handler
    removed afterwards."""
    written = io.StringIO()
    yield written
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() in ("deliberate.json", "deliberate.text"):
            root.removeHandler(handler)


def parsed(written: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in written.getvalue().splitlines() if line.strip()]


def json_app(tmp_path: Path, lines: io.StringIO, **settings) -> Flask:
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'logs.db'}",
            "LOG_FORMAT": "json",
            "MAIL_LETTERBOX": str(tmp_path / "mail"),
            "WTF_CSRF_ENABLED": False,
            **settings,
        }
    )
    with app.app_context():
        db.create_all()
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "deliberate.json"]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(lines)  # standard error, as the app set it up, is pytest's here
    return app


@pytest.mark.parametrize(
    "sent", ["0f8c2a9e1d7b4c3a9e8f7d6c5b4a3921", "req-2026.12.06:web-1_7", "a", "A" * 128]
)
def test_a_well_formed_request_id_is_kept_and_answered(client, sent):
    answer = client.get("/help", headers={"X-Request-ID": sent})
    assert answer.headers["X-Request-ID"] == sent


@pytest.mark.parametrize(
    "sent",
    ["", "A" * 129, "two words", 'x"}, "level": "CRITICAL', "<script>", "ré", "a\tb", "%0a"],
)
def test_a_malformed_request_id_is_replaced_by_one_of_the_app_s(client, sent):
    answer = client.get("/help", headers={"X-Request-ID": sent})
    assert GENERATED.fullmatch(answer.headers["X-Request-ID"])


def test_without_a_request_id_each_request_gets_its_own(client):
    first = client.get("/help").headers["X-Request-ID"]
    second = client.get("/help").headers["X-Request-ID"]
    assert GENERATED.fullmatch(first)
    assert GENERATED.fullmatch(second)
    assert first != second


def test_every_line_of_a_request_is_json_with_its_id(tmp_path, lines):
    app = json_app(tmp_path, lines)
    with app.app_context():
        member = make_member("Curious Member")
        db.session.commit()
        member_id = member.get_id()
    client = app.test_client()
    login_with_id(client, member_id)
    answer = client.get("/admin/members", headers={"X-Request-ID": "edge-403-check"})
    assert answer.status_code == 403
    logged = [line for line in parsed(lines) if line["logger"] == "deliberate.security"]
    assert len(logged) == 1
    assert logged[0]["request_id"] == "edge-403-check"
    assert logged[0]["level"] == "WARNING"
    assert logged[0]["message"].startswith("403 for")
    assert logged[0]["time"].endswith("+00:00")
    assert answer.headers["X-Request-ID"] == "edge-403-check"


def test_a_failure_s_traceback_stays_inside_its_json_line(tmp_path, lines):
    app = json_app(tmp_path, lines, PROPAGATE_EXCEPTIONS=False)  # as served, not as tested

    @app.get("/fails")
    def fails() -> str:
        raise RuntimeError("a line break\nin the message")

    answer = app.test_client().get("/fails", headers={"X-Request-ID": "boom-1"})
    assert answer.status_code == 500
    [failure] = [line for line in parsed(lines) if line["level"] == "ERROR"]
    assert failure["request_id"] == "boom-1"
    assert "RuntimeError: a line break\nin the message" in failure["exception"]


def test_the_worker_s_lines_name_the_request_that_queued_its_task(tmp_path, lines):
    app = json_app(tmp_path, lines)
    with app.app_context():
        convener = make_member("Log Convener", role=MemberRole.CONVENER)
        make_member("Roll Member")
        db.session.commit()
        convener_id = convener.id

    @app.post("/open-a-vote")
    def open_a_vote() -> str:
        actor = db.session.get_one(type(convener), convener_id)
        services.create_vote(
            actor, title="Carry the id?", settings=Settings(method="majority", threshold="simple")
        )
        db.session.commit()  # the outbox row, then the worker woken with this request's id
        return "opened"

    answer = app.test_client().post("/open-a-vote", headers={"X-Request-ID": "nginx-7f3a"})
    assert answer.status_code == 200
    huey = app.extensions["huey"]
    task = huey.dequeue()
    assert task is not None
    assert task.kwargs == {"request_id": "nginx-7f3a"}
    before = len(parsed(lines))
    huey.execute(task)  # what the worker process does with it
    worker_lines = parsed(lines)[before:]
    mailed = [line for line in worker_lines if line["logger"] == "deliberate.mail"]
    assert len(mailed) == 2  # the convener and the member on the roll
    assert {line["request_id"] for line in worker_lines} == {"nginx-7f3a"}


def test_a_periodic_task_s_lines_carry_an_id_of_its_own(tmp_path, lines):
    app = json_app(tmp_path, lines)
    with logs.carrying(None) as first, logs.carrying(None) as second:
        logging.getLogger("deliberate.test").warning("inside")
    assert GENERATED.fullmatch(first)
    assert first != second
    assert parsed(lines)[-1]["request_id"] == second
    assert app.config["LOG_FORMAT"] == "json"
    assert logs.current_request_id() is None


def test_the_worker_s_text_lines_carry_the_id_too(lines):
    stream = io.StringIO()
    logs.install(logs.text_handler(stream))
    with logs.carrying("job-42"):
        logging.getLogger("deliberate.test").warning("sent")
    assert "deliberate.test [job-42] sent" in stream.getvalue()


def test_production_logs_json_unless_told_otherwise():
    from config import ProductionConfig, TestingConfig

    assert ProductionConfig.LOG_FORMAT == "json"
    assert TestingConfig.LOG_FORMAT == "text"
    assert from_environment({"LOG_FORMAT": "JSON "})["LOG_FORMAT"] == "json"
    with pytest.raises(RuntimeError, match="LOG_FORMAT must be one of text, json"):
        create_app(
            {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://", "LOG_FORMAT": "xml"}
        )
