"""Hostile path and query parameters on every route: a 4xx or the page, never a 500, and a
refused request changes nothing.

The routes come from the app's url_map and their valid parameters from the authorization
matrix, so a new route is swept as soon as it exists.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from deliberate.extensions import limiter
from tests.security.conftest import BuiltWorld, client_as, world_case
from tests.security.snapshot import DatabaseWatch
from tests.security.test_authorization_matrix import MATRIX

HOSTILE_VALUES = [
    "0",
    "-1",
    str(2**31),
    str(2**63),
    str(10**30),
    "1e3",
    "1.0",
    "١٢",
    "²",
    "9" * 5000,
    "x" * 5000,
    "%00",
    "%FF%FE",
    " 1",
]
# The query sweep renders whole pages: the values that reach different code, as the admin.
QUERY_VALUES = ["0", str(2**63), str(10**30), "١٢", "²", "9" * 5000, "%00"]
QUERY_NAMES = (
    "page", "q", "order", "tendency", "paragraph", "subject", "purpose", "state", "text", "group",
)  # fmt: skip
ROLES = ("admin", "member")
# The readiness probe answers 503 on the tests' database, made from the models rather than by
# migrations (never at the head revision), as the authorization matrix says: its meaning, not
# a break.
NOT_READY_BY_DESIGN = frozenset({"/readyz"})
PARAMETER = re.compile(r"<(?:([^>(:]*)[^>]*:)?(\w+)>")


def _matched_arguments(app: Flask, rule: Rule, values: dict[str, str]) -> dict[str, str]:
    """A valid value for each of the rule's parameters, read off its authorization matrix
    rows (which name the world's objects)."""
    adapter = app.url_map.bind("deliberate.test")
    for row in MATRIX.get(rule.endpoint, []):
        path = row["url"].format(**values).split("?")[0]
        try:
            endpoint, arguments = adapter.match(path, method=row["method"])
        except HTTPException:  # a row for a missing object: try the next
            continue
        if endpoint == rule.endpoint:
            return {name: str(value) for name, value in arguments.items()}
    raise AssertionError(f"no matrix row gives valid parameters for {rule.rule}")


def _path(rule: Rule, arguments: dict[str, str]) -> str:
    return PARAMETER.sub(lambda m: arguments[m.group(2)], rule.rule)


def _ids(rule: Rule) -> set[str]:
    """The rule's `<int:…>` parameters: ids and numbers, which no hostile value may reach."""
    return {m.group(2) for m in PARAMETER.finditer(rule.rule) if m.group(1) == "int"}


def _methods(rule: Rule) -> list[str]:
    methods = rule.methods or set()
    return ["GET"] if "GET" in methods else ["POST"]


def _rules(app: Flask, *, with_arguments: bool) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and bool(rule.arguments) == with_arguments
    ]


def _request(client: FlaskClient, method: str, url: str) -> Any:
    limiter.reset()  # a rate limit's 429 would hide what the route does
    return client.open(url, method=method)


def _sweep(app: Flask, built: BuiltWorld, role: str, requests: list[tuple[str, str, bool]]) -> None:
    """Send each (method, url, refused): never a 500; a 3xx or 4xx when `refused`; and the
    database as it was at the end."""
    with world_case(built):
        client = client_as(app, built, role)
        failures = []
        with DatabaseWatch(built.connection) as watch:
            for method, url, refused in requests:
                status = _request(client, method, url).status_code
                if status == 503 and url.split("?")[0] in NOT_READY_BY_DESIGN:
                    continue
                if status >= 500 or (refused and not 300 <= status < 500):
                    failures.append(f"{method} {url[:120]} -> {status}")
            assert watch.unchanged(), f"hostile addresses changed {watch.changed_tables}"
    assert not failures, "\n".join(failures)


@pytest.mark.sweep
@pytest.mark.parametrize("role", ROLES)
def test_hostile_path_parameters_are_refused(app, built, role):
    requests = []
    for rule in _rules(app, with_arguments=True):
        valid = _matched_arguments(app, rule, built.values)
        for name in sorted(rule.arguments):
            for value in HOSTILE_VALUES:
                url = _path(rule, {**valid, name: quote(value, safe="%")})
                requests.extend((method, url, name in _ids(rule)) for method in _methods(rule))
    _sweep(app, built, role, requests)


def _api_query_names(app: Flask, built: BuiltWorld) -> set[str]:
    """Every query parameter the API's OpenAPI document names."""
    with world_case(built):
        document = client_as(app, built, "admin").get("/api/v1/openapi.json").get_json()
    return {
        parameter["name"]
        for operations in document["paths"].values()
        for operation in operations.values()
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "query"
    }


@pytest.mark.sweep
def test_hostile_query_parameters_never_break_a_page(app, built):
    names = sorted({*QUERY_NAMES, *_api_query_names(app, built)})
    assert {"cursor", "order", "from"} <= set(names)
    requests = []
    for rule in _rules(app, with_arguments=True) + _rules(app, with_arguments=False):
        if "GET" not in (rule.methods or set()):
            continue
        path = _path(rule, _matched_arguments(app, rule, built.values) if rule.arguments else {})
        for name in names:
            for value in QUERY_VALUES:
                requests.append(("GET", f"{path}?{name}={quote(value, safe='%')}", False))
    _sweep(app, built, "admin", requests)


@pytest.mark.parametrize(
    "url",
    [
        "/members/9223372036854775808",
        "/members/2147483648",
        "/members/0",
        "/drafts/99999999999999999999/amendments/1",
        "/debate/draft/9223372036854775808",
    ],
)
def test_ids_beyond_any_row_are_not_found(app, built, url):
    with world_case(built):
        assert client_as(app, built, "admin").get(url).status_code == 404


@pytest.mark.parametrize("path", ["/members/", "/admin/members", "/admin/audit/", "/votes/"])
@pytest.mark.parametrize("page", ["99999999999999999999", "0", "-1", "١٢", "x"])
def test_page_numbers_out_of_range_are_refused_with_a_message(app, built, path, page):
    with world_case(built):
        response = client_as(app, built, "admin").get(path, query_string={"page": page})
        assert response.status_code == 400
        assert "page number must be a whole number from 1 to 10000" in response.get_data(
            as_text=True
        )


@pytest.mark.parametrize("path", ["/members/", "/admin/members"])
def test_searches_with_control_characters_are_refused_with_a_message(app, built, path):
    with world_case(built):
        response = client_as(app, built, "admin").get(path, query_string={"q": "a\x00b"})
        assert response.status_code == 400
        assert "A search cannot contain control characters." in response.get_data(as_text=True)
