"""A member's personal access tokens in their account settings (the list, a new token shown
once, revocation), and the API's reference page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, url_for
from flask_login import login_required

from deliberate.api import services
from deliberate.api.forms import TokenForm
from deliberate.api.models import ApiToken
from deliberate.api.permissions import can_revoke_token
from deliberate.auth import actor
from deliberate.database import utcnow
from deliberate.errors import NotFound
from deliberate.extensions import db
from deliberate.forms import Outcome, Page, perform, submit
from deliberate.markup import render_markdown

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")


def _page(form: TokenForm, shown: Outcome[tuple[ApiToken, str]]) -> str:
    secret = shown.result[1] if shown.result is not None else None
    if secret is not None:
        form = TokenForm(formdata=None).offer(actor())
    return render_template(
        "api/tokens.html",
        form=form,
        tokens=services.tokens_of(actor()),
        secret=secret,
        error=shown.error,
        now=utcnow(),
    )


@bp.route("/", methods=["GET", "POST"])
@login_required
def index() -> Page:
    form = TokenForm().offer(actor())
    return submit(
        form,
        lambda: services.create_token(
            actor(),
            form.name.data or "",
            form.scopes.data or [],
            form.valid_days.data or 0,
            now=utcnow(),
        ),
        success_message=lambda made: f"The token “{made[0].name}” is made. Copy it now.",
        redirect_to=None,
        render=lambda shown: _page(form, shown),
        error_field=form.name,
    )


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Page:
    token = db.session.get(ApiToken, token_id)
    # Another member's token is as absent as one that never existed.
    if token is None or not can_revoke_token(actor(), token):
        raise NotFound("That token does not exist.")
    return perform(
        lambda: services.revoke_token(actor(), token, now=utcnow()),
        success_message=f"The token “{token.name}” is revoked; it no longer works.",
        redirect_to=url_for("tokens.index"),
    )


reference_bp = Blueprint("api_reference", __name__)


@reference_bp.get("/api/v1/")
def reference() -> str:
    """The API's reference, drawn on the server from its OpenAPI document: no script, no
    asset from elsewhere, so the strict CSP stays as it is."""
    spec = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    return render_template(
        "api/reference.html",
        spec=spec,
        description=render_markdown(spec["info"].get("description", "")),
        operations=reference_operations(spec),
    )


def reference_operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Each operation of `spec` with what the page shows of it, in the document's order."""
    shown = []
    for path, item in spec.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method == "parameters":
                continue
            parameters = [_resolved(spec, p) for p in [*shared, *operation.get("parameters", [])]]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            shown.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "anchor": f"{method}-{path}".replace("/", "-")
                    .replace("{", "")
                    .replace("}", ""),
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": parameters,
                    "body": _schema_name(body["schema"]) if body else None,
                    "responses": {
                        status: _schema_name(_first_schema(answer))
                        for status, answer in operation.get("responses", {}).items()
                        if "$ref" not in answer
                    },
                }
            )
    return shown


def _resolved(spec: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    ref = item.get("$ref")
    if ref is None:
        return item
    found: Any = spec
    for part in ref.lstrip("#/").split("/"):
        found = found.get(part, {})
    return dict(found)


def _first_schema(answer: dict[str, Any]) -> dict[str, Any]:
    content: dict[str, dict[str, Any]] = answer.get("content", {})
    for media in content.values():
        return dict(media.get("schema", {}))
    return {}


def _schema_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None
