"""The tendencies, as their list page shows them: name, line, size."""

from __future__ import annotations

from typing import Any

from deliberate.api import schemas
from deliberate.api.http import bp, require_scope
from deliberate.api.models import Scope
from deliberate.tendencies import queries


@bp.get("/tendencies")
@bp.response(200, schemas.Tendency(many=True))
def tendencies() -> list[dict[str, Any]]:
    """Every tendency with its current size, by name"""
    require_scope(Scope.READ)
    return [
        {
            "id": s.tendency.id,
            "name": s.tendency.name,
            "line": s.tendency.line_markdown,
            "size": s.size,
        }
        for s in queries.tendency_summaries()
    ]
