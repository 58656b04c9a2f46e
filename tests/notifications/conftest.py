"""Fixtures of the notification tests: a real SMTP server the app sends to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.notifications.smtp import SmtpServer


@pytest.fixture
def smtp(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)
    try:
        yield server
    finally:
        server.stop()
