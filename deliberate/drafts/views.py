"""Draft pages: list, create, text with line numbers, versions, compare; amendment pages and
every action on them. Views adapt requests to one service call each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from functools import cache
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from deliberate import fragments
from deliberate.accounts import queries as member_queries
from deliberate.accounts.models import Member
from deliberate.auth import actor, get_or_404, require
from deliberate.debate.models import thread_stamp
from deliberate.debate.panels import debate_context, margin_context
from deliberate.drafts import queries, rendered, services, text
from deliberate.drafts.forms import (
    AmendmentForm,
    ConvenerForm,
    DraftDetailsForm,
    DraftForm,
    OptionalReasonForm,
    ReasonForm,
    ReviseForm,
    SelectionForm,
    WindowForm,
)
from deliberate.drafts.models import Amendment, Draft, stamp_of
from deliberate.drafts.permissions import (
    can_convene,
    can_create_draft,
    can_edit_amendment,
    can_second_amendment,
    can_withdraw_amendment,
    can_withdraw_second,
)
from deliberate.drafts.rules import (
    AMENDMENT_STATE_LABELS,
    AMENDMENT_STATE_ORDER,
    MERGEABLE_AMENDMENT_STATES,
)
from deliberate.drafts.subjects import load_draft
from deliberate.errors import NotFound, ValidationError
from deliberate.extensions import db
from deliberate.filters import format_datetime
from deliberate.forms import ActionForm, Outcome, Page, choices, ensure_valid, submit
from deliberate.fragments import PEOPLE
from deliberate.markup import displayed
from deliberate.papers.models import PAPERS_STAMP
from deliberate.papers.panels import positions_context
from deliberate.routing import page_number, search_text
from deliberate.subjects import SubjectType, subject_of
from deliberate.tendencies.permissions import is_coordinator
from deliberate.voting.panels import votes_context

bp = Blueprint("drafts", __name__, url_prefix="/drafts")


def _draft(draft_id: int) -> Draft:
    return get_or_404(Draft, draft_id, "That draft")


def _amendment(draft: Draft, number: int) -> Amendment:
    amendment = queries.amendment_by_number(draft, number)
    if amendment is None:
        raise NotFound(f"This draft has no amendment A{number}.")
    return amendment


def _draft_url(draft: Draft) -> str:
    return url_for("drafts.detail", draft_id=draft.id)


def _amendment_url(amendment: Amendment) -> str:
    return url_for("drafts.amendment", draft_id=amendment.draft_id, number=amendment.number)


def _to_draft(draft: Draft, anchor: str = "") -> Response:
    return redirect(_draft_url(draft) + anchor, 303)


def _to_amendment(draft: Draft, amendment: Amendment) -> Response:
    return redirect(_amendment_url(amendment), 303)


def _require_convener(draft: Draft) -> None:
    require(can_convene(actor(), draft), "Only the draft's conveners can do this.")


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


# --- drafts -----------------------------------------------------------------------------------


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


@bp.route("/<int:draft_id>/revise", methods=["GET", "POST"])
@login_required
def revise(draft_id: int) -> Page:
    draft = _draft(draft_id)
    _require_convener(draft)
    version = queries.current_version(draft)
    form = ReviseForm(version=version.number, body=version.body)
    return submit(
        form,
        lambda: services.revise_draft(
            actor(),
            draft,
            body=form.body.data,
            note=form.note.data,
            version_number=form.version.data,
        ),
        success_message=lambda new: f"Version {new.number} is published.",
        redirect_to=_draft_url(draft),
        render=lambda shown: render_template(
            "drafts/revise.html", form=form, draft=draft, version=version, error=shown.error
        ),
    )


@bp.get("/<int:draft_id>/versions/<int:number>")
@login_required
def version(draft_id: int, number: int) -> str:
    draft = _draft(draft_id)
    shown = queries.version(draft, number)
    if shown is None:
        raise NotFound(f"This draft has no version {number}.")
    return render_template(
        "drafts/version.html", draft=draft, version=shown, versions=queries.versions(draft)
    )


@bp.get("/<int:draft_id>/compare")
@login_required
def compare(draft_id: int) -> Page:
    draft = _draft(draft_id)
    versions = queries.versions(draft)
    newest = draft.current_version_number
    old_number = request.args.get("from", max(newest - 1, 1), type=int)
    new_number = request.args.get("to", newest, type=int)
    numbers = range(1, newest + 1)
    old = queries.version_head(draft, old_number) if old_number in numbers else None
    new = queries.version_head(draft, new_number) if new_number in numbers else None
    if old is None or new is None:
        raise NotFound(f"Choose two versions between 1 and {newest}.")
    rows = rendered.versions_diff(old, new)
    return render_template(
        "drafts/compare.html", draft=draft, old=old, new=new, rows=rows, versions=versions
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


def _selected(draft: Draft) -> list[Amendment]:
    """The amendments of `draft` ticked in a SelectionForm (the service judges their states)."""
    amendments = queries.amendments_of(draft)
    form = SelectionForm()
    form.amendments.choices = choices((a.number, a.label) for a in amendments)
    ensure_valid(form)
    numbers = set(form.amendments.data)
    return [a for a in amendments if a.number in numbers]


@bp.get("/<int:draft_id>/merge/preview")
@login_required
def merge_preview(draft_id: int) -> str:
    """What merging the ticked amendments would make, before a convener confirms it."""
    draft = _draft(draft_id)
    _require_convener(draft)
    amendments = queries.amendments_of(draft)
    form = SelectionForm(formdata=request.args, meta={"csrf": False})
    form.amendments.choices = choices((a.number, a.label) for a in amendments)
    if not form.validate():
        raise ValidationError("Choose at least one accepted or adopted amendment to merge.")
    chosen = [a for a in amendments if a.number in set(form.amendments.data)]
    version = queries.version(draft, draft.current_version_number)
    if version is None:
        raise NotFound("This draft has no current version.")
    changes = [queries.as_change(a) for a in chosen]
    refusals = [
        f"{a.label} is {a.state_label}; only accepted or adopted amendments can be merged."
        for a in chosen
        if a.state not in MERGEABLE_AMENDMENT_STATES or a.version_id != version.id
    ] + [f"{a.label} and {b.label} change the same paragraphs." for a, b in _clashes(chosen)]
    old = rendered.markdowns(version)
    rows = (
        []
        if refusals
        else text.diff_paragraphs(old, text.merge_changes(old, changes), display=displayed)
    )
    return render_template(
        "drafts/merge_preview.html",
        draft=draft,
        version=version,
        chosen=chosen,
        rows=[row for row in rows if row.kind != "equal"],
        unchanged=sum(1 for row in rows if row.kind == "equal"),
        refusals=refusals,
    )


def _clashes(chosen: list[Amendment]) -> list[tuple[Amendment, Amendment]]:
    return [
        (a, b)
        for i, a in enumerate(chosen)
        for b in chosen[i + 1 :]
        if text.collides(queries.as_change(a), queries.as_change(b))
    ]


@bp.post("/<int:draft_id>/merge")
@login_required
def merge(draft_id: int) -> Response:
    draft = _draft(draft_id)
    _require_convener(draft)
    chosen = _selected(draft)
    new = services.merge_amendments(actor(), draft, chosen)
    db.session.commit()
    flash(f"Version {new.number} is made: {new.note}.")
    return _to_draft(draft)


@bp.post("/<int:draft_id>/group")
@login_required
def group(draft_id: int) -> Response:
    draft = _draft(draft_id)
    _require_convener(draft)
    chosen = _selected(draft)
    competition = services.group_amendments(actor(), draft, chosen)
    db.session.commit()
    flash(f"{', '.join(a.label for a in chosen)} are in {competition.label}.")
    return _to_draft(draft, "#amendments")


# --- amendments -----------------------------------------------------------------------------


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


@bp.post("/<int:draft_id>/amendments/<int:number>/accept")
@login_required
def accept(draft_id: int, number: int) -> Response:
    draft = _draft(draft_id)
    found = _amendment(draft, number)
    _require_convener(draft)
    ensure_valid(ActionForm())
    merge_now = request.form.get("merge", "1") != "0"
    new = services.accept_amendment(actor(), found, merge=merge_now)
    db.session.commit()
    if new is not None:
        flash(f"{found.label} is accepted as friendly and merged: version {new.number}.")
    else:
        flash(f"{found.label} is accepted as friendly; merge it with others from the draft page.")
    return _to_amendment(draft, found)


@bp.post("/<int:draft_id>/amendments/<int:number>/rule-out")
@login_required
def rule_out(draft_id: int, number: int) -> Response:
    draft = _draft(draft_id)
    found = _amendment(draft, number)
    _require_convener(draft)
    form = ReasonForm()
    ensure_valid(form)
    services.rule_out_amendment(actor(), found, form.reason.data)
    db.session.commit()
    flash(f"{found.label} is ruled out of order.")
    return _to_amendment(draft, found)


@bp.post("/<int:draft_id>/amendments/<int:number>/ungroup")
@login_required
def ungroup(draft_id: int, number: int) -> Response:
    draft = _draft(draft_id)
    found = _amendment(draft, number)
    _require_convener(draft)
    ensure_valid(ActionForm())
    services.ungroup_amendment(actor(), found)
    db.session.commit()
    flash(f"{found.label} no longer competes in a group.")
    return _to_amendment(draft, found)
