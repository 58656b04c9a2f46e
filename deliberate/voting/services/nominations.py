"""Candidates standing for an election: nominations, acceptance, statements, the ballot's
candidates fixed when the election opens."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from deliberate import events
from deliberate.accounts.models import Member, MemberStatus
from deliberate.audit.services import record_action
from deliberate.bodies.models import BodyMembership
from deliberate.cleaning import clean_markdown
from deliberate.database import utcnow
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.voting import hooks
from deliberate.voting.events import NominationAnswered, NominationMade
from deliberate.voting.models import Nomination, Vote, VoteOption
from deliberate.voting.rules import MAX_OPTION_LABEL
from deliberate.voting.services.common import _lock, _require_runner
from deliberate.voting.vocabulary import NominationState, VoteState


class StatementRefused(ValidationError):
    """A statement that cannot be kept (too long, no text): told beside the statement."""


MAX_STATEMENT = 3_000
#: The form's limit is wider than the service's, so a long statement is refused with the
#: service's message beside the field (and the text kept), not cut by the browser.
MAX_STATEMENT_INPUT = 20_000


def nominations_open(vote: Vote, now: datetime | None = None) -> bool:
    """Whether members may still nominate and answer: an election by nomination that has not
    opened, before its nominations close (if it set a time)."""
    now = now or utcnow()
    return (
        vote.by_nomination
        and vote.state == VoteState.SCHEDULED
        and (vote.nominations_close_at is None or now < vote.nominations_close_at)
    )


def is_eligible(member: Member, vote: Vote) -> bool:
    """Whether `member` would be on the election's roll if it opened now: every active
    member, or the current members of its body."""
    if member.status != MemberStatus.ACTIVE:
        return False
    if vote.body_id is None:
        return True
    return (
        db.session.scalar(
            select(BodyMembership.member_id).where(
                BodyMembership.body_id == vote.body_id,
                BodyMembership.member_id == member.id,
                BodyMembership.removed_at.is_(None),
            )
        )
        is not None
    )


def eligible_members(vote: Vote) -> list[Member]:
    """The members who may stand and nominate, by name."""
    query = select(Member).where(Member.status == MemberStatus.ACTIVE)
    if vote.body_id is not None:
        query = query.where(
            Member.id.in_(
                select(BodyMembership.member_id).where(
                    BodyMembership.body_id == vote.body_id, BodyMembership.removed_at.is_(None)
                )
            )
        )
    return list(db.session.scalars(query.order_by(Member.display_name, Member.id)))


def nominations_of(vote: Vote) -> list[Nomination]:
    """Every nomination of the election, with its nominee and nominator, by the nominee's
    name."""
    return list(
        db.session.scalars(
            select(Nomination)
            .join(Member, Member.id == Nomination.nominee_id)
            .options(joinedload(Nomination.nominee), joinedload(Nomination.nominated_by))
            .where(Nomination.vote_id == vote.id)
            .order_by(Member.display_name, Member.id)
        )
    )


def open_nominations(
    actor: Member, vote: Vote, *, close_at: datetime | None = None, now: datetime | None = None
) -> Vote:
    """Let candidates stand for an election that has not opened: members nominate until
    `close_at` (None: until a convener opens it); the names typed when it was made give way
    to the accepted candidates, fixed when it opens.

    Raises PermissionDenied unless the actor runs votes, InvalidTransition unless the vote is
    a scheduled election held here, ValidationError for a closing time in the past or after
    the opening.
    """
    _require_runner(actor, "open nominations")
    now = now or utcnow()
    vote = _lock(vote)
    if vote.purpose != "election" or vote.state != VoteState.SCHEDULED or vote.in_person:
        raise InvalidTransition("Only an election that has not opened takes nominations.")
    _check_close_at(vote, close_at, now)
    was_by_nomination = vote.by_nomination
    vote.by_nomination = True
    vote.nominations_close_at = close_at
    if not was_by_nomination:
        db.session.execute(delete(VoteOption).where(VoteOption.vote_id == vote.id))
    db.session.flush()
    record_action(
        actor,
        "vote.nominations_open",
        vote,
        f"Opened nominations for “{vote.title}”",
        close_at=close_at.isoformat() if close_at else None,
    )
    return vote


def _check_close_at(vote: Vote, close_at: datetime | None, now: datetime) -> None:
    if close_at is None:
        return
    if close_at <= now:
        raise ValidationError("The nominations' closing time is in the past.", field="close_at")
    if vote.opens_at is not None and close_at > vote.opens_at:
        raise ValidationError("Nominations close before the election opens.", field="close_at")


def nominate(
    actor: Member,
    vote: Vote,
    nominee: Member,
    *,
    statement: str = "",
    now: datetime | None = None,
) -> Nomination:
    """Nominate `nominee` (the actor herself, or another eligible member) for the election.

    A member nominating herself stands at once, with her `statement`; a nomination by another
    awaits the nominee's acceptance (the nominee writes her own statement then). A nominee who
    declined or withdrew may stand again by nominating herself; no one else can put her
    forward again. Records a `NominationMade` event and an audit entry.

    Raises InvalidTransition when nominations are not open, PermissionDenied when the actor
    is not on the election's roll, ValidationError for a nominee who is not, who is already
    nominated, or a statement too long.
    """
    now = now or utcnow()
    vote = _open_for_nominations(vote, now)
    if not is_eligible(actor, vote):
        raise PermissionDenied("Only members on this election's roll nominate candidates.")
    if not is_eligible(nominee, vote):
        raise ValidationError(f"{nominee.display_name} is not on this election's roll.")
    self_nomination = actor.id == nominee.id
    if not self_nomination and (statement or "").strip():
        raise StatementRefused("The candidate writes her own statement once she accepts.")
    markdown, html = _statement(statement) if self_nomination else ("", "")
    existing = db.session.scalar(
        select(Nomination).where(Nomination.vote_id == vote.id, Nomination.nominee_id == nominee.id)
    )
    if existing is not None:
        nomination = _again(actor, existing, nominee, markdown, html, now)
    else:
        nomination = Nomination(
            vote_id=vote.id,
            nominee_id=nominee.id,
            nominated_by_id=actor.id,
            state=NominationState.ACCEPTED if self_nomination else NominationState.PENDING,
            statement_markdown=markdown,
            statement_html=html,
            created_at=now,
            answered_at=now if self_nomination else None,
        )
        db.session.add(nomination)
        db.session.flush()
    # On the election, so the audit log links each entry to its page.
    record_action(
        actor,
        "nomination.make",
        vote,
        f"Nominated {nominee.display_name} for “{vote.title}”"
        if not self_nomination
        else f"Stood for “{vote.title}”",
        nomination_id=nomination.id,
        nominee_id=nominee.id,
    )
    events.record(
        NominationMade(
            vote_id=vote.id,
            nomination_id=nomination.id,
            nominee_id=nominee.id,
            nominated_by_id=actor.id,
            standing=nomination.is_standing,
        )
    )
    if not self_nomination:
        hooks.nomination_changed(nomination, actor)
    return nomination


def _again(
    actor: Member,
    existing: Nomination,
    nominee: Member,
    markdown: str,
    html: str,
    now: datetime,
) -> Nomination:
    """A second nomination of the same member: only she may stand again after declining."""
    name = nominee.display_name
    if existing.state in (NominationState.ACCEPTED, NominationState.PENDING):
        raise ValidationError(
            f"{name} is already a candidate."
            if existing.is_standing
            else f"{name} is already nominated and has not answered yet."
        )
    if actor.id != nominee.id:
        raise ValidationError(
            f"{name} declined or withdrew; only she can stand again, by nominating herself."
        )
    existing.state = NominationState.ACCEPTED
    existing.nominated_by_id = actor.id
    existing.statement_markdown = markdown or existing.statement_markdown
    existing.statement_html = html or existing.statement_html
    existing.answered_at = now
    db.session.flush()
    return existing


def accept_nomination(
    actor: Member, nomination: Nomination, *, statement: str = "", now: datetime | None = None
) -> Nomination:
    """The nominee accepts a nomination by another, with her statement (optional): she
    stands. Raises PermissionDenied unless the actor is the nominee, InvalidTransition unless
    the nomination awaits her answer while nominations are open, ValidationError for a
    statement too long."""
    nomination = _answer(actor, nomination, NominationState.PENDING, now)
    markdown, html = _statement(statement)
    nomination.statement_markdown = markdown
    nomination.statement_html = html
    return _answered(actor, nomination, NominationState.ACCEPTED, now, "Accepted")


def decline_nomination(
    actor: Member, nomination: Nomination, *, now: datetime | None = None
) -> Nomination:
    """The nominee declines a nomination by another. Raises as `accept_nomination`."""
    nomination = _answer(actor, nomination, NominationState.PENDING, now)
    return _answered(actor, nomination, NominationState.DECLINED, now, "Declined")


def withdraw_nomination(
    actor: Member, nomination: Nomination, *, now: datetime | None = None
) -> Nomination:
    """A candidate withdraws before the election opens. Raises PermissionDenied unless the
    actor is the candidate, InvalidTransition unless she stands and nominations are open."""
    nomination = _answer(actor, nomination, NominationState.ACCEPTED, now)
    return _answered(actor, nomination, NominationState.WITHDRAWN, now, "Withdrew")


def write_statement(
    actor: Member, nomination: Nomination, statement: str, *, now: datetime | None = None
) -> Nomination:
    """A candidate (standing, or nominated and not yet answered) writes or rewrites her
    statement until the election opens; an empty text removes it. Raises PermissionDenied
    unless the actor is the nominee, InvalidTransition once nominations are closed or after
    she declined or withdrew, ValidationError for a statement too long."""
    now = now or utcnow()
    if actor.id != nomination.nominee_id:
        raise PermissionDenied("Only the candidate writes her statement.")
    vote = _open_for_nominations(db.session.get_one(Vote, nomination.vote_id), now)
    if nomination.state not in (NominationState.ACCEPTED, NominationState.PENDING):
        raise InvalidTransition("You are not a candidate in this election any more.")
    nomination.statement_markdown, nomination.statement_html = _statement(statement)
    db.session.flush()
    record_action(
        actor,
        "nomination.statement",
        vote,
        f"Wrote a statement for “{vote.title}”",
        nomination_id=nomination.id,
    )
    return nomination


def _open_for_nominations(vote: Vote, now: datetime) -> Vote:
    """The vote, locked against its opening, if nominations are open."""
    vote = _lock(vote, shared=True)
    if not nominations_open(vote, now):
        raise InvalidTransition(
            "This election takes no nominations."
            if not vote.by_nomination
            else "Nominations for this election are closed."
        )
    return vote


def _answer(
    actor: Member, nomination: Nomination, expected: NominationState, now: datetime | None
) -> Nomination:
    if actor.id != nomination.nominee_id or not actor.is_active:
        raise PermissionDenied("Only the nominee answers her nomination.")
    _open_for_nominations(db.session.get_one(Vote, nomination.vote_id), now or utcnow())
    if nomination.state != expected:
        raise InvalidTransition(
            "This nomination awaits no answer any more."
            if expected == NominationState.PENDING
            else "You are not standing in this election."
        )
    return nomination


def _answered(
    actor: Member,
    nomination: Nomination,
    state: NominationState,
    now: datetime | None,
    verb: str,
) -> Nomination:
    nomination.state = state
    nomination.answered_at = now or utcnow()
    db.session.flush()
    vote = db.session.get_one(Vote, nomination.vote_id)
    record_action(
        actor,
        f"nomination.{state.value}",
        vote,
        f"{verb} the nomination for “{vote.title}”",
        nomination_id=nomination.id,
    )
    events.record(
        NominationAnswered(
            vote_id=vote.id,
            nomination_id=nomination.id,
            nominee_id=nomination.nominee_id,
            state=state.value,
        )
    )
    if nomination.nominated_by_id != nomination.nominee_id:
        hooks.nomination_changed(nomination, actor)
    return nomination


def _statement(raw: str | None) -> tuple[str, str]:
    if not (raw or "").strip():
        return "", ""
    try:
        return clean_markdown(
            raw,
            max_length=MAX_STATEMENT,
            empty="The statement shows no text; leave it empty or write one.",
            too_long="A statement has at most {limit} characters.",
        )
    except ValidationError as refused:
        raise StatementRefused(refused.message) from None


def place_candidates(vote: Vote) -> list[VoteOption]:
    """Make the election's options its accepted candidates who are still on its roll, by
    name (a name two candidates share is told apart by a number); called as it opens, in
    the same transaction. Later nominations and answers are refused: the election is open."""
    standing = [n for n in nominations_of(vote) if n.is_standing and is_eligible(n.nominee, vote)]
    if len(standing) <= vote.seats:
        raise ValidationError(
            f"{len(standing)} {'candidate stands' if len(standing) == 1 else 'candidates stand'}"
            f"; an election for {vote.seats} {'seat' if vote.seats == 1 else 'seats'} needs at "
            f"least {vote.seats + 1}."
        )
    db.session.execute(delete(VoteOption).where(VoteOption.vote_id == vote.id))
    options = [
        VoteOption(
            vote_id=vote.id, position=position, label=label, candidate_id=nomination.nominee_id
        )
        for position, (nomination, label) in enumerate(
            zip(standing, _labels([n.nominee.display_name for n in standing]), strict=True),
            start=1,
        )
    ]
    db.session.add_all(options)
    db.session.flush()
    return options


def _labels(names: Sequence[str]) -> list[str]:
    """Names as ballot labels, each distinct as the rules compare options (whole words, case
    folded): a name two candidates share gets " (1)", " (2)"…"""
    cut = [" ".join(name.split())[: MAX_OPTION_LABEL - 8] or "?" for name in names]
    shared = Counter(label.casefold() for label in cut)
    seen: Counter[str] = Counter()
    labels = []
    for label in cut:
        key = label.casefold()
        seen[key] += 1
        labels.append(f"{label} ({seen[key]})" if shared[key] > 1 else label)
    return labels
