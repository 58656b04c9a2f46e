"""Site-wide behaviour: security headers, error pages, CSRF, configuration."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from flask import Flask

from config import CONTENT_SECURITY_POLICY, ProductionConfig, from_environment
from deliberate import create_app
from deliberate.extensions import db
from tests.conftest import limiter_kept
from tests.factories import PASSWORD, make_member


def assert_security_headers(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "form-action 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


@pytest.mark.parametrize("path", ["/", "/login", "/no-such-page", "/static/style.css"])
def test_security_headers_on_anonymous_responses(client, path):
    with client.get(path) as response:
        assert_security_headers(response)
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_security_headers_on_error_and_post_responses(client, login_as, session):
    login_as(make_member())
    for response in (
        client.get("/admin/members"),  # 403
        client.post("/logout"),  # 303
        client.post("/login", data={"email": "x@example.org", "password": "bad"}),  # 401
    ):
        assert_security_headers(response)


def test_error_pages_use_the_site_layout(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Not found" in response.data
    assert b'<header class="site">' in response.data


def test_oversized_body_gets_413(client):
    response = client.post("/login", data={"email": "a" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert b"larger than this site accepts" in response.data


def test_post_without_csrf_token_is_refused(client, csrf_enabled):
    response = client.post("/login", data={"email": "a@example.org", "password": "x" * 12})
    assert response.status_code == 400
    assert b"security token" in response.data


def test_logout_is_post_only(client, login_as):
    login_as(make_member())
    assert client.get("/logout").status_code == 405


def test_production_refuses_the_default_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_refuses_rate_limit_counters_kept_per_process(monkeypatch):
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    with limiter_kept(), pytest.raises(RuntimeError, match="shared by every process"):
        create_app(
            {
                "ENV_NAME": "production",
                "SECRET_KEY": "x" * 40,
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "RATELIMIT_STORAGE_URI": "memory://",
            }
        )


def test_production_refuses_to_start_when_the_shared_store_does_not_answer(monkeypatch):
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    with limiter_kept(), pytest.raises(RuntimeError) as refused:
        create_app(
            {
                "ENV_NAME": "production",
                "SECRET_KEY": "x" * 40,
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "RATELIMIT_STORAGE_URI": "redis://:hunter2-secret@127.0.0.1:1/0",
            }
        )
    message = str(refused.value)
    assert "redis://:***@127.0.0.1:1/0 does not answer" in message
    assert "hunter2" not in message


def test_production_keeps_rate_limit_counters_in_the_local_redis_unless_told_otherwise():
    assert ProductionConfig.RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379/0"
    elsewhere = from_environment({"RATELIMIT_STORAGE_URI": "redis://cache.internal:6379/2"})
    assert elsewhere["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/2"


@pytest.fixture
def production_app(redis_url: str) -> Iterator[Flask]:
    """A production app on a database of its own in memory (hashing as cheap as in tests),
    its rate-limit counters in the tests' Redis under a prefix of its own."""
    with limiter_kept():
        app = create_app(
            {
                "ENV_NAME": "production",
                "SECRET_KEY": "x" * 40,
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "WTF_CSRF_ENABLED": False,
                "ARGON2_TIME_COST": 1,
                "ARGON2_MEMORY_COST": 8,
                "ARGON2_PARALLELISM": 1,
                "RATELIMIT_STORAGE_URI": redis_url,
                "RATELIMIT_KEY_PREFIX": f"test-{secrets.token_hex(4)}",
            }
        )
        with app.app_context():
            db.create_all()
            yield app
            db.session.remove()
            db.engine.dispose()


def test_production_login_cookies_go_over_https_only_and_never_to_scripts(production_app):
    member = make_member()
    db.session.commit()
    response = production_app.test_client().post(
        "/login", data={"email": member.email, "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 303
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert set(cookies) == {"session", "remember_token"}
    for cookie in cookies.values():
        assert "; Secure" in cookie
        assert "; HttpOnly" in cookie
        assert "; SameSite=Lax" in cookie


def test_production_refuses_oversized_bodies(production_app):
    response = production_app.test_client().post("/login", data={"email": "a" * (3 << 20)})
    assert response.status_code == 413


def test_session_cookie_flags_on_login(client, session):
    member = make_member()
    response = client.post(
        "/login", data={"email": member.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
