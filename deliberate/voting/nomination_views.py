"""An election's nominations: who stands, putting a member forward, answering, statements,
and the conveners announcing the period and opening the election with its candidates."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, render_template, url_for
from flask_login import login_required
from flask_wtf import FlaskForm

from deliberate.accounts.models import Member
from deliberate.auth import actor, require
from deliberate.errors import DomainError, NotFound, ValidationError
from deliberate.extensions import db
from deliberate.forms import ActionForm, Page, submit
from deliberate.voting import queries, services
from deliberate.voting.models import Nomination, Vote
from deliberate.voting.nomination_forms import NominateForm, OpenNominationsForm, StatementForm
from deliberate.voting.permissions import can_run_votes, can_view_vote
from deliberate.voting.services import nominations

bp = Blueprint("nominations", __name__, url_prefix="/votes")

ANSWERS: dict[str, tuple[Callable[..., Nomination], str]] = {
    "accept": (services.accept_nomination, "You stand in this election."),
    "decline": (services.decline_nomination, "You declined the nomination."),
    "withdraw": (services.withdraw_nomination, "You withdrew from this election."),
}


def _vote(vote_id: int, *, by_nomination: bool = True) -> Vote:
    vote = queries.vote_with_options(vote_id)
    if vote is None:
        raise NotFound("That vote does not exist.")
    require(can_view_vote(actor(), vote), "You cannot see this vote.")
    if by_nomination and not vote.by_nomination:
        raise NotFound("Candidates do not stand by nomination in this vote.")
    return vote


def _nomination(vote: Vote, nomination_id: int) -> Nomination:
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None or nomination.vote_id != vote.id:
        raise NotFound("That nomination does not exist.")
    return nomination


def _url(vote: Vote) -> str:
    return url_for("nominations.index", vote_id=vote.id)


def _page(
    vote: Vote,
    error: DomainError | None = None,
    *,
    nominate_form: NominateForm | None = None,
    answering: tuple[int, FlaskForm] | None = None,
) -> str:
    """The nominations page. A refusal of the nominate form goes beside its field; any other
    (an answer, the opening) above the list, with the answer's form as it was sent."""
    me = actor()
    refused_form = nominate_form is not None
    if nominate_form is None:
        nominate_form = NominateForm(formdata=None)
        nominate_form.set_members(me, nominations.eligible_members(vote))
    if error is not None and refused_form:
        field = (
            nominate_form.statement
            if isinstance(error, nominations.StatementRefused)
            else nominate_form.nominee
        )
        field.errors = [*field.errors, error.message]
    listed = nominations.nominations_of(vote)
    return render_template(
        "votes/nominations.html",
        vote=vote,
        nominations=listed,
        standing=[n for n in listed if n.is_standing],
        is_open=nominations.nominations_open(vote),
        eligible=nominations.is_eligible(me, vote),
        running=can_run_votes(me),
        nominate_form=nominate_form,
        answer_forms=dict([answering]) if answering else {},
        blank_statement=StatementForm(formdata=None, prefix="accept"),
        action_form=ActionForm(),
        error=error,
    )


@bp.route("/<int:vote_id>/nominations", methods=["GET", "POST"])
@login_required
def index(vote_id: int) -> Page:
    vote = _vote(vote_id)
    form = NominateForm()
    form.set_members(actor(), nominations.eligible_members(vote))
    return submit(
        form,
        lambda: services.nominate(
            actor(), vote, _nominee(form), statement=form.statement.data or ""
        ),
        render=lambda outcome: _page(vote, outcome.error, nominate_form=form),
        success_message=lambda n: (
            "You stand in this election."
            if n.is_self
            else f"{db.session.get_one(Member, n.nominee_id).display_name} is nominated; the "
            "nomination stands once accepted."
        ),
        redirect_to=_url(vote),
    )


def _nominee(form: NominateForm) -> Member:
    nominee_id = form.nominee_id()
    nominee = db.session.get(Member, nominee_id) if nominee_id is not None else None
    if nominee is None:
        raise ValidationError("Choose a member from the list.")
    return nominee


@bp.post("/<int:vote_id>/nominations/<int:nomination_id>/<any(accept, decline, withdraw):verb>")
@login_required
def answer(vote_id: int, nomination_id: int, verb: str) -> Page:
    """The nominee accepts (with her statement), declines, or withdraws."""
    vote = _vote(vote_id)
    nomination = _nomination(vote, nomination_id)
    service, message = ANSWERS[verb]
    form: FlaskForm = StatementForm(prefix="accept") if verb == "accept" else ActionForm()
    extra = {"statement": form.statement.data or ""} if isinstance(form, StatementForm) else {}
    return submit(
        form,
        lambda: service(actor(), nomination, **extra),
        render=lambda outcome: _page(vote, outcome.error, answering=(nomination.id, form)),
        success_message=message,
        redirect_to=_url(vote),
    )


@bp.route("/<int:vote_id>/nominations/<int:nomination_id>/statement", methods=["GET", "POST"])
@login_required
def statement(vote_id: int, nomination_id: int) -> Page:
    vote = _vote(vote_id)
    nomination = _nomination(vote, nomination_id)
    require(nomination.nominee_id == actor().id, "Only the candidate writes her statement.")
    form = StatementForm(data={"statement": nomination.statement_markdown})
    return submit(
        form,
        lambda: services.write_statement(actor(), nomination, form.statement.data or ""),
        render=lambda outcome: render_template(
            "votes/statement.html",
            vote=vote,
            nomination=nomination,
            form=form,
            error=outcome.error,
        ),
        success_message="Your statement is saved.",
        redirect_to=_url(vote),
        error_field=form.statement,
    )


@bp.route("/<int:vote_id>/nominations/open", methods=["GET", "POST"])
@login_required
def announce(vote_id: int) -> Page:
    """A convener lets candidates stand for an election that has not opened."""
    vote = _vote(vote_id, by_nomination=False)
    require(can_run_votes(actor()), "Only conveners open nominations.")
    form = OpenNominationsForm(data={"close_at": vote.nominations_close_at})
    typed = [] if vote.by_nomination else [o.label for o in vote.options]
    return submit(
        form,
        lambda: services.open_nominations(actor(), vote, close_at=form.close_time()),
        render=lambda outcome: render_template(
            "votes/announce.html", vote=vote, typed=typed, form=form, error=outcome.error
        ),
        success_message="Nominations are open: members may now stand.",
        redirect_to=_url(vote),
        error_field=form.close_at,
    )


@bp.post("/<int:vote_id>/nominations/close")
@login_required
def open_election(vote_id: int) -> Page:
    """A convener closes nominations and opens the election with the accepted candidates."""
    vote = _vote(vote_id)
    require(can_run_votes(actor()), "Only conveners open elections.")
    return submit(
        ActionForm(),
        lambda: services.open_vote(actor(), vote),
        render=lambda outcome: _page(vote, outcome.error),
        success_message=lambda opened: (
            f"The election is open: {opened.roll_size} members are on its roll."
        ),
        redirect_to=url_for("votes.detail", vote_id=vote.id),
    )
