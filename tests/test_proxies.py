"""Forwarded headers are believed for exactly TRUSTED_PROXIES hops: the client's address and
scheme are what the last proxies say, and whatever a client forges before them changes
nothing (tests/deploy shows the same through nginx)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask, request

from deliberate import create_app
from tests.conftest import limiter_kept


def app_behind(hops: int) -> Iterator[Flask]:
    with limiter_kept():
        app = create_app(
            {
                "ENV_NAME": "testing",
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "TRUSTED_PROXIES": hops,
            }
        )
        # What the app believes of the request, as the rate limits' keys read it.
        app.add_url_rule("/seen", "seen", lambda: f"{request.remote_addr} {request.scheme}")
        yield app


@pytest.fixture
def behind_one() -> Iterator[Flask]:
    yield from app_behind(1)


@pytest.fixture
def behind_none() -> Iterator[Flask]:
    yield from app_behind(0)


def seen(app: Flask, headers: dict[str, str]) -> str:
    response = app.test_client().get(
        "/seen", headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    return response.get_data(as_text=True)


def test_one_proxy_gives_the_address_and_scheme_it_saw(behind_one):
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    assert seen(behind_one, headers) == "203.0.113.7 https"


def test_what_a_client_forges_before_the_proxy_changes_nothing(behind_one):
    # The client sent X-Forwarded-For: 198.51.100.1 and X-Forwarded-Proto: https; the proxy
    # appended the address it saw and its own scheme.
    forged = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7", "X-Forwarded-Proto": "https, http"}
    assert seen(behind_one, forged) == "203.0.113.7 http"


def test_without_trusted_proxies_the_headers_are_ignored(behind_none):
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    assert seen(behind_none, headers) == "127.0.0.1 http"
