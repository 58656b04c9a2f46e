"""Decision pages: the archive, a record with its commitments and dissent, the conveners'
statements and seal, the evaluation, and a record's exports (JSON, Markdown, print)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as WerkzeugResponse

from deliberate.auth import actor, member_rate_key, require
from deliberate.database import utcnow
from deliberate.decisions import exports, pages, queries, services
from deliberate.decisions.forms import (
    CommitmentForm,
    MinorityReportForm,
    SealEvaluationForm,
    SealForm,
    StatementsForm,
    evaluation_text,
)
from deliberate.decisions.models import DecisionRecord
from deliberate.decisions.permissions import can_evaluate, can_write_record
from deliberate.errors import NotFound
from deliberate.extensions import limiter
from deliberate.forms import Page, perform, submit
from deliberate.routing import page_number

bp = Blueprint("decisions", __name__, url_prefix="/decisions")

entry_limit = limiter.limit(
    "20 per minute",
    key_func=member_rate_key,
    error_message="You are changing your entry faster than this site allows. Wait a minute.",
)


def _record_url(record: DecisionRecord, page: str = "detail", anchor: str = "") -> str:
    """Where a button goes back to: the record's page, or its evaluation."""
    return url_for(f"decisions.{page}", record_id=record.id) + anchor


def _record_page(record: DecisionRecord, **forms: FlaskForm) -> Callable[[], str]:
    """The record page again with a form as posted: how a refused form answers."""
    return lambda: render_template("decisions/detail.html", **pages.record_page(record, forms))


def archive_reader(view: Callable[..., Any]) -> Callable[..., Any]:
    """Members read the archive, and anyone when the organization makes it public; others
    are sent to log in."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        refused = pages.require_reader()
        return refused if refused is not None else view(*args, **kwargs)

    return wrapped


def _member_record(record_id: int) -> DecisionRecord:
    """A record for a member's action (behind login_required)."""
    record = queries.get_record(record_id)
    if record is None:
        raise NotFound("That decision record does not exist.")
    return record


@bp.get("/")
@archive_reader
def index() -> Page | WerkzeugResponse:
    context = pages.archive_context(request.args, page_number(request.args))
    return render_template("decisions/index.html", **context)


@bp.get("/<int:record_id>")
@archive_reader
def detail(record_id: int) -> Page | WerkzeugResponse:
    stamps = pages.record_stamps(record_id)  # before the record: kept parts are never older
    record, mine = pages.readable_record_and_entry(record_id)
    return render_template(
        "decisions/detail.html", **pages.record_page(record, stamps=stamps, mine=mine)
    )


@bp.get("/<int:record_id>/print")
@archive_reader
def printable(record_id: int) -> Page | WerkzeugResponse:
    record = pages.readable_record(record_id)
    return render_template("decisions/print.html", **pages.record_context(record))


@bp.get("/<int:record_id>.<any(json, md):kind>")
@archive_reader
def export(record_id: int, kind: str) -> Response | WerkzeugResponse:
    record = pages.readable_record(record_id)
    names = pages.names_shown()
    if kind == "json":
        body = json.dumps(
            exports.record_document(record, names=names), ensure_ascii=False, indent=2
        )
        mimetype = "application/json"
    else:
        body = exports.record_markdown(record, names=names)
        mimetype = "text/markdown"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename=decision-{record.id}.{kind}"},
    )


@bp.get("/<int:record_id>/entries/<int:member_id>")
@archive_reader
def entries(record_id: int, member_id: int) -> Page | WerkzeugResponse:
    """A member's entries on a record, newest first: their history is part of the record."""
    record = pages.readable_record(record_id)
    require(pages.names_shown(), "Members' entries are shown to members only.")
    history = queries.entry_history(record, member_id)
    if not history:
        raise NotFound("That member has no entry on this record.")
    return render_template(
        "decisions/entries.html", record=record, history=history, **pages.entry_names(history)
    )


