"""The API's endpoints, one module per domain, all on the one API blueprint."""

from __future__ import annotations

from flask import Flask

from deliberate.api.http import DESCRIPTION, ProblemApi, bp
from deliberate.routing import MAX_ID, IdConverter


def register(app: Flask) -> ProblemApi:
    """Describe and register the API on `app`: its OpenAPI document at
    /api/v1/openapi.json, then every endpoint."""
    # Each module adds its routes to bp.
    from deliberate.api.endpoints import (  # noqa: F401
        debate,
        decisions,
        drafts,
        me,
        members,
        papers,
        tendencies,
        votes,
    )

    api = ProblemApi(app, spec_kwargs={"info": {"description": DESCRIPTION}})
    api.register_converter(
        IdConverter, lambda _converter: {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    )
    api.spec.components.security_scheme(
        "token", {"type": "http", "scheme": "bearer", "description": "A personal access token"}
    )
    api.spec.options["security"] = [{"token": []}]
    api.register_blueprint(bp)
    return api
