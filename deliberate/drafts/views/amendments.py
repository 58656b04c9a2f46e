"""Amendment pages: propose, read, list, edit and withdraw an amendment; second it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import render_template, request
from flask_login import login_required

from deliberate.auth import actor, require
from deliberate.drafts import pages, queries, services, text
from deliberate.drafts.forms import AmendmentForm, OptionalReasonForm
from deliberate.drafts.models import Draft
from deliberate.drafts.permissions import can_edit_amendment
from deliberate.drafts.rules import AMENDMENT_STATE_LABELS, AMENDMENT_STATE_ORDER
from deliberate.drafts.views.common import _amendment, _amendment_page, _amendment_url, _draft, bp
from deliberate.errors import ValidationError
from deliberate.forms import Outcome, Page, perform, submit
from deliberate.routing import page_number, search_text


def _prefill(form: AmendmentForm, paragraphs: list[str]) -> None:
    """Put the chosen paragraphs' current text in the box, so the member edits it."""
    if request.method != "GET" or form.new_text.data:
        return
    kind = form.kind.data
    if kind == "substitute":
        form.new_text.data = text.join_paragraphs(paragraphs)
    elif kind == "replace" and form.first.data and form.last.data:
        first, last = form.first.data, form.last.data
        if 1 <= first <= last <= len(paragraphs):
            form.new_text.data = text.join_paragraphs(paragraphs[first - 1 : last])


def _amendment_form(
    template: str, form: AmendmentForm, draft: Draft, **context: object
) -> Callable[[Outcome[Any]], str]:
    """How an amendment form page renders: on the current text, the version it was read at."""

    def render(shown: Outcome[Any]) -> str:
        version = queries.current_version(draft)
        _prefill(form, [p.markdown for p in version.paragraphs])
        form.version.data = version.number
        return render_template(
            template, form=form, draft=draft, version=version, error=shown.error, **context
        )

    return render


@bp.route("/<int:draft_id>/amendments/new", methods=["GET", "POST"])
@login_required
def propose(draft_id: int) -> Page:
    draft = _draft(draft_id)
    form = AmendmentForm(formdata=request.form if request.method == "POST" else request.args)
    return submit(
        form,
        lambda: services.propose_amendment(actor(), draft, **form.change()),
        success_message=lambda amendment: (
            f"{amendment.label} is proposed; it needs {draft.seconds_required} seconders."
        ),
        redirect_to=_amendment_url,
        render=_amendment_form(
            "drafts/propose.html",
            form,
            draft,
            window_closed=services.window_closed_message(draft),
        ),
    )


@bp.get("/<int:draft_id>/amendments/<int:number>")
@login_required
def amendment(draft_id: int, number: int) -> str:
    stamps = pages.amendment_stamps(draft_id, number)  # before the rows they stamp
    draft, found, support = pages.viewed_amendment(draft_id, number, actor(), stamps)
    return render_template(
        "drafts/amendment.html",
        **pages.amendment_context(draft, found, actor(), stamps, support=support),
    )


@bp.get("/<int:draft_id>/amendments/<int:number>/<any(seconders, cosponsors):which>")
@login_required
def supporters(draft_id: int, number: int, which: str) -> str:
    """Every seconder or co-sponsor of an amendment, a page at a time, searchable by name."""
    draft = _draft(draft_id)
    found = _amendment(draft, number)
    page, search = page_number(request.args), search_text(request.args)
    rows: list[Any]
    if which == "seconders":
        rows, has_more = queries.amendment_seconders(found, search=search, page=page)
    else:
        rows, has_more = queries.amendment_cosponsors(found, search=search, page=page)
    return render_template(
        "drafts/supporters.html",
        draft=draft,
        amendment=found,
        which=which,
        rows=rows,
        has_more=has_more,
        page=page,
        q=search,
    )


@bp.get("/<int:draft_id>/amendments/")
@login_required
def amendment_list(draft_id: int) -> str:
    """A draft's amendments a page at a time: all of them, those in one state or those of one
    competing group; where the draft page's short lists lead."""
    draft = _draft(draft_id)
    state = request.args.get("state") or None
    if state is not None and state not in AMENDMENT_STATE_LABELS:
        raise ValidationError(
            "The state must be one of: " + ", ".join(sorted(AMENDMENT_STATE_LABELS)) + "."
        )
    group = page_number(request.args, "group") if request.args.get("group") else None
    listing = queries.amendment_listing(draft, state, group, page_number(request.args))
    return render_template(
        "drafts/amendments.html",
        draft=draft,
        listing=listing,
        state_labels=AMENDMENT_STATE_LABELS,
        state_order=AMENDMENT_STATE_ORDER,
    )


@bp.route("/<int:draft_id>/amendments/<int:number>/edit", methods=["GET", "POST"])
@login_required
def edit_amendment(draft_id: int, number: int) -> Page:
    draft = _draft(draft_id)
    found = _amendment(draft, number)
    require(
        can_edit_amendment(actor(), found, queries.second_count(found)),
        "Only the proposer can edit an amendment, and only until it is first seconded.",
    )
    form = AmendmentForm.for_amendment(found) if request.method == "GET" else AmendmentForm()
    return submit(
        form,
        lambda: services.edit_amendment(actor(), found, **form.change()),
        success_message=f"{found.label} is saved.",
        redirect_to=_amendment_url(found),
        render=_amendment_form("drafts/edit_amendment.html", form, draft, amendment=found),
    )


@bp.post("/<int:draft_id>/amendments/<int:number>/withdraw")
@login_required
def withdraw_amendment(draft_id: int, number: int) -> Page:
    draft = _draft(draft_id)
    found = _amendment(draft, number)
    form = OptionalReasonForm()
    return perform(
        lambda: services.withdraw_amendment(actor(), found, form.reason.data or ""),
        form=form,
        refuse=_amendment_page(draft, found, optional_reason_form=form),
        success_message=f"{found.label} is withdrawn.",
        redirect_to=_amendment_url(found),
    )


@bp.post("/<int:draft_id>/amendments/<int:number>/second")
@login_required
def second(draft_id: int, number: int) -> Page:
    found = _amendment(_draft(draft_id), number)
    return perform(
        lambda: services.second_amendment(actor(), found),
        success_message=lambda tabled: (
            f"You seconded {found.label}." + (" It is now tabled." if tabled else "")
        ),
        redirect_to=_amendment_url(found),
    )


@bp.post("/<int:draft_id>/amendments/<int:number>/second/withdraw")
@login_required
def withdraw_second(draft_id: int, number: int) -> Page:
    found = _amendment(_draft(draft_id), number)
    return perform(
        lambda: services.withdraw_second(actor(), found),
        success_message=f"You no longer second {found.label}.",
        redirect_to=_amendment_url(found),
    )
