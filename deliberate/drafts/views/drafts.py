"""Draft pages: the list, a new draft, the draft page and details, window, withdrawal, conveners."""

from __future__ import annotations

from datetime import UTC
from functools import cache

from flask import current_app, flash, render_template, request
from flask_login import login_required
from werkzeug.wrappers import Response

from deliberate import fragments
from deliberate.accounts import queries as member_queries
from deliberate.accounts.models import Member
from deliberate.auth import actor, get_or_404, require
from deliberate.debate.models import thread_stamp
from deliberate.debate.panels import debate_context, margin_context
from deliberate.drafts import queries, services
from deliberate.drafts.forms import (
    ConvenerForm,
    DraftDetailsForm,
    DraftForm,
    ReasonForm,
    WindowForm,
)
from deliberate.drafts.models import stamp_of
from deliberate.drafts.permissions import can_convene, can_create_draft
from deliberate.drafts.subjects import load_draft
from deliberate.drafts.views.common import _draft, _draft_url, _require_convener, _to_draft, bp
from deliberate.errors import NotFound, ValidationError
from deliberate.extensions import db
from deliberate.filters import format_datetime
from deliberate.forms import ActionForm, Page, ensure_valid, submit
from deliberate.fragments import PEOPLE
from deliberate.papers.models import PAPERS_STAMP
from deliberate.papers.panels import positions_context
from deliberate.routing import page_number
from deliberate.subjects import SubjectType, subject_of
from deliberate.voting.panels import votes_context


def _members_by_email(raw: str) -> list[Member]:
    emails = [line.strip().lower() for line in (raw or "").replace(",", "\n").splitlines()]
    emails = [e for e in emails if e]
    if len(emails) > 50:
        raise ValidationError("Name at most 50 conveners at once.")
    # A suspended member is refused like an unknown address: the one asking (perhaps a named
    # convener, an ordinary member) learns neither who has an account nor who is suspended.
    found = {e: m for e, m in member_queries.members_by_email(emails).items() if m.is_active}
    unknown = [e for e in emails if e not in found]
    if unknown:
        raise ValidationError("No active member has the email " + ", ".join(unknown[:5]) + ".")
    return [found[e] for e in emails]


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
            conveners=_members_by_email(form.conveners.data or ""),
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
    # The stamps first, then the rows: what is kept was read after its tokens (fragments.py).
    stamps = fragments.tokens(
        stamp_of(draft_id), thread_stamp(SubjectType.DRAFT.value, draft_id), PEOPLE, PAPERS_STAMP
    )
    draft = load_draft(draft_id)  # with its current version, which the comment form numbers
    if draft is None:
        raise NotFound("That draft does not exist.")
    subject = subject_of(SubjectType.DRAFT, draft)
    conveners = queries.named_conveners(draft)
    convening = can_convene(actor(), draft, {m.id for m in conveners})
    window_closed = services.window_closed_message(draft)
    config = current_app.config
    window = queries.TextWindow.of(
        draft.current_version.paragraph_count,
        config["DRAFT_TEXT_PAGE"],
        page_number(request.args, "text"),
    )
    debate = debate_context(subject, stamps=stamps)
    page = cache(lambda: queries.draft_page(draft))  # read only when a part is rendered
    layout = cache(lambda: queries.draft_layout(page()))

    def render() -> fragments.Part:
        shown = {
            "draft": draft,
            "page": page(),
            "layout": layout(),
            "window": window,
            "shown_per_state": config["DRAFT_AMENDMENTS_SHOWN"],
        }
        return fragments.Part(
            (
                fragments.rendered("drafts/_draft_head.html", window_closed=window_closed, **shown),
                fragments.rendered(
                    "drafts/_draft_text.html",
                    window_closed=window_closed,
                    can_post=subject.is_open,
                    **shown,
                    **margin_context(subject),
                ),
                fragments.rendered("drafts/_draft_amendments.html", convening=convening, **shown),
                fragments.rendered("drafts/_draft_history.html", **shown),
            )
        )

    def render_panel() -> fragments.Part:
        panel = fragments.rendered(
            "drafts/_convener_panel.html",
            draft=draft,
            page=page(),
            layout=layout(),
            window_form=WindowForm(formdata=None),
            reason_form=ReasonForm(formdata=None),
            convener_form=ConvenerForm(formdata=None),
        )
        return fragments.Part((panel,))

    variant = (subject.state, window_closed, convening, window)
    parts = fragments.part("draft", stamps, variant, render)
    panel = None
    if convening and not draft.is_final:
        panel = fragments.part("convener panel", stamps, (subject.state,), render_panel)
    return render_template(
        "drafts/detail.html",
        draft=draft,
        parts=parts,
        convener_panel=panel,
        conveners=conveners,
        convening=convening,
        **debate,
        **positions_context(subject, stamps=stamps),
        **votes_context(subject),
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
def open_window(draft_id: int) -> Response:
    draft = _draft(draft_id)
    _require_convener(draft)
    form = WindowForm()
    ensure_valid(form)
    deadline = form.deadline.data.replace(tzinfo=UTC)
    services.open_amendment_window(actor(), draft, deadline)
    db.session.commit()
    flash(f"Amendments are open until {format_datetime(deadline)}.")
    return _to_draft(draft)


@bp.post("/<int:draft_id>/window/close")
@login_required
def close_window(draft_id: int) -> Response:
    draft = _draft(draft_id)
    _require_convener(draft)
    ensure_valid(ActionForm())
    services.close_amendment_window(actor(), draft)
    db.session.commit()
    flash("The amendment window is closed; the debate begins.")
    return _to_draft(draft)


@bp.post("/<int:draft_id>/withdraw")
@login_required
def withdraw(draft_id: int) -> Response:
    draft = _draft(draft_id)
    _require_convener(draft)
    form = ReasonForm()
    ensure_valid(form)
    services.withdraw_draft(actor(), draft, form.reason.data)
    db.session.commit()
    flash("The draft is withdrawn.")
    return _to_draft(draft)


@bp.post("/<int:draft_id>/conveners")
@login_required
def add_convener(draft_id: int) -> Response:
    draft = _draft(draft_id)
    _require_convener(draft)
    form = ConvenerForm()
    ensure_valid(form)
    (member,) = _members_by_email(form.email.data)
    services.add_convener(actor(), draft, member)
    db.session.commit()
    flash(f"{member.display_name} now convenes this draft.")
    return _to_draft(draft, "#conveners")


@bp.post("/<int:draft_id>/conveners/<int:member_id>/remove")
@login_required
def remove_convener(draft_id: int, member_id: int) -> Response:
    draft = _draft(draft_id)
    _require_convener(draft)
    ensure_valid(ActionForm())
    member = get_or_404(Member, member_id, "That member")
    services.remove_convener(actor(), draft, member)
    db.session.commit()
    flash(f"{member.display_name} no longer convenes this draft.")
    return _to_draft(draft, "#conveners")
