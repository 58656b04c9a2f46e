"""Tokens and bearer clients for the API's tests."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from deliberate.accounts.models import Member
from deliberate.api.services import create_token
from deliberate.database import utcnow

ALL = ("read", "write", "vote")


def token_for(member: Member, scopes: tuple[str, ...] = ALL, *, days: int = 30) -> str:
    """A fresh token of `member` (made through the service, as the settings page makes it)."""
    _token, secret = create_token(member, "test client", scopes, days, now=utcnow())
    return secret


def bearer(secret: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", **headers}


def api_get(client: FlaskClient, url: str, secret: str, **headers: str) -> Any:
    return client.get(url, headers=bearer(secret, **headers))


def api_post(client: FlaskClient, url: str, secret: str, body: dict[str, Any]) -> Any:
    return client.post(url, json=body, headers=bearer(secret))
