"""The admins' webhooks page: the endpoints, a new one (its secret shown once), disabling,
enabling and deleting one, and the recent deliveries with their status."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_login import login_required

from deliberate.auth import actor, get_or_404, require
from deliberate.database import utcnow
from deliberate.forms import Outcome, Page, perform, submit
from deliberate.webhooks import services
from deliberate.webhooks.forms import EndpointForm
from deliberate.webhooks.models import WebhookEndpoint

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


def _require_admin() -> None:
    require(actor().is_admin, "Only admins manage webhooks.")


def _page(form: EndpointForm, shown: Outcome[tuple[WebhookEndpoint, str]]) -> str:
    secret = shown.result[1] if shown.result is not None else None
    if secret is not None:
        form = EndpointForm(formdata=None)
    return render_template(
        "webhooks/index.html",
        form=form,
        endpoints=services.endpoints(),
        deliveries=services.recent_deliveries(),
        secret=secret,
        error=shown.error,
        now=utcnow(),
    )


@bp.route("/", methods=["GET", "POST"])
@login_required
def index() -> Page:
    _require_admin()
    form = EndpointForm()
    return submit(
        form,
        lambda: services.create_endpoint(
            actor(), form.url.data or "", form.events.data or [], form.description.data or ""
        ),
        success_message=lambda made: (
            f"The webhook to {made[0].url} is registered. Copy its secret now."
        ),
        redirect_to=None,
        render=lambda shown: _page(form, shown),
        error_field=form.url,
    )


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    return get_or_404(WebhookEndpoint, endpoint_id, "That webhook")


@bp.post("/<int:endpoint_id>/<any(disable, enable):verb>")
@login_required
def toggle(endpoint_id: int, verb: str) -> Page:
    _require_admin()
    endpoint = _endpoint(endpoint_id)
    active = verb == "enable"
    return perform(
        lambda: services.set_active(actor(), endpoint, active),
        success_message=f"The webhook to {endpoint.url} is {verb}d.",
        redirect_to=url_for("webhooks.index"),
    )


@bp.post("/<int:endpoint_id>/delete")
@login_required
def delete(endpoint_id: int) -> Page:
    _require_admin()
    endpoint = _endpoint(endpoint_id)
    url = endpoint.url
    return perform(
        lambda: services.delete_endpoint(actor(), endpoint),
        success_message=f"The webhook to {url} is deleted, with its deliveries.",
        redirect_to=url_for("webhooks.index"),
    )
