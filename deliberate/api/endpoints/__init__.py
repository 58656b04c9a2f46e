"""The API's endpoints, one module per domain, all on the one API blueprint."""

from __future__ import annotations

from flask import Flask

from deliberate.api.http import DESCRIPTION, ProblemApi, bp


def register(app: Flask) -> ProblemApi:
    """Describe and register the API on `app`: its OpenAPI document at
    /api/v1/openapi.json, then every endpoint."""
    from deliberate.api.endpoints import me  # noqa: F401 (each module adds its routes to bp)

    api = ProblemApi(app, spec_kwargs={"info": {"description": DESCRIPTION}})
    api.spec.components.security_scheme(
        "token", {"type": "http", "scheme": "bearer", "description": "A personal access token"}
    )
    api.spec.options["security"] = [{"token": []}]
    api.register_blueprint(bp)
    return api
