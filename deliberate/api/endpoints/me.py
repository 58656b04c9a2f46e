"""Who the request acts as."""

from __future__ import annotations

from typing import Any

from flask import g

from deliberate.api import schemas
from deliberate.api.http import bp, require_scope
from deliberate.api.models import Scope


@bp.get("/me")
@bp.response(200, schemas.Me)
def me() -> dict[str, Any]:
    """The member the request acts as, and what it may do"""
    member = require_scope(Scope.READ)
    token = g.api_token
    return {
        "id": member.id,
        "display_name": member.display_name,
        "role": member.role,
        "scopes": sorted(g.api_scopes),
        "token": token.prefix if token is not None else None,
    }
