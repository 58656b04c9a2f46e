"""The domain's exceptions: what services and rules raise when they refuse, with a message a
member can read and the status any front end answers with (no web framework here; the HTML
pages that show them are deliberate/http_errors.py)."""

from __future__ import annotations


class DomainError(Exception):
    """Base of the errors services raise; the message is shown to the user, beside the form
    field named `field` when the refusal is about one (a form with that field shows it there)."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


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
    """There is no such thing (or the actor may not know that there is)."""

    status = 404
