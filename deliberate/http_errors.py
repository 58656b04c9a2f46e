"""What the web answers for a refusal or a failure: each error becomes a `Problem` (status,
title, detail), shown today as an HTML error page.

`problem_of` is the one mapping from an exception (a domain error from deliberate/errors.py,
an HTTP error, a failed CSRF check) to what a member is told; a JSON front end answers the
same `Problem` as `application/problem+json` (RFC 9457: its `status`, `title` and `detail`)
beside the HTML handlers registered here.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from flask import Flask, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from deliberate.errors import DomainError
from deliberate.extensions import db

log = logging.getLogger("deliberate.security")

ERROR_TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    401: "Not authenticated",
    405: "Method not allowed",
    409: "Not possible now",
    413: "Too large",
    422: "Not acceptable",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Please try again",
}

ERROR_TEXTS = {
    400: "The request could not be understood.",
    403: "You do not have permission to do this.",
    404: "There is nothing at this address.",
    401: "Log in, or send a personal access token.",
    405: "This address does not accept that kind of request.",
    409: "This cannot be done in the current state.",
    413: "What you sent is larger than this site accepts.",
    422: "Some of what was sent is not acceptable; `errors` says what, field by field.",
    429: "Too many attempts. Wait a minute and try again.",
    500: "An unexpected error happened. Nothing was changed; please try again.",
    503: "The database could not complete your request, so nothing was saved. "
    "Please send it again.",
}

# Werkzeug's own descriptions, which say nothing a member can act on: the status's text instead.
_GENERIC = ("The browser (or proxy)", "You don't have", "The requested URL")


@dataclass(frozen=True)
class Problem:
    """What a member is told: the status, its title, and the detail (the refusal's message)."""

    status: int
    title: str
    detail: str


def problem(status: int, detail: str | None = None) -> Problem:
    """The problem of `status`, with `detail` or the status's own text."""
    return Problem(status, ERROR_TITLES.get(status, "Error"), detail or ERROR_TEXTS.get(status, ""))


def problem_of(error: Exception) -> Problem:
    """What any front end answers for `error`: a domain error's status and message, a failed
    CSRF check, an HTTP error (its own message where it has a useful one), or a failure (500)."""
    if isinstance(error, DomainError):
        return problem(error.status, error.message)
    if isinstance(error, CSRFError):
        return problem(
            400,
            f"The form's security token was missing or stale ({error.description}). "
            "Reload the page and try again.",
        )
    if isinstance(error, HTTPException):
        status = error.code or 500
        description = str(error.description or "")
        if status == 429:
            # A limit without its own message describes itself as e.g. "5 per 1 minute".
            if description[:1].isdigit():
                return problem(429, f"{ERROR_TEXTS[429]} (limit: {description})")
            return problem(429, description)
        if status in (400, 403, 404) and description and not description.startswith(_GENERIC):
            return problem(status, description)
        return problem(status)
    return problem(500)


def _actor() -> str:
    if current_user and getattr(current_user, "is_authenticated", False):
        return f"member {current_user.get_id()}"
    return "anonymous"


def render_problem(shown: Problem) -> tuple[str, int]:
    """The HTML error page of a problem (a refusal is logged, with who and where)."""
    if shown.status == 403:
        log.warning("403 for %s on %s %s: %s", _actor(), request.method, request.path, shown.detail)
    page = render_template(
        "errors/error.html", status=shown.status, title=shown.title, message=shown.detail
    )
    return page, shown.status


def wants_problem_json() -> bool:
    """Whether the request is the API's, answered with problem+json rather than a page."""
    return request.path == "/api/v1" or request.path.startswith("/api/")


def problem_json(shown: Problem, errors: Any = None) -> Response:
    """The problem as application/problem+json (RFC 9457): `type` about:blank, `title` the
    status's phrase, `detail` the same message a page shows, `instance` the path asked for;
    `errors` (an extension member) says per field what is wrong."""
    if shown.status == 403:
        log.warning("403 for %s on %s %s: %s", _actor(), request.method, request.path, shown.detail)
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _phrase(shown.status),
        "status": shown.status,
        "detail": shown.detail,
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=shown.status)
    response.content_type = "application/problem+json"
    return response


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _answer(shown: Problem, errors: Any = None) -> Response | tuple[str, int]:
    return problem_json(shown, errors) if wants_problem_json() else render_problem(shown)


def _field_errors(error: HTTPException) -> Any:
    """What webargs found wrong in a request, per location and field."""
    data = getattr(error, "data", None)
    return data.get("messages") if isinstance(data, dict) else None


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> Response | tuple[str, int]:
        db.session.rollback()
        if error.field and wants_problem_json():
            return problem_json(problem_of(error), {error.field: [error.message]})
        return _answer(problem_of(error))

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> Response | tuple[str, int]:
        return _answer(problem_of(error))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        # Werkzeug's response keeps the error's headers (Allow, Retry-After); the body is ours.
        response = error.get_response()
        if (error.code or 500) < 400:  # 304 Not Modified from an ETag: no body at all
            return response
        if wants_problem_json():
            answer = problem_json(problem_of(error), _field_errors(error))
            for name, value in response.headers.items():
                if name.lower() not in ("content-type", "content-length"):
                    answer.headers.setdefault(name, value)
            return answer
        body, status = render_problem(problem_of(error))
        response.set_data(body)
        response.status_code = status
        response.content_type = "text/html; charset=utf-8"
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_error(error: DBAPIError) -> Response | tuple[str, int]:
        log.error("database error on %s %s: %s", request.method, request.path, error.orig)
        try:
            db.session.rollback()
        except DBAPIError:
            db.session.close()
        return _answer(problem(503))

    @app.errorhandler(500)
    def _server_error(_error: Exception) -> Response | tuple[str, int]:
        db.session.rollback()
        return _answer(problem(500))
