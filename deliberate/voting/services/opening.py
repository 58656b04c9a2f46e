"""Making votes and opening them: the roll, the lot, cancelling, second rounds."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, literal, select

from deliberate.accounts.models import Member, MemberStatus
from deliberate.audit.services import record_action
from deliberate.bodies.models import Body, BodyMembership
from deliberate.cleaning import clean_markdown
from deliberate.database import utcnow
from deliberate.errors import InvalidTransition, ValidationError
from deliberate.extensions import db
from deliberate.tendencies.models import TendencyMembership
from deliberate.voting import hooks
from deliberate.voting.counting.consensus import ConsensusOutcome
from deliberate.voting.models import RollEntry, Vote, VoteOption
from deliberate.voting.rules import METHOD_LABELS, Settings, check_settings
from deliberate.voting.services import nominations
from deliberate.voting.services.common import (
    MAX_DESCRIPTION,
    OptionSpec,
    _clean_title,
    _draw_lot,
    _lock,
    _require_runner,
    load_options,
    settings_of,
)
from deliberate.voting.vocabulary import BlockRule, VoteMethod, VoteState


def create_vote(
    actor: Member,
    *,
    title: str,
    settings: Settings,
    description: str = "",
    options: Sequence[OptionSpec] = (),
    subject: tuple[str, int] | None = None,
    purpose: str = "question",
    body_id: int | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    previous_vote_id: int | None = None,
    in_person: bool = False,
    by_nomination: bool = False,
    nominations_close_at: datetime | None = None,
    now: datetime | None = None,
) -> Vote:
    """Make a vote with its settings; it opens now (`opens_at` None) or at `opens_at`.

    `by_nomination` makes an election whose candidates stand by nomination (no options
    given): it takes nominations until `nominations_close_at`, or until a convener opens it
    (`opens_at` None), and opens with the accepted candidates as its options.

    `in_person` makes the record of a vote held at a meeting, without a roll here, for
    `record_in_person_vote` to add its counts, draw its lot and count it.

    The roll is taken from `body_id`, or else from the settings' body (every active member
    when neither names one).

    Raises PermissionDenied unless the actor runs votes, ValidationError for settings that do
    not go together, an empty question, an unknown body or a time in the past.
    """
    _require_runner(actor, "put questions to a vote")
    now = now or utcnow()
    labels = tuple(" ".join(o.label.split()) for o in options)
    known = hooks.purpose(purpose)
    if known is None:
        raise ValidationError("That kind of vote is not known here.")
    if settings.method not in known.methods:
        methods = " or ".join(METHOD_LABELS[m].lower() for m in known.methods)
        raise ValidationError(f"{known.label} is decided by {methods}.")
    if by_nomination:
        _check_by_nomination(purpose, labels, in_person)
        # Checked as if just enough candidates stood; the candidates are checked at opening.
        labels = tuple(f"candidate {n}" for n in range(1, settings.seats + 2))
    check_settings(Settings(**{**settings.__dict__, "options": labels}))
    if by_nomination:
        labels = ()
    if opens_at is not None and opens_at <= now:
        raise ValidationError("The opening time is in the past; open it now instead.")
    if closes_at is not None and closes_at <= (opens_at or now):
        raise ValidationError("The closing time must be later than the opening.")
    description_markdown, description_html = (
        clean_markdown(
            description,
            max_length=MAX_DESCRIPTION,
            empty="The explanation shows no text; leave it empty or write one.",
            too_long="The explanation has at most {limit} characters.",
        )
        if (description or "").strip()
        else ("", "")
    )
    body_id = body_id if body_id is not None else settings.body_id
    if body_id is not None and not _body_exists(body_id):
        raise ValidationError("That body does not exist.")
    if nominations_close_at is not None and (
        nominations_close_at <= now or (opens_at is not None and nominations_close_at > opens_at)
    ):
        raise ValidationError("Nominations close after now and before the election opens.")
    vote = Vote(
        title=_clean_title(title),
        description_markdown=description_markdown,
        description_html=description_html,
        subject_type=subject[0] if subject else None,
        subject_id=subject[1] if subject else None,
        purpose=purpose,
        method=settings.method,
        seats=settings.seats,
        stv_variant=settings.stv_variant if settings.method == VoteMethod.STV else None,
        quota=settings.quota,
        tie_break=settings.tie_break,
        ranked_threshold=settings.ranked_threshold,
        one_winner_per_round=settings.one_winner_per_round,
        threshold=settings.threshold if settings.method == VoteMethod.MAJORITY else None,
        abstentions_in_base=settings.abstentions_in_base,
        quorum_percent=settings.quorum_percent,
        block_rule=settings.block_rule if settings.method == VoteMethod.CONSENSUS else None,
        fallback=settings.fallback if settings.block_rule == BlockRule.FALLBACK else None,
        secret=settings.secret,
        replaceable=settings.replaceable,
        breakdown_by_tendency=settings.breakdown_by_tendency,
        receipts_show_content=settings.receipts_show_content and settings.secret,
        shuffled=settings.shuffled and settings.is_ranked,
        body_id=body_id,
        previous_vote_id=previous_vote_id,
        by_nomination=by_nomination,
        nominations_close_at=nominations_close_at if by_nomination else None,
        state=VoteState.SCHEDULED,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by_id=actor.id,
        created_at=now,
    )
    db.session.add(vote)
    db.session.flush()
    if settings.is_ranked:
        for position, (spec, label) in enumerate(zip(options, labels, strict=True), start=1):
            db.session.add(
                VoteOption(vote_id=vote.id, position=position, label=label, ref_id=spec.ref_id)
            )
    db.session.flush()
    record_action(actor, "vote.create", vote, f"Made the vote “{vote.title}”", method=vote.method)
    if in_person:
        # Not opened here and without a roll or a lot yet: `record_in_person_vote` enters the
        # meeting's counts, then draws the lot and counts, in this same transaction.
        vote.in_person = True
        db.session.flush()
    elif opens_at is None and not by_nomination:
        open_vote(actor, vote, now=now)
    return vote


def _check_by_nomination(purpose: str, labels: Sequence[str], in_person: bool) -> None:
    if purpose != "election" or in_person:
        raise ValidationError("Candidates stand by nomination only in an election held here.")
    if labels:
        raise ValidationError(
            "An election by nomination lists the accepted candidates; type no names."
        )


def _body_exists(body_id: int) -> bool:
    return db.session.get(Body, body_id) is not None


def open_vote(actor: Member | None, vote: Vote, *, now: datetime | None = None) -> Vote:
    """Open a scheduled vote: take the roll, draw the tie-break lot, start accepting ballots.

    `actor` None is the system opening it at its time. The roll is every active member, or
    the current members of the vote's body, with their tendency at this moment. An election
    by nomination takes its accepted candidates as its options, closing nominations; it
    raises ValidationError when too few stand for its seats.
    """
    if actor is not None:
        _require_runner(actor, "open votes")
    now = now or utcnow()
    vote = _lock(vote)
    if vote.state != VoteState.SCHEDULED:
        raise InvalidTransition(f"This vote is {vote.state}; only a scheduled vote opens.")
    if vote.by_nomination:
        options = nominations.place_candidates(vote)
        check_settings(settings_of(vote, options))
    drawn = _draw_lot(load_options(vote))
    vote.roll_size = _take_roll(vote)
    vote.lot = json.dumps(drawn, ensure_ascii=False)
    vote.state = VoteState.OPEN
    vote.opened_at = now
    db.session.flush()
    hooks.vote_opened(actor, vote)
    record_action(actor, "vote.open", vote, f"Opened the vote “{vote.title}”", roll=vote.roll_size)
    return vote


def _take_roll(vote: Vote) -> int:
    """Write the vote's roll in one statement; returns its size (the rows it inserted)."""
    tendency = (
        select(TendencyMembership.tendency_id)
        .where(TendencyMembership.member_id == Member.id, TendencyMembership.left_at.is_(None))
        .scalar_subquery()
    )
    eligible = select(literal(vote.id), Member.id, tendency).where(
        Member.status == MemberStatus.ACTIVE
    )
    if vote.body_id is not None:
        eligible = eligible.where(
            Member.id.in_(
                select(BodyMembership.member_id).where(
                    BodyMembership.body_id == vote.body_id, BodyMembership.removed_at.is_(None)
                )
            )
        )
    taken = db.session.execute(
        insert(RollEntry).from_select(["vote_id", "member_id", "tendency_id"], eligible),
        execution_options={"preserve_rowcount": True},
    )
    return int(taken.rowcount)  # type: ignore[attr-defined]


