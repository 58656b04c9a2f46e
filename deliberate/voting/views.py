"""Vote pages: the list, putting a question to a vote, the ballot, closing, results, recount."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_login import login_required

from deliberate.auth import actor, member_rate_key, require
from deliberate.debate.panels import debate_context
from deliberate.errors import DomainError, NotFound
from deliberate.extensions import db, limiter
from deliberate.forms import ActionForm, Page, ensure_valid, perform, submit
from deliberate.fragments import Tokens
from deliberate.papers.panels import positions_context
from deliberate.routing import page_number
from deliberate.subjects import SubjectType, subject_of
from deliberate.voting import margins, pages, publish, queries, rules, services
from deliberate.voting.forms import CloseForm, MeetingForm, PaperBallotsForm, VoteForm
from deliberate.voting.models import Vote
from deliberate.voting.permissions import can_run_votes, can_view_vote

bp = Blueprint("votes", __name__, url_prefix="/votes")


@bp.app_template_filter("share_words")
def share_words(share: str) -> str:
    """A stored exact share ("2/3") as words ("two-thirds"), for any page showing a result."""
    return rules.share_words(Fraction(share))


@bp.app_template_filter("margin")
def margin_words(result: dict[str, Any] | None) -> str | None:
    """By how much a closed vote was decided, in a sentence, for any page showing a result."""
    return margins.margin(result)


@bp.app_template_filter("method_words")
def method_words(vote: Vote) -> str:
    """A vote's method in words, never its code, for any page listing votes."""
    return pages.method_words(vote)


casting_limit = limiter.limit(
    lambda: current_app.config.get("BALLOT_LIMIT_PER_MEMBER", "20 per minute"),
    key_func=member_rate_key,
    error_message="You are sending ballots faster than this site allows. Wait a minute.",
)


def _vote(vote_id: int, *, for_ballot: bool = False) -> Vote:
    """The vote with its options (and, for its pages, who made it and its body)."""
    load = queries.vote_for_ballot if for_ballot else queries.vote_with_options
    vote = load(vote_id)
    if vote is None:
        raise NotFound("That vote does not exist.")
    require(can_view_vote(actor(), vote), "You cannot see this vote.")
    return vote


def _require_runner() -> None:
    require(can_run_votes(actor()), "Only conveners run votes.")


def _detail_url(vote: Vote) -> str:
    return url_for("votes.detail", vote_id=vote.id)


