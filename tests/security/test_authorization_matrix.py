"""Every route × role × state answers as the authorization matrix says, and nothing leaks."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from tests.layout import assert_tables_boxed
from tests.security.conftest import client_as, world_case
from tests.security.snapshot import DatabaseWatch
from tests.security.world import ROLES, STATES
from tests.test_app import assert_security_headers

MATRIX_FILE = Path(__file__).with_name("authorization_matrix.yaml")
MATRIX: dict[str, list[dict[str, Any]]] = yaml.safe_load(MATRIX_FILE.read_text())["routes"]
IGNORED_METHODS = {"HEAD", "OPTIONS"}
# Refusals: a redirect to the login page or a client error. Successful POSTs (200 with a
# result page, 303) may change data; nothing else may.
UNCHANGING_STATUSES = {302, 400, 401, 403, 404, 405, 409, 413, 429}


def expected_status(row: dict[str, Any], role: str) -> int:
    expect = row["expect"]
    return int(expect.get(role, expect.get("default")))


CASES = [
    pytest.param(endpoint, index, role, id=f"{endpoint}[{index}]-{role}")
    for endpoint, rows in MATRIX.items()
    for index, _row in enumerate(rows)
    for role in ROLES
]


def test_every_route_and_method_has_rows(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        covered = {row["method"] for row in MATRIX.get(rule.endpoint, [])}
        for method in sorted((rule.methods or set()) - IGNORED_METHODS - covered):
            missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, "routes missing from authorization_matrix.yaml:\n" + "\n".join(missing)


def test_matrix_rows_are_well_formed(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    for endpoint, rows in MATRIX.items():
        assert endpoint in endpoints, f"{endpoint} is in the matrix but not in the app"
        for row in rows:
            assert row["method"] in {"GET", "POST"}
            assert row.get("state") is None or row["state"] in STATES
            assert set(row.get("settings") or {}) <= set(app.config), endpoint
            for role in ROLES:
                assert expected_status(row, role), f"{endpoint}: no expectation for {role}"


def _fill(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    return str(value).format(**values)


@pytest.mark.sweep
@pytest.mark.parametrize(("endpoint", "index", "role"), CASES)
def test_route_answers_each_role_as_the_matrix_says(app, built, endpoint, index, role):
    row = MATRIX[endpoint][index]
    with (
        settings(app, row.get("settings") or {}),
        world_case(built, row.get("state")),
        DatabaseWatch(built.connection) as watch,
    ):
        check_row(client_as(app, built, role), row, role, built.values, watch)


@contextmanager
def settings(app: Flask, values: dict[str, Any]) -> Iterator[None]:
    """The organization's settings a row is answered under, restored afterwards."""
    saved = {name: app.config[name] for name in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(saved)


def _fill_json(value: Any, values: dict[str, str]) -> Any:
    """A JSON body with the world's placeholders: "{name}" alone becomes the object's id."""
    if isinstance(value, dict):
        return {key: _fill_json(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill_json(item, values) for item in value]
    if isinstance(value, str):
        filled = value.format(**values)
        whole = value.startswith("{") and value.endswith("}") and value.count("{") == 1
        return int(filled) if whole and filled.isdigit() else filled
    return value


def check_row(
    client: FlaskClient,
    row: dict[str, Any],
    role: str,
    values: dict[str, str],
    watch: DatabaseWatch,
) -> None:
    data = {name: _fill(value, values) for name, value in (row.get("data") or {}).items()}
    for name, content in (row.get("files") or {}).items():
        data[name] = (io.BytesIO(content.encode()), "upload.csv")
    headers = {}
    if row.get("token") and role != "anonymous":
        # The API with the role's personal access token instead of the session's cookie.
        client = client.application.test_client()
        headers["Authorization"] = f"Bearer {values[role + '_secret']}"
    if row.get("json") is not None:
        response = client.open(
            row["url"].format(**values),
            method=row["method"],
            json=_fill_json(row["json"], values),
            headers=headers,
        )
    else:
        response = client.open(
            row["url"].format(**values), method=row["method"], data=data, headers=headers
        )
    expected = expected_status(row, role)
    assert response.status_code == expected, response.get_data(as_text=True)[:2000]
    assert_security_headers(response)
    for cookie in response.headers.getlist("Set-Cookie"):
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
    if response.status_code == 200 and response.mimetype == "text/html":
        assert_tables_boxed(response.get_data(as_text=True))
    if row["method"] == "GET" or expected in UNCHANGING_STATUSES:
        assert watch.unchanged(), f"a refused request or a GET changed {watch.changed_tables}"
