"""A tendency's sponsorship of an amendment, and members' co-sponsorship."""

from __future__ import annotations

from flask_login import login_required

from deliberate.auth import actor
from deliberate.drafts import pages, services
from deliberate.drafts.forms import SponsorForm
from deliberate.drafts.views.common import _amendment, _amendment_url, _draft, bp
from deliberate.forms import Page, perform


@bp.post("/<int:draft_id>/amendments/<int:number>/sponsor/<any(request, confirm, decline):verb>")
@login_required
def sponsor(draft_id: int, number: int, verb: str) -> Page:
    found = _amendment(_draft(draft_id), number)
    form = SponsorForm()
    return perform(
        lambda: pages.sponsor(actor(), found, verb, form.reason.data or ""),
        form=form,
        success_message=lambda message: message,
        redirect_to=_amendment_url(found),
    )


@bp.post("/<int:draft_id>/amendments/<int:number>/cosponsor")
@login_required
def cosponsor(draft_id: int, number: int) -> Page:
    found = _amendment(_draft(draft_id), number)
    return perform(
        lambda: services.cosponsor_amendment(actor(), found),
        success_message=f"You co-sponsor {found.label}.",
        redirect_to=_amendment_url(found),
    )


@bp.post("/<int:draft_id>/amendments/<int:number>/cosponsor/withdraw")
@login_required
def withdraw_cosponsor(draft_id: int, number: int) -> Page:
    found = _amendment(_draft(draft_id), number)
    return perform(
        lambda: services.withdraw_cosponsorship(actor(), found),
        success_message=f"You no longer co-sponsor {found.label}.",
        redirect_to=_amendment_url(found),
    )
