"""The API's web layer: the blueprint and its OpenAPI description (flask-smorest), who a
request acts as (a bearer token, or the pages' session with the pages' CSRF check), scopes,
per-token rate limits, cursors and ETags (what a viewer may see differs, so the viewer is
part of every ETag).

Every endpoint calls the same queries, page functions, permission predicates and services as
the pages; this module only adapts HTTP to them.
"""

from __future__ import annotations

import base64
import binascii
import http
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, request
from flask_login import current_user
from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response

from deliberate.accounts.models import Member
from deliberate.api import services
from deliberate.api.models import ApiToken, Scope
from deliberate.api.permissions import effective_scopes, scopes_allowed
from deliberate.api.schemas import Problem
from deliberate.database import utcnow, write_intent
from deliberate.errors import DomainError, PermissionDenied, ValidationError
from deliberate.extensions import csrf, db, limiter
from deliberate.tokens import token_hash

F = TypeVar("F", bound=Callable[..., Any])
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotAuthenticated(DomainError):
    """No usable credentials: the API answers 401 where the pages redirect to the login."""

    status = 401


class ProblemApi(Api):
    """flask-smorest's Api without its app-wide JSON error handler: the pages keep their HTML
    error pages, and deliberate/http_errors.py answers API requests with problem+json."""

    ERROR_SCHEMA = Problem
    PROBLEM_CONTENT_TYPE = "application/problem+json"

    def _register_error_handlers(self) -> None:
        return None

    def _register_responses(self) -> None:
        """The error responses every operation names, described as problem+json."""
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            content_type = self.DEFAULT_RESPONSE_CONTENT_TYPE
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                content_type = self.PROBLEM_CONTENT_TYPE
            prepare_response(response, self.spec, content_type)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A refusal or a failure", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, self.PROBLEM_CONTENT_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


DESCRIPTION = (
    "Read and act on the organization's drafts, votes and decision records with the same "
    "rules as its pages. Authenticate with a personal access token "
    "(`Authorization: Bearer dlb_…`) made in your account settings. Errors are "
    "`application/problem+json` (RFC 9457); lists page with opaque cursors (`next`); reads "
    "carry ETags and answer `If-None-Match` with 304."
)
bp = Blueprint("api", __name__, url_prefix="/api/v1", description="The organization's API")
# The pages' CSRF check does not apply to a request carrying a token (a browser never adds
# one by itself); `authenticate` applies it to cookie-authenticated writes.
csrf.exempt(bp)


def is_api_request() -> bool:
    return request.path.startswith(bp.url_prefix + "/") or request.path == bp.url_prefix


def api_rate_key() -> str:
    """Rate-limit key: the token (each has its own budget, keyed by its fingerprint, since the
    limit is checked before the token is looked up), else the member, else the address."""
    header = request.headers.get("Authorization") or ""
    if header[:7].lower() == "bearer ":
        return "api-token:" + token_hash(header[7:].strip())[:32]
    if current_user.is_authenticated:
        return f"api-member:{current_user.id}"
    return f"api-address:{request.remote_addr}"


@bp.before_request
def authenticate() -> None:
    """Who the request acts as. A bearer token replaces the session: the token's member, with
    the token's scopes (within the member's role). Without one, the pages' session applies,
    with every scope its role allows, and a state-changing request must carry the pages'
    CSRF token (`X-CSRFToken` header or `csrf_token` field), exactly as a form does."""
    g.api_token = None
    header = request.headers.get("Authorization")
    if header is None:
        g.api_scopes = (
            frozenset(scope.value for scope in scopes_allowed(current_user))
            if current_user.is_authenticated
            else frozenset()
        )
        if request.method not in READ_ONLY_METHODS and current_app.config["WTF_CSRF_ENABLED"]:
            csrf.protect()
        return
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise NotAuthenticated("Send the token as “Authorization: Bearer <token>”.")
    now = utcnow()
    found = services.authenticate_token(secret.strip(), now=now)
    if found is None:
        raise NotAuthenticated(
            "This token is not valid: it is unknown, revoked or expired, or its member is "
            "suspended. Make a new one in your account settings."
        )
    token, member = found
    g._login_user = member  # Flask-Login's current user for this request alone
    g.api_token = token
    g.api_scopes = effective_scopes(token, member)
    if services.needs_use_stamp(token, now):
        _stamp(token, now)


def _stamp(token: ApiToken, now: Any) -> None:
    """Write down the token's use in a transaction of its own, before the request's work."""
    db.session.commit()  # end the read that found the token
    intent = write_intent.set(True)
    try:
        services.stamp_use(token, now)
        db.session.commit()
    finally:
        write_intent.reset(intent)


def require_scope(scope: Scope) -> Member:
    """The acting member, if the request may act with `scope`: 401 without credentials, 403
    when the token lacks the scope (or the member's role no longer allows it)."""
    if not current_user.is_authenticated:
        raise NotAuthenticated("Log in, or send a personal access token.")
    if scope.value not in g.get("api_scopes", frozenset()):
        if g.get("api_token") is not None:
            raise PermissionDenied(f"This token does not have the scope “{scope.value}”.")
        raise PermissionDenied("Your role does not allow this.")
    member: Member = current_user._get_current_object()
    return member


def rate_limit() -> str:
    return str(current_app.config["API_LIMIT_PER_TOKEN"])


limiter.limit(
    rate_limit,
    key_func=api_rate_key,
    error_message="This token is sending requests faster than the API allows. "
    "Wait a minute and try again.",
)(bp)


# --- cursors -------------------------------------------------------------------------------


def read_cursor(raw: str | None) -> int:
    """The page a cursor stands for (the first without one); 400 for a cursor this API did
    not give. Cursors are opaque: clients follow `next`, they do not make them."""
    if not raw:
        return 1
    try:
        decoded = base64.urlsafe_b64decode(raw.encode("ascii") + b"==").decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        decoded = ""
    kind, _, number = decoded.partition(":")
    if kind != "p" or not number.isdigit() or not 1 < int(number) <= 100_000:
        raise ValidationError("This cursor is not one the API gave; follow a list's “next”.")
    return int(number)


def next_cursor(page: int, has_more: bool) -> str | None:
    if not has_more:
        return None
    return base64.urlsafe_b64encode(f"p:{page + 1}".encode()).decode("ascii").rstrip("=")


def etag(*parts: Any) -> None:
    """Answer 304 now if the client holds what `parts` name (If-None-Match), else send the
    ETag with the response. `parts` must change whenever what the endpoint shows changes;
    call it once the thing shown is known to exist (If-None-Match: * matches any that does)."""
    viewer = current_user.get_id() if current_user.is_authenticated else None
    bp.set_etag([str(viewer), *(str(part) for part in parts)])
