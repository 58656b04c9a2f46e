"""Draft pages: the list, a new draft, the draft page and details, window, withdrawal, conveners."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, render_template, request
from flask_login import login_required

from deliberate.accounts.models import Member
from deliberate.auth import actor, get_or_404, require
from deliberate.drafts import pages, queries, services
from deliberate.drafts.forms import (
    ConvenerForm,
    DraftDetailsForm,
    DraftForm,
    ReasonForm,
    WindowForm,
)
from deliberate.drafts.permissions import can_create_draft
from deliberate.drafts.views.common import (
    _draft,
    _draft_page,
    _draft_url,
    _require_convener,
    bp,
)
from deliberate.filters import format_datetime
from deliberate.forms import Page, perform, submit
from deliberate.routing import page_number


@bp.get("/")
@login_required
def index() -> str:
    page = page_number(request.args)
    summaries, has_more = queries.drafts_index(page)
    return render_template(
        "drafts/index.html",
        summaries=summaries,
        page=page,
        has_more=has_more,
        can_create=can_create_draft(actor()),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create() -> Page:
    require(can_create_draft(actor()), "Only conveners and admins create drafts.")
    form = DraftForm()
    return submit(
        form,
        lambda: services.create_draft(
            actor(),
            **form.details(),
            body=form.body.data,
            conveners=pages.members_by_email(form.conveners.data or ""),
            line_width=current_app.config["DRAFT_LINE_WIDTH"],
            seconds_required=current_app.config["AMENDMENT_SECONDS_REQUIRED"],
        ),
        success_message=lambda draft: f"“{draft.title}” is created as version 1.",
        redirect_to=_draft_url,
        render=lambda shown: render_template("drafts/create.html", form=form, error=shown.error),
    )


@bp.get("/<int:draft_id>")
@login_required
def detail(draft_id: int) -> str:
    return render_template(
        "drafts/detail.html", **pages.draft_context(draft_id, actor(), request.args)
    )


@bp.route("/<int:draft_id>/edit", methods=["GET", "POST"])
@login_required
def edit(draft_id: int) -> Page:
    draft = _draft(draft_id)
    _require_convener(draft)
    form = DraftDetailsForm(obj=draft)
    return submit(
        form,
        lambda: services.update_draft_details(actor(), draft, **form.details()),
        success_message="The draft's details are saved.",
        redirect_to=_draft_url(draft),
        render=lambda shown: render_template(
            "drafts/edit.html", form=form, draft=draft, error=shown.error
        ),
    )


@bp.post("/<int:draft_id>/window/open")
@login_required
def open_window(draft_id: int) -> Page:
    draft = _draft(draft_id)
    _require_convener(draft)
    form = WindowForm()

    def open_until() -> datetime:
        deadline = form.deadline_utc()
        services.open_amendment_window(actor(), draft, deadline)
        return deadline

    return perform(
        open_until,
        form=form,
        refuse=_draft_page(draft, window_form=form),
        success_message=lambda deadline: f"Amendments are open until {format_datetime(deadline)}.",
        redirect_to=_draft_url(draft),
    )


@bp.post("/<int:draft_id>/window/close")
@login_required
def close_window(draft_id: int) -> Page:
    draft = _draft(draft_id)
    _require_convener(draft)
    return perform(
        lambda: services.close_amendment_window(actor(), draft),
        success_message="The amendment window is closed; the debate begins.",
        redirect_to=_draft_url(draft),
    )


@bp.post("/<int:draft_id>/withdraw")
@login_required
def withdraw(draft_id: int) -> Page:
    draft = _draft(draft_id)
    _require_convener(draft)
    form = ReasonForm()
    return perform(
        lambda: services.withdraw_draft(actor(), draft, form.reason.data),
        form=form,
        refuse=_draft_page(draft, reason_form=form),
        success_message="The draft is withdrawn.",
        redirect_to=_draft_url(draft),
    )


@bp.post("/<int:draft_id>/conveners")
@login_required
def add_convener(draft_id: int) -> Page:
    draft = _draft(draft_id)
    _require_convener(draft)
    form = ConvenerForm()

    def name_conveners() -> list[Member]:
        members = pages.members_by_email(form.email.data)
        for member in members:
            services.add_convener(actor(), draft, member)
        return members

    return perform(
        name_conveners,
        form=form,
        refuse=_draft_page(draft, convener_form=form),
        success_message=lambda members: (
            ", ".join(m.display_name for m in members)
            + (" now convenes" if len(members) == 1 else " now convene")
            + " this draft."
        ),
        redirect_to=_draft_url(draft) + "#conveners",
    )


@bp.post("/<int:draft_id>/conveners/<int:member_id>/remove")
@login_required
def remove_convener(draft_id: int, member_id: int) -> Page:
    draft = _draft(draft_id)
    _require_convener(draft)
    member = get_or_404(Member, member_id, "That member")
    return perform(
        lambda: services.remove_convener(actor(), draft, member),
        success_message=f"{member.display_name} no longer convenes this draft.",
        redirect_to=_draft_url(draft) + "#conveners",
    )
