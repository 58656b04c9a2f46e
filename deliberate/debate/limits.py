"""The one posting budget per member: comments, replies and edits, through the pages and
through the API alike, draw on the same counter (scope "posting"), so a member who reached it
on one route cannot carry on through another."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app

from deliberate.auth import member_rate_key
from deliberate.extensions import limiter


def posting_limit(success_status: int) -> Callable[[Any], Any]:
    """The budget as a route decorator; a request counts when it answers `success_status`
    (a page's 303, the API's 201), so a refused post costs nothing."""
    return limiter.shared_limit(
        lambda: current_app.config["COMMENT_LIMIT_PER_MEMBER"],
        scope="posting",
        key_func=member_rate_key,
        methods=["POST"],
        deduct_when=lambda response: response.status_code == success_status,
        error_message=(
            "You are posting faster than this site allows. Wait a minute and try again."
        ),
    )
