"""Amendment pages: propose, read, list, edit and withdraw an amendment; second it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, render_template, request
from flask_login import login_required
from werkzeug.wrappers import Response

from deliberate import fragments
from deliberate.auth import actor, require
from deliberate.debate.panels import debate_context
from deliberate.drafts import queries, rendered, services, text
from deliberate.drafts.forms import AmendmentForm, OptionalReasonForm, ReasonForm
from deliberate.drafts.models import Draft, stamp_of
from deliberate.drafts.permissions import (
    can_convene,
    can_edit_amendment,
    can_second_amendment,
    can_withdraw_amendment,
    can_withdraw_second,
)
from deliberate.drafts.rules import AMENDMENT_STATE_LABELS, AMENDMENT_STATE_ORDER
from deliberate.drafts.views.common import _amendment, _amendment_url, _draft, _to_amendment, bp
from deliberate.errors import ValidationError
from deliberate.extensions import db
from deliberate.forms import ActionForm, Outcome, Page, ensure_valid, submit
from deliberate.fragments import PEOPLE
from deliberate.papers.models import PAPERS_STAMP
from deliberate.papers.panels import positions_context
from deliberate.routing import page_number, search_text
from deliberate.subjects import SubjectType, subject_of
from deliberate.tendencies.permissions import is_coordinator
from deliberate.voting.panels import votes_context


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
    # The stamps first, then the rows: what is kept was read after its tokens (fragments.py).
    stamps = fragments.tokens(stamp_of(draft_id), PEOPLE, PAPERS_STAMP)
    draft = _draft(draft_id)
    found = _amendment(draft, number)
    subject = subject_of(SubjectType.AMENDMENT, found)
    me = actor()
    support = queries.support_of(found, me)
    is_proposer = found.proposer_id == me.id
    can_edit = can_edit_amendment(me, found, support.seconds)

    def render() -> fragments.Part:
        page = queries.amendment_page(draft, found, support)
        return fragments.Part(
            fragments.rendered_blocks(
                "drafts/_amendment_parts.html",
                draft=draft,
                amendment=found,
                page=page,
                rows=rendered.change_diff(page.version, queries.as_change(found)),
                lines={p.number: p for p in page.paragraphs},
                sponsorship=queries.sponsorship_line(found, page.cosponsor_tendencies),
                seconds=support.seconds,
                is_proposer=is_proposer,
                can_edit=can_edit,
            )
        )

    variant = (subject.state, is_proposer, can_edit)
    sponsor = found.sponsor_tendency
    return render_template(
        "drafts/amendment.html",
        draft=draft,
        amendment=found,
        parts=fragments.part("amendment", stamps, variant, render),
        seconds=support.seconds,
        already_seconded=support.viewer_seconded,
        convening=can_convene(me, draft),
        can_edit=can_edit,
        can_withdraw=can_withdraw_amendment(me, found),
        can_second=can_second_amendment(me, found, support.viewer_seconded),
        can_unsecond=can_withdraw_second(me, found, support.viewer_seconded),
        coordinating_sponsor=sponsor is not None and is_coordinator(me, sponsor),
        cosponsoring=support.viewer_cosponsors,
        reason_form=ReasonForm(),
        optional_reason_form=OptionalReasonForm(),
        **debate_context(subject),
        **positions_context(subject, stamps=stamps),
        **votes_context(subject),
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
def withdraw_amendment(draft_id: int, number: int) -> Response:
    draft = _draft(draft_id)
    found = _amendment(draft, number)
    form = OptionalReasonForm()
    ensure_valid(form)
    services.withdraw_amendment(actor(), found, form.reason.data or "")
    db.session.commit()
    flash(f"{found.label} is withdrawn.")
    return _to_amendment(draft, found)


@bp.post("/<int:draft_id>/amendments/<int:number>/second")
@login_required
def second(draft_id: int, number: int) -> Response:
    draft = _draft(draft_id)
    found = _amendment(draft, number)
    ensure_valid(ActionForm())
    tabled = services.second_amendment(actor(), found)
    db.session.commit()
    flash(f"You seconded {found.label}." + (" It is now tabled." if tabled else ""))
    return _to_amendment(draft, found)


@bp.post("/<int:draft_id>/amendments/<int:number>/second/withdraw")
@login_required
def withdraw_second(draft_id: int, number: int) -> Response:
    draft = _draft(draft_id)
    found = _amendment(draft, number)
    ensure_valid(ActionForm())
    services.withdraw_second(actor(), found)
    db.session.commit()
    flash(f"You no longer second {found.label}.")
    return _to_amendment(draft, found)