@bp.route("/<int:record_id>/edit", methods=["GET", "POST"])
@login_required
def edit(record_id: int) -> Page:
    record = _member_record(record_id)
    require(can_write_record(actor(), record), "Only conveners write records not yet sealed.")
    form = StatementsForm(
        data={
            "outcome": record.outcome_markdown,
            "unity": record.unity_markdown,
            "valid_from": record.valid_from,
            "valid_until": record.valid_until,
            "evaluation_date": record.evaluation_date,
            "revision": record.revision,
        }
    )
    return submit(
        form,
        lambda: services.revise_statements(
            actor(), record, form.statements(), seen_revision=form.revision.data or 0
        ),
        render=lambda outcome: render_template(
            "decisions/edit.html", record=record, form=form, error=outcome.error
        ),
        success_message="The record is saved. Seal it when the conveners agree on it.",
        redirect_to=url_for("decisions.detail", record_id=record.id),
    )


@bp.post("/<int:record_id>/seal")
@login_required
def seal(record_id: int) -> Page:
    record = _member_record(record_id)
    require(can_evaluate(actor()), "Only conveners seal decision records.")
    form = SealForm()
    return perform(
        lambda: services.seal_record(actor(), record),
        form=form,
        refuse=_record_page(record, seal_form=form),
        success_message=lambda sealed: (
            "The record is sealed." if sealed else "The record was already sealed."
        ),
        redirect_to=_record_url(record),
    )


@bp.post("/<int:record_id>/commitment")
@login_required
@entry_limit
def commit(record_id: int) -> Page:
    record = _member_record(record_id)
    form = CommitmentForm()
    return submit(
        form,
        lambda: services.record_commitment(
            actor(), record, commits=bool(form.commits.data), disagreement=form.disagreement.data
        ),
        render=lambda _outcome: _record_page(record, commitment_form=form)(),
        error_field=form.disagreement,
        success_message="Your entry is recorded.",
        redirect_to=_record_url(record, anchor="#your-entry"),
    )


@bp.post("/<int:record_id>/minority-reports")
@login_required
def attach_report(record_id: int) -> Page:
    record = _member_record(record_id)
    form = MinorityReportForm()
    return perform(
        lambda: services.attach_minority_report(actor(), record, pages.chosen_paper(request.form)),
        form=form,
        refuse=_record_page(record, report_form=form),
        success_message="The minority report is attached to the record.",
        redirect_to=_record_url(record, anchor="#minority-reports"),
    )


@bp.post("/<int:record_id>/evaluation/open")
@login_required
def open_evaluation(record_id: int) -> Page:
    record = _member_record(record_id)
    return perform(
        lambda: services.open_evaluation(actor(), record, today=utcnow().date()),
        success_message="The evaluation is open.",
        redirect_to=_record_url(record, "evaluation"),
    )


@bp.route("/<int:record_id>/evaluation", methods=["GET", "POST"])
@login_required
def evaluation(record_id: int) -> Page:
    record = _member_record(record_id)
    context = pages.evaluation_context(record)
    if request.method == "POST":
        require(can_evaluate(actor()), "Only conveners write evaluations.")
    form = context["form"]
    return submit(
        form,
        lambda: services.revise_evaluation(
            actor(), context["evaluation"], evaluation_text(form, context["keys"], request.form)
        ),
        render=lambda outcome: render_template(
            "decisions/evaluation.html", **pages.evaluation_shown(context, actor(), outcome.error)
        ),
        success_message="The evaluation is saved. Seal it when it is complete.",
        redirect_to=_record_url(record, "evaluation"),
    )


@bp.post("/<int:record_id>/evaluation/seal")
@login_required
def seal_evaluation(record_id: int) -> Page:
    record = _member_record(record_id)
    require(can_evaluate(actor()), "Only conveners seal evaluations.")
    found = queries.evaluation_of(record)
    if found is None:
        raise NotFound("This decision has no evaluation yet.")
    form = SealEvaluationForm()
    return perform(
        lambda: services.seal_evaluation(actor(), found),
        form=form,
        refuse=lambda: render_template(
            "decisions/evaluation.html",
            **pages.evaluation_shown(pages.evaluation_context(record, form), actor(), None),
        ),
        success_message=lambda sealed: (
            "The evaluation is sealed." if sealed else "The evaluation was already sealed."
        ),
        redirect_to=_record_url(record, "evaluation"),
    )
