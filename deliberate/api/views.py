"""A member's personal access tokens in their account settings: the list, a new token shown
once, revocation."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
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
