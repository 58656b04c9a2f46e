"""Site-wide behaviour: security headers, error pages, CSRF, configuration."""

from __future__ import annotations

import pytest

from config import CONTENT_SECURITY_POLICY
from deliberate import create_app
from tests.factories import make_member


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


def test_production_cookies_are_secure():
    app = create_app(
        {"ENV_NAME": "production", "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["MAX_CONTENT_LENGTH"]


def test_session_cookie_flags_on_login(client, session):
    member = make_member()
    response = client.post(
        "/login", data={"email": member.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
