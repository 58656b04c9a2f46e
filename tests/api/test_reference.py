"""The API describes itself: an OpenAPI 3.1 document and a reference page drawn from it on
the server, with nothing from elsewhere and no script (the CSP stays strict)."""

from __future__ import annotations

import re

from deliberate.app import create_app


def test_the_openapi_document_is_3_1_and_names_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    assert spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    routes = {
        re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert routes == set(spec["paths"])
    problem = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(problem) == ["application/problem+json"]


def test_the_reference_page_lists_every_operation_from_local_assets_only(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    page = client.get("/api/v1/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for path, item in spec["paths"].items():
        for method in item:
            if method != "parameters":
                assert f"<code>{method.upper()} {path}</code>" in html
    assert "<script" not in html.replace('<script src="/static/', "")
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_the_factory_builds_a_second_app_with_the_same_document(client):
    first = client.get("/api/v1/openapi.json").get_json()
    other = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert other.test_client().get("/api/v1/openapi.json").get_json()["paths"] == first["paths"]
