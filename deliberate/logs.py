"""Log lines and request ids: JSON lines in production, each naming the request it belongs to.

A request's id is the `X-Request-ID` header the proxy in front sent (nginx's `$request_id`),
when it is well formed: 1 to 128 letters, digits and `-_.:`, so that a client can put nothing
else in a log line through it; otherwise the app makes one. The response carries it back in
the same header. Every log line of the request carries it, and so does every task queued
during the request (deliberate/notifications/queue.py): the worker's lines for that task
name the request that caused it, on whatever host the worker runs.

LOG_FORMAT "json" (production's default) writes one JSON object a line to standard error
through python-json-logger: time (ISO 8601, UTC), level, logger, message, request_id, and the
exception when there is one.
"""

from __future__ import annotations

import logging
import re
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, request
from pythonjsonlogger.json import JsonFormatter

HEADER = "X-Request-ID"
FORMATS = ("text", "json")
WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{1,128}")
ENVIRON_ID = "deliberate.request_id"
ENVIRON_RESET = "deliberate.request_id.reset"

_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def new_request_id() -> str:
    """A fresh id, 32 hexadecimal digits like nginx's `$request_id`."""
    return secrets.token_hex(16)


def request_id_from(header: str | None) -> str:
    """The id a request goes by: the header's when it is well formed, else a new one."""
    if header is not None and WELL_FORMED.fullmatch(header):
        return header
    return new_request_id()


def current_request_id() -> str | None:
    """The id of the request or job this code runs for, if any."""
    return _current.get()


@contextmanager
def carrying(request_id: str | None) -> Iterator[str]:
    """Run a block (a worker's task) under `request_id`, or a new id when it has none (a
    periodic task): every log line of the block carries it."""
    chosen = request_id if request_id and WELL_FORMED.fullmatch(request_id) else new_request_id()
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Gives every record the id of the request or job it was logged in (or None)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True


class Formatter(JsonFormatter):
    """One JSON object a line: time, level, logger, message, request_id, then any extras."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"levelname": "level", "name": "logger", "exc_info": "exception"},
        )

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        log_data["time"] = datetime.fromtimestamp(record.created, UTC).isoformat(
            timespec="milliseconds"
        )
        super().add_fields(log_data, record, message_dict)


def json_handler(stream: Any = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(Formatter())
    handler.addFilter(RequestIdFilter())
    handler.set_name("deliberate.json")
    return handler


def text_handler(stream: Any = None) -> logging.Handler:
    """The worker's console lines when not in JSON: time, logger, request id, message."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s [%(request_id)s] %(message)s"))
    handler.addFilter(RequestIdFilter())
    handler.set_name("deliberate.text")
    return handler


def install(handler: logging.Handler) -> None:
    """Make `handler` the root logger's one handler of ours (replacing one installed before,
    so that making the app twice does not write each line twice), at level INFO."""
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() in ("deliberate.json", "deliberate.text"):
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def init_app(app: Flask) -> None:
    """Give each request its id (and the response its header); in JSON, send every log line
    to standard error as JSON. Raises RuntimeError for an unknown LOG_FORMAT."""
    form = app.config["LOG_FORMAT"]
    if form not in FORMATS:
        raise RuntimeError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {form!r}.")
    if form == "json":
        install(json_handler())

    def _take_request_id() -> None:
        chosen = request_id_from(request.headers.get(HEADER))
        request.environ[ENVIRON_ID] = chosen
        request.environ[ENVIRON_RESET] = _current.set(chosen)

    def _answer_request_id(response: Response) -> Response:
        chosen = request.environ.get(ENVIRON_ID)
        if chosen is not None:
            response.headers[HEADER] = chosen
        return response

    def _forget_request_id(_error: BaseException | None) -> None:
        # Only what this request set: a request context made inside a task (mail composes
        # its links in one) runs no before_request, and leaves the task's id as it was.
        token = request.environ.pop(ENVIRON_RESET, None)
        if token is not None:
            try:
                _current.reset(token)
            except ValueError:  # torn down in another context than it started in
                _current.set(None)

    # Before every other hook, so that their log lines carry the id too.
    app.before_request_funcs.setdefault(None, []).insert(0, _take_request_id)
    app.after_request(_answer_request_id)
    app.teardown_request(_forget_request_id)
