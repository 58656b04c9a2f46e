"""Domain exceptions, and the one place that maps them and HTTP errors to responses."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

log = logging.getLogger("deliberate.security")


class DomainError(Exception):
    """Base of the errors services raise; the message is shown to the user."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(DomainError):
    """The input is not acceptable; nothing was changed."""

    status = 400


class InvalidTransition(DomainError):
    """The object is not in a state that allows this action."""

    status = 409


class PermissionDenied(DomainError):
    """The actor may not do this."""

    status = 403


class NotFound(DomainError):
    status = 404


ERROR_TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Not possible now",
    413: "Too large",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Please try again",
}

ERROR_TEXTS = {
    400: "The request could not be understood.",
    403: "You do not have permission to do this.",
    404: "There is nothing at this address.",
    405: "This address does not accept that kind of request.",
    409: "This cannot be done in the current state.",
    413: "What you sent is larger than this site accepts.",
    429: "Too many attempts. Wait a minute and try again.",
    500: "An unexpected error happened. Nothing was changed; please try again.",
    503: "The database could not complete your request, so nothing was saved. "
    "Please send it again.",
}


def _actor() -> str:
    if current_user and getattr(current_user, "is_authenticated", False):
        return f"member {current_user.get_id()}"
    return "anonymous"


def render_error(status: int, message: str | None = None) -> tuple[str, int]:
    if status == 403:
        log.warning(
            "403 for %s on %s %s: %s", _actor(), request.method, request.path, message or ""
        )
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=ERROR_TITLES.get(status, "Error"),
            message=message or ERROR_TEXTS.get(status, ""),
        ),
        status,
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> tuple[str, int]:
        from deliberate.extensions import db

        db.session.rollback()
        return render_error(error.status, error.message)

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_error(
            400,
            f"The form's security token was missing or stale ({error.description}). "
            "Reload the page and try again.",
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response | tuple[str, int]:
        status = error.code or 500
        message = None
        if status == 429:
            description = str(error.description or "")
            # A limit without its own message describes itself as e.g. "5 per 1 minute".
            if description[:1].isdigit():
                message = f"{ERROR_TEXTS[429]} (limit: {description})"
            else:
                message = description or ERROR_TEXTS[429]
        elif (
            status in (400, 403, 404)
            and error.description
            and not str(error.description).startswith(
                ("The browser (or proxy)", "You don't have", "The requested URL")
            )
        ):
            message = str(error.description)
        response = error.get_response()
        body, status = render_error(status, message)
        response.set_data(body)
        response.status_code = status
        response.content_type = "text/html; charset=utf-8"
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_error(error: DBAPIError) -> tuple[str, int]:
        log.error("database error on %s %s: %s", request.method, request.path, error.orig)
        from deliberate.extensions import db

        try:
            db.session.rollback()
        except DBAPIError:
            db.session.close()
        return render_error(503)

    @app.errorhandler(500)
    def _server_error(_error: Exception) -> tuple[str, int]:
        from deliberate.extensions import db

        db.session.rollback()
        return render_error(500)