@bp.get("/")
@login_required
def index() -> str:
    return render_template(
        "votes/index.html", **pages.votes_list(actor(), page_number(request.args))
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create() -> Page:
    _require_runner()
    purpose, subject_id, proposal = pages.purpose_from_args(request.args)
    form = VoteForm(data={"title": proposal.title} if proposal else None)
    pages.prepare_vote_form(form, purpose)
    return submit(
        form,
        lambda: pages.start_vote(actor(), form, purpose, subject_id),
        render=lambda outcome: render_template(
            "votes/create.html", form=form, purpose=purpose, proposal=proposal, error=outcome.error
        ),
        success_message=lambda vote: f"“{vote.title}” is {vote.state}.",
        redirect_to=_detail_url,
    )


@bp.route("/record", methods=["GET", "POST"])
@login_required
def record() -> Page:
    _require_runner()
    purpose, subject_id, proposal = pages.purpose_from_args(request.args)
    form = MeetingForm(data={"title": proposal.title} if proposal else None)
    pages.prepare_vote_form(form, purpose, in_person=True)
    return submit(
        form,
        lambda: pages.record_meeting_vote(actor(), form, purpose, subject_id),
        render=lambda outcome: render_template(
            "votes/record.html", form=form, purpose=purpose, proposal=proposal, error=outcome.error
        ),
        success_message=lambda vote: f"The meeting's vote is recorded: {vote.outcome}",
        redirect_to=_detail_url,
    )


@bp.get("/<int:vote_id>")
@login_required
def detail(vote_id: int) -> str:
    stamps = pages.vote_stamps(vote_id)  # before the vote: kept parts are never older
    return _detail(_vote(vote_id), stamps=stamps)


def _detail(
    vote: Vote,
    refused: DomainError | None = None,
    close_form: CloseForm | None = None,
    stamps: Tokens | None = None,
) -> str:
    """The vote page; after a refused ballot or early close, with the refusal beside the form
    it came from."""
    subject = subject_of(SubjectType.VOTE, vote)
    return render_template(
        "votes/detail.html",
        **pages.vote_page(
            vote,
            actor(),
            refused=refused,
            ballot_input=request.form if refused else None,
            close_form=close_form,
            stamps=stamps,
        ),
        **debate_context(subject, stamps=stamps),
        **positions_context(subject, stamps=stamps),
    )


@bp.post("/<int:vote_id>/cast")
@login_required
@casting_limit
def cast(vote_id: int) -> Page:
    vote = _vote(vote_id, for_ballot=True)
    ensure_valid(ActionForm())
    if services.is_due(vote):
        return perform(
            lambda: pages.close_due(vote),
            success_message=lambda message: message,
            redirect_to=_detail_url(vote),
        )
    try:
        with db.session.begin_nested():
            step = pages.ballot_step(actor(), vote, request.form)
    except DomainError as refused:
        # The ballot form again, with what the member sent and why it was refused.
        return _detail(_vote(vote_id), refused), refused.status
    # Committed by hand, not through `perform` or `submit`: a refused ballot shows the ballot
    # form again (`perform` shows the bare refusal), the confirmation step commits nothing, and
    # the receipt shown once is rendered before the commit, which expires what it shows
    # (`submit` renders after it).
    if step.cast:
        db.session.commit()
    return step.page


@bp.post("/<int:vote_id>/<any(open, close, cancel):verb>")
@login_required
def act(vote_id: int, verb: str) -> Page:
    vote = _vote(vote_id)
    form = CloseForm()
    return perform(
        lambda: pages.act(actor(), vote, verb, confirmed_early=bool(form.confirm_early.data)),
        success_message=lambda message: message,
        redirect_to=_detail_url(vote),
        form=form,
        # A refusal comes back on the vote page, beside the close button's confirmation.
        refuse=lambda: _detail(_vote(vote_id), close_form=form),
    )


@bp.post("/<int:vote_id>/second-round")
@login_required
def second_round(vote_id: int) -> Page:
    """After a block and further debate, the same question again, linked to the first."""
    vote = _vote(vote_id)
    _require_runner()
    return perform(
        lambda: services.hold_second_round(actor(), vote),
        success_message="The second round is open.",
        redirect_to=_detail_url,
    )


@bp.route("/<int:vote_id>/import", methods=["GET", "POST"])
@login_required
def import_ballots(vote_id: int) -> Page:
    vote = _vote(vote_id)
    _require_runner()
    form = PaperBallotsForm()
    return submit(
        form,
        lambda: pages.import_paper_ballots(actor(), vote, form),
        render=lambda outcome: pages.import_page(vote, form, outcome.error),
        success_message=lambda count: (
            f"{count} paper ballots were added to the count; the members marked on the "
            "register have voted."
        ),
        redirect_to=_detail_url(vote),
    )


@bp.get("/<int:vote_id>/participation.json")
@login_required
def participation(vote_id: int) -> Response:
    """Live participation: how many took part, never what they chose."""
    vote = _vote(vote_id)
    voted = queries.participation_count(vote)
    return jsonify(state=vote.state, voted=voted, roll=vote.roll_size or 0)


@bp.get("/<int:vote_id>/not-voted")
@login_required
def not_voted(vote_id: int) -> str:
    """Who on an open roll-call vote's roll has not voted yet, for a convener to remind them."""
    vote = _vote(vote_id)
    _require_runner()
    return pages.not_voted_page(vote, page_number(request.args))


@bp.get("/<int:vote_id>/results.json")
@login_required
def results_json(vote_id: int) -> Response:
    vote = pages.closed(_vote(vote_id))
    return Response(vote.result_json, mimetype="application/json")


@bp.get("/<int:vote_id>/ballots.<any(blt, csv):kind>")
@login_required
def ballots_file(vote_id: int, kind: str) -> Response:
    vote = pages.closed(_vote(vote_id))
    counted = queries.published_counts(vote)
    weights = [weight for _content, weight in counted]
    if kind == "blt":
        if not vote.is_ranked:
            raise NotFound("This vote is not ranked; its ballots are published as CSV.")
        text = publish.ballots_blt(
            vote.title,
            [o.label for o in vote.options],
            vote.seats,
            [content["ranking"] for content, _weight in counted],
            weights=weights,
        )
    else:
        if vote.is_ranked:
            raise NotFound("This vote is ranked; its ballots are published as BLT.")
        text = publish.ballots_csv(
            vote.method, [content for content, _weight in counted], weights=weights
        )
    return Response(
        text,
        mimetype="text/plain" if kind == "blt" else "text/csv",
        headers={"Content-Disposition": f"attachment; filename=vote-{vote.id}-ballots.{kind}"},
    )


def _secret_and_closed(vote_id: int) -> Vote:
    vote = pages.closed(_vote(vote_id))
    if not vote.secret:
        raise NotFound("A roll-call vote shows who voted what on its results page.")
    return vote


@bp.get("/<int:vote_id>/receipts")
@login_required
def receipts(vote_id: int) -> str:
    vote = _secret_and_closed(vote_id)
    return pages.receipts_page(vote, actor(), page_number(request.args))


@bp.get("/<int:vote_id>/receipts.csv")
@login_required
def receipts_file(vote_id: int) -> Response:
    """The receipt hashes, sorted; paired with their ballots only where the vote chose so."""
    vote = _secret_and_closed(vote_id)
    if vote.receipts_show_content:
        text = publish.receipts_csv(queries.paired_receipts(vote))
    else:
        text = publish.receipts_csv((receipt, None) for receipt in queries.receipt_hashes(vote))
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=vote-{vote.id}-receipts.csv"},
    )