def open_due_votes(now: datetime | None = None) -> list[Vote]:
    """Open every scheduled vote whose time has come (the system acting)."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Vote).where(Vote.state == VoteState.SCHEDULED, Vote.opens_at <= now)
    ).all()
    opened = []
    for vote in due:
        try:
            with db.session.begin_nested():
                opened.append(open_vote(None, vote, now=now))
        except ValidationError:
            # An election by nomination with too few candidates waits for its conveners.
            continue
    return opened


def cancel_vote(actor: Member, vote: Vote) -> None:
    """A scheduled vote that has not opened may be cancelled; nothing was cast."""
    _require_runner(actor, "cancel votes")
    vote = _lock(vote)
    if vote.state != VoteState.SCHEDULED:
        raise InvalidTransition("Only a vote that has not opened can be cancelled.")
    vote.state = VoteState.CANCELLED
    db.session.flush()
    record_action(actor, "vote.cancel", vote, f"Cancelled the vote “{vote.title}”")


def hold_second_round(actor: Member, vote: Vote, *, now: datetime | None = None) -> Vote:
    """After a block sent a consensus vote to a second round, and further debate, put the
    same question again with the same settings: a new vote linked to the first, opening now.
    The purpose that asked for the first (a draft's adoption, say) starts the second itself.

    Raises InvalidTransition unless the vote closed asking for a second round and none was
    held yet.
    """
    _require_runner(actor, "hold second rounds")
    vote = _lock(vote)
    result = vote.result
    if (
        not vote.is_closed
        or result is None
        or result["count"].get("outcome") != ConsensusOutcome.SECOND_ROUND_NEEDED
    ):
        raise InvalidTransition(
            "Only a consensus vote that a block sent to a second round has one."
        )
    if db.session.scalar(select(Vote.id).where(Vote.previous_vote_id == vote.id)) is not None:
        raise InvalidTransition("The second round of this vote is already held.")
    settings = settings_of(vote, load_options(vote))
    purpose = hooks.purpose(vote.purpose)
    if purpose is not None and purpose.start is not None and vote.subject_id is not None:
        second = purpose.start(actor, vote.subject_id, settings, None, None)
        second.previous_vote_id = vote.id
    else:
        second = create_vote(
            actor,
            title=vote.title,
            settings=settings,
            description=vote.description_markdown,
            purpose=vote.purpose,
            body_id=vote.body_id,
            previous_vote_id=vote.id,
            now=now,
        )
    db.session.flush()
    record_action(actor, "vote.second_round", second, f"Second round of “{vote.title}”")
    return second
