"""What conveners do with amendments: merge after a preview, group, accept, rule out, ungroup."""

from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from deliberate.auth import actor
from deliberate.drafts import pages, queries, services
from deliberate.drafts.forms import MergeForm, ReasonForm, SelectionForm
from deliberate.drafts.models import DraftVersion
from deliberate.drafts.views.common import (
    _amendment,
    _amendment_page,
    _amendment_url,
    _draft,
    _draft_page,
    _draft_url,
    _require_convener,
    bp,
)
from deliberate.forms import Page, perform


@bp.get("/<int:draft_id>/merge/preview")
@login_required
def merge_preview(draft_id: int) -> str:
    """What merging the ticked amendments would make, before a convener confirms it."""
    draft = _draft(draft_id)
    _require_convener(draft)
    return render_template(
        "drafts/merge_preview.html", **pages.merge_preview_context(draft, request.args)
    )


@bp.post("/<int:draft_id>/merge")
@login_required
def merge(draft_id: int) -> Page:
    draft = _draft(draft_id)
    _require_convener(draft)
    form = MergeForm.among(queries.amendments_of(draft))
    return perform(
        lambda: services.merge_amendments(actor(), draft, form.chosen()),
        form=form,
        success_message=lambda new: f"Version {new.number} is made: {new.note}.",
        redirect_to=_draft_url(draft),
    )


@bp.post("/<int:draft_id>/group")
@login_required
def group(draft_id: int) -> Page:
    draft = _draft(draft_id)
    _require_convener(draft)
    form = SelectionForm.among(queries.amendments_of(draft))
    return perform(
        lambda: services.group_amendments(actor(), draft, form.chosen()),
        form=form,
        refuse=_draft_page(draft, group_form=form),
        success_message=lambda competition: (
            f"{', '.join(a.label for a in form.chosen())} are in {competition.label}."
        ),
        redirect_to=_draft_url(draft) + "#amendments",
    )


@bp.post("/<int:draft_id>/amendments/<int:number>/accept")
@login_required
def accept(draft_id: int, number: int) -> Page:
    draft = _draft(draft_id)
    found = _amendment(draft, number)
    _require_convener(draft)

    def said(new: DraftVersion | None) -> str:
        if new is not None:
            return f"{found.label} is accepted as friendly and merged: version {new.number}."
        return f"{found.label} is accepted as friendly; merge it with others from the draft page."

    return perform(
        lambda: services.accept_amendment(
            actor(), found, merge=request.form.get("merge", "1") != "0"
        ),
        success_message=said,
        redirect_to=_amendment_url(found),
    )


@bp.post("/<int:draft_id>/amendments/<int:number>/rule-out")
@login_required
def rule_out(draft_id: int, number: int) -> Page:
    draft = _draft(draft_id)
    found = _amendment(draft, number)
    _require_convener(draft)
    form = ReasonForm()
    return perform(
        lambda: services.rule_out_amendment(actor(), found, form.reason.data),
        form=form,
        refuse=_amendment_page(draft, found, reason_form=form),
        success_message=f"{found.label} is ruled out of order.",
        redirect_to=_amendment_url(found),
    )


@bp.post("/<int:draft_id>/amendments/<int:number>/ungroup")
@login_required
def ungroup(draft_id: int, number: int) -> Page:
    draft = _draft(draft_id)
    found = _amendment(draft, number)
    _require_convener(draft)
    return perform(
        lambda: services.ungroup_amendment(actor(), found),
        success_message=f"{found.label} no longer competes in a group.",
        redirect_to=_amendment_url(found),
    )
