"""A tendency's sponsorship of an amendment, and members' co-sponsorship."""

from __future__ import annotations

from flask import flash
from flask_login import login_required
from werkzeug.wrappers import Response

from deliberate.auth import actor
from deliberate.drafts import services
from deliberate.drafts.forms import OptionalReasonForm
from deliberate.drafts.views.common import _amendment, _draft, _to_amendment, bp
from deliberate.extensions import db
from deliberate.forms import ActionForm, ensure_valid


@bp.post("/<int:draft_id>/amendments/<int:number>/sponsor/<any(request, confirm, decline):verb>")
@login_required
def sponsor(draft_id: int, number: int, verb: str) -> Response:
    draft = _draft(draft_id)
    found = _amendment(draft, number)
    form = OptionalReasonForm()
    ensure_valid(form)
    if verb == "request":
        tendency = services.request_sponsorship(actor(), found)
        message = f"{tendency.name}'s coordinators are asked to sponsor {found.label}."
    elif verb == "confirm":
        services.confirm_sponsorship(actor(), found)
        message = f"Your tendency sponsors {found.label}."
    else:
        services.decline_sponsorship(actor(), found, form.reason.data or "")
        message = f"{found.label} is no longer sponsored."
    db.session.commit()
    flash(message)
    return _to_amendment(draft, found)


@bp.post("/<int:draft_id>/amendments/<int:number>/cosponsor")
@login_required
def cosponsor(draft_id: int, number: int) -> Response:
    draft = _draft(draft_id)
    found = _amendment(draft, number)
    ensure_valid(ActionForm())
    services.cosponsor_amendment(actor(), found)
    db.session.commit()
    flash(f"You co-sponsor {found.label}.")
    return _to_amendment(draft, found)


@bp.post("/<int:draft_id>/amendments/<int:number>/cosponsor/withdraw")
@login_required
def withdraw_cosponsor(draft_id: int, number: int) -> Response:
    draft = _draft(draft_id)
    found = _amendment(draft, number)
    ensure_valid(ActionForm())
    services.withdraw_cosponsorship(actor(), found)
    db.session.commit()
    flash(f"You no longer co-sponsor {found.label}.")
    return _to_amendment(draft, found)
