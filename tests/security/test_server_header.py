"""What the responses say about the software behind them: no versions."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import make_member

GUNICORN = Path(sys.executable).with_name("gunicorn")
REVEALING = ("werkzeug", "python", "flask", "gunicorn/")


def revealing_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, value in headers
        if name.lower() in ("server", "x-powered-by")
        and (name.lower() == "x-powered-by" or any(word in value.lower() for word in REVEALING))
    ]


def test_the_app_adds_no_server_or_version_header(client, login_as, session):
    login_as(make_member())
    responses = [
        client.get("/"),
        client.get("/members/"),
        client.get("/no/such/page"),
        client.delete("/members/"),
        client.post("/login", data={}),
        client.get("/static/style.css"),
    ]
    for response in responses:
        assert "Server" not in response.headers
        assert revealing_headers(list(response.headers.items())) == []
        response.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def production_server(tmp_path: Path, redis_url: str) -> Iterator[int]:
    """The app served the way the README's production section says: by gunicorn."""
    port = _free_port()
    env = {
        **os.environ,
        "DELIBERATE_ENV": "production",
        "SECRET_KEY": "a key for this test only",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_KEY_PREFIX": f"test-{os.getpid()}-{port}",
    }
    server = subprocess.Popen(  # noqa: S603 (a fixed command line)
        [str(GUNICORN), "--workers", "1", "--bind", f"127.0.0.1:{port}", "deliberate:create_app()"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_production_server_names_no_version(production_server):
    connection = http.client.HTTPConnection("127.0.0.1", production_server, timeout=10)
    connection.request("GET", "/static/style.css")
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 200
    assert response.getheader("Server") == "gunicorn"
    assert revealing_headers(response.getheaders()) == []
