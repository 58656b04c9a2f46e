"""Position paper pages: list, write, revise, publish, withdraw, sign, read revisions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_login import login_required

from deliberate.auth import actor, require
from deliberate.debate.panels import readable_subject, subject_url, thread_context
from deliberate.debate.queries import parse_filter
from deliberate.drafts.rendered import texts_diff
from deliberate.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from deliberate.forms import ActionForm, Page, perform, submit
from deliberate.papers import queries, services
from deliberate.papers.forms import PaperForm
from deliberate.papers.models import PaperState, PositionPaper
from deliberate.papers.permissions import can_sign, can_view_paper, can_write_papers
from deliberate.routing import id_from, page_number, search_text
from deliberate.subjects import Subject, SubjectType, resolve, resolve_for_paper, subject_of
from deliberate.tendencies.models import Tendency
from deliberate.tendencies.queries import current_membership

bp = Blueprint("papers", __name__, url_prefix="/papers")


def _paper(paper_id: int) -> PositionPaper:
    paper = queries.paper_detail(paper_id)
    # Another tendency's paper in drafting is answered like a missing one: its existence is
    # the tendency's own business.
    if paper is None or not can_view_paper(actor(), paper):
        raise NotFound("That paper does not exist.")
    readable_subject(paper.subject_type, paper.subject_id)
    return paper


def _coordinated_tendency() -> Tendency:
    membership = current_membership(actor())
    if membership is None or not membership.is_coordinator or not actor().is_active:
        raise PermissionDenied("Only a tendency's coordinators write its position papers.")
    return membership.tendency


def _subject_from_args() -> Subject:
    subject_id = id_from(request.args.get("subject_id", ""))
    if subject_id is None:
        raise ValidationError("Say which draft, amendment or vote the paper is about.")
    return resolve_for_paper(request.args.get("subject_type", ""), subject_id)


def _preview(form: PaperForm) -> str:
    services.clean_title(form.title.data)
    _markdown, html = services.clean_body(form.body.data)
    return html


def _form_page(form: PaperForm, page: dict[str, Any], write: Callable[[], PositionPaper]) -> Page:
    """Show the paper form, its preview, or write and go to the paper."""
    return submit(
        form,
        write,
        success_message="The paper is saved.",
        redirect_to=lambda paper: url_for("papers.detail", paper_id=paper.id),
        render=lambda shown: render_template(
            "papers/form.html", form=form, preview=shown.preview, **page
        ),
        error_field=form.body,
        preview=(lambda: _preview(form)) if form.wants_preview else None,
    )


@bp.get("/")
@login_required
def index() -> str:
    raw = {"tendency": request.args.get("tendency"), "page": request.args.get("page")}
    wanted = parse_filter(raw)
    listings, has_more = queries.published_papers(tendency_id=wanted.tendency_id, page=wanted.page)
    membership = current_membership(actor())
    return render_template(
        "papers/index.html",
        listings=listings,
        has_more=has_more,
        page=wanted.page,
        tendency_id=wanted.tendency_id,
        tendencies=queries.all_tendencies(),
        mine=membership,
        drafting=queries.drafting_papers(membership.tendency_id) if membership else [],
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create() -> Page:
    tendency = _coordinated_tendency()
    subject = _subject_from_args()
    require(subject.can_view(actor()), f"You cannot see this {subject.label}.")
    form = PaperForm()
    page = {"tendency": tendency, "subject": subject, "subject_url": subject_url(subject)}
    return _form_page(
        form,
        page,
        lambda: services.create_paper(actor(), tendency, subject, form.title.data, form.body.data),
    )


@bp.get("/<int:paper_id>")
@login_required
def detail(paper_id: int) -> str:
    paper = _paper(paper_id)
    subject = resolve(paper.subject_type, paper.subject_id)
    me = actor()
    insider = can_write_papers(me, paper.tendency)
    signatures, _ = queries.signatures(paper, page_size=queries.FEW_SIGNATORIES)
    signature_count, signed = queries.signature_summary(paper, me)
    context: dict[str, Any] = {}
    if paper.has_been_public:
        context = thread_context(subject_of(SubjectType.PAPER, paper), request.args)
    return render_template(
        "papers/detail.html",
        paper=paper,
        subject=subject,
        subject_url=subject_url(subject),
        coordinating=insider,
        signatures=signatures,
        signature_count=signature_count,
        signed=signed,
        can_sign=can_sign(me, paper),
        revisions=queries.revisions(paper, include_working=insider),
        lineage=queries.lineage(paper, include_unpublished=insider),
        action_form=ActionForm(),
        **context,
    )


@bp.get("/<int:paper_id>/signatories")
@login_required
def signatories(paper_id: int) -> str:
    """Every signatory of a paper, a page at a time, searchable by name."""
    paper = _paper(paper_id)
    page, search = page_number(request.args), search_text(request.args)
    rows, has_more = queries.signatures(paper, search=search, page=page)
    return render_template(
        "papers/signatories.html", paper=paper, rows=rows, has_more=has_more, page=page, q=search
    )


@bp.route("/<int:paper_id>/edit", methods=["GET", "POST"])
@login_required
def edit(paper_id: int) -> Page:
    paper = _paper(paper_id)
    require(
        can_write_papers(actor(), paper.tendency),
        f"Only the coordinators of {paper.tendency.name} revise its papers.",
    )
    if paper.state not in (PaperState.DRAFTING, PaperState.PUBLISHED):
        raise InvalidTransition(f"A {paper.state} paper cannot be revised; write a new one.")
    form = PaperForm(data={"title": paper.title, "body": paper.revision.body_markdown})
    subject = resolve(paper.subject_type, paper.subject_id)
    page = {
        "tendency": paper.tendency,
        "subject": subject,
        "subject_url": subject_url(subject),
        "paper": paper,
    }

    def write() -> PositionPaper:
        services.revise_paper(actor(), paper, form.title.data, form.body.data)
        return paper

    return _form_page(form, page, write)


@bp.post("/<int:paper_id>/<any(publish, withdraw, sign, unsign):verb>")
@login_required
def act(paper_id: int, verb: str) -> Page:
    paper = _paper(paper_id)
    action, message = {
        "publish": (services.publish_paper, "The paper is published."),
        "withdraw": (services.withdraw_paper, "The paper is withdrawn."),
        "sign": (services.sign_paper, "You have signed the paper."),
        "unsign": (services.unsign_paper, "Your signature is taken back."),
    }[verb]
    return perform(
        lambda: action(actor(), paper),
        success_message=message,
        redirect_to=url_for("papers.detail", paper_id=paper.id),
    )


@bp.get("/<int:paper_id>/revisions/<int:number>")
@login_required
def revision(paper_id: int, number: int) -> str:
    paper = _paper(paper_id)
    insider = can_write_papers(actor(), paper.tendency)
    shown = queries.revision(paper, number)
    public_from = paper.first_public_revision
    if shown is None or not (insider or (public_from is not None and number >= public_from)):
        raise NotFound("That revision does not exist.")
    previous = queries.revision(paper, number - 1) if number > 1 else None
    if previous is not None and not insider and public_from is not None:
        previous = previous if previous.number >= public_from else None
    diff = texts_diff(previous.body_markdown, shown.body_markdown) if previous else ()
    return render_template(
        "papers/revision.html", paper=paper, shown=shown, previous=previous, diff=diff
    )
