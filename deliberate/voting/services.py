"""Votes: make, open, cast, close, record in person, import paper ballots.

Services take the actor, flush and never commit, and import nothing from Flask. Concurrency
is the database's: the one-ballot rule is the primary key of `vote_participations`; casting
takes a shared lock on the vote's row and closing an exclusive one (PostgreSQL), and SQLite
serializes writing transactions (BEGIN IMMEDIATE), so a ballot is either counted in the stored
result or refused as late, never lost.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, delete, func, insert, inspect, literal, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from deliberate.accounts.models import Member, MemberStatus
from deliberate.audit.services import record_action
from deliberate.bodies.models import Body, BodyMembership
from deliberate.cleaning import clean_line, clean_markdown
from deliberate.database import rows_matched, utcnow
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.tendencies.models import TendencyMembership
from deliberate.voting import hooks, results
from deliberate.voting.models import (
    Ballot,
    BallotSource,
    Participation,
    RollEntry,
    Vote,
    VoteOption,
    VoteState,
)
from deliberate.voting.permissions import can_run_votes
from deliberate.voting.rules import (
    MAX_PAPER_BALLOTS,
    MAX_PRESENT,
    METHOD_LABELS,
    Settings,
    check_ballot,
    check_settings,
    encode,
)

if TYPE_CHECKING:
    from deliberate.voting.counting.formats import Election

MAX_TITLE = 300
MAX_DESCRIPTION = 20_000
RECEIPT_BYTES = 12


class AlreadyVoted(InvalidTransition):
    """The member's ballot is already in (and may not be replaced this way)."""


class RegisterRefused(ValidationError):
    """The register of who voted on paper does not hold: a line is refused, or it does not
    list as many members as the file holds ballots."""


@dataclass(frozen=True)
class OptionSpec:
    """An option as the caller proposes it; `ref_id` points into the subject's domain."""

    label: str
    ref_id: int | None = None


@dataclass(frozen=True)
class CastReceipt:
    """What the voter takes away: for a secret ballot, the receipt code (shown once)."""

    code: str | None
    replaced: bool


def receipt_hash(vote_id: int, code: str) -> str:
    """The stored form of a receipt code: SHA-256 of the vote and the code."""
    return hashlib.sha256(f"deliberate-receipt:{vote_id}:{code.strip()}".encode()).hexdigest()


def replace_hash(vote_id: int, member_id: int, code: str) -> str:
    """What the participation row keeps to check a replacement: SHA-256 of the vote, the
    member and the code, derived apart from `receipt_hash` so that a database reader cannot
    go from one to the other without the code."""
    text = f"deliberate-replace:{vote_id}:{member_id}:{code.strip()}"
    return hashlib.sha256(text.encode()).hexdigest()


def settings_of(vote: Vote, options: Sequence[VoteOption] | None = None) -> Settings:
    """The pure settings of a stored vote (options must be loaded or given)."""
    labels = tuple(o.label for o in (options if options is not None else vote.options))
    return Settings(
        method=vote.method,
        options=labels if vote.is_ranked else (),
        seats=vote.seats,
        stv_variant=vote.stv_variant,
        quota=vote.quota,
        threshold=vote.threshold,
        abstentions_in_base=vote.abstentions_in_base,
        quorum_percent=vote.quorum_percent,
        block_rule=vote.block_rule,
        fallback=vote.fallback,
        secret=vote.secret,
        replaceable=vote.replaceable,
        breakdown_by_tendency=vote.breakdown_by_tendency,
        receipts_show_content=vote.receipts_show_content,
        lot=tuple(vote.lot_order),
        tie_break=vote.tie_break,
        ranked_threshold=vote.ranked_threshold,
        one_winner_per_round=vote.one_winner_per_round,
    )


def _require_runner(actor: Member, what: str) -> None:
    if not can_run_votes(actor):
        raise PermissionDenied(f"Only conveners {what}.")


def _clean_title(raw: str | None) -> str:
    return clean_line(
        raw,
        max_length=MAX_TITLE,
        empty="The question cannot be empty.",
        too_long="The question has at most {limit} characters.",
    )


def _lock(vote: Vote, *, shared: bool = False) -> Vote:
    """Lock the vote's row (FOR SHARE to cast, FOR UPDATE to close) and reload it."""
    return db.session.execute(
        select(Vote)
        .where(Vote.id == vote.id)
        .with_for_update(read=shared)
        .execution_options(populate_existing=True)
    ).scalar_one()


def load_options(vote: Vote) -> list[VoteOption]:
    return list(
        db.session.scalars(
            select(VoteOption).where(VoteOption.vote_id == vote.id).order_by(VoteOption.position)
        )
    )


# --- making and opening ---------------------------------------------------------------------


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
    now: datetime | None = None,
) -> Vote:
    """Make a vote with its settings; it opens now (`opens_at` None) or at `opens_at`.

    `in_person` makes the record of a vote held at a meeting, without a roll here, for
    `record_in_person_vote` to add its counts, draw its lot and count it.

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
    check_settings(Settings(**{**settings.__dict__, "options": labels}))
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
    if body_id is not None and not _body_exists(body_id):
        raise ValidationError("That body does not exist.")
    vote = Vote(
        title=_clean_title(title),
        description_markdown=description_markdown,
        description_html=description_html,
        subject_type=subject[0] if subject else None,
        subject_id=subject[1] if subject else None,
        purpose=purpose,
        method=settings.method,
        seats=settings.seats,
        stv_variant=settings.stv_variant if settings.method == "stv" else None,
        quota=settings.quota,
        tie_break=settings.tie_break,
        ranked_threshold=settings.ranked_threshold,
        one_winner_per_round=settings.one_winner_per_round,
        threshold=settings.threshold if settings.method == "majority" else None,
        abstentions_in_base=settings.abstentions_in_base,
        quorum_percent=settings.quorum_percent,
        block_rule=settings.block_rule if settings.method == "consensus" else None,
        fallback=settings.fallback if settings.block_rule == "fallback" else None,
        secret=settings.secret,
        replaceable=settings.replaceable,
        breakdown_by_tendency=settings.breakdown_by_tendency,
        receipts_show_content=settings.receipts_show_content and settings.secret,
        body_id=body_id,
        previous_vote_id=previous_vote_id,
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
    elif opens_at is None:
        open_vote(actor, vote, now=now)
    return vote


def _draw_lot(options: Sequence[VoteOption]) -> list[str]:
    """The tie-break order of the options, drawn from the system's secure random source."""
    drawn = [o.label for o in options]
    secrets.SystemRandom().shuffle(drawn)
    return drawn


def _body_exists(body_id: int) -> bool:
    return db.session.get(Body, body_id) is not None


def open_vote(actor: Member | None, vote: Vote, *, now: datetime | None = None) -> Vote:
    """Open a scheduled vote: take the roll, draw the tie-break lot, start accepting ballots.

    `actor` None is the system opening it at its time. The roll is every active member, or
    the current members of the vote's body, with their tendency at this moment.
    """
    if actor is not None:
        _require_runner(actor, "open votes")
    now = now or utcnow()
    vote = _lock(vote)
    if vote.state != VoteState.SCHEDULED:
        raise InvalidTransition(f"This vote is {vote.state}; only a scheduled vote opens.")
    drawn = _draw_lot(load_options(vote))
    _take_roll(vote)
    vote.roll_size = db.session.scalar(
        select(func.count()).select_from(RollEntry).where(RollEntry.vote_id == vote.id)
    )
    vote.lot = json.dumps(drawn, ensure_ascii=False)
    vote.state = VoteState.OPEN
    vote.opened_at = now
    db.session.flush()
    hook = hooks.purpose(vote.purpose)
    if hook is not None and hook.on_open is not None:
        hook.on_open(actor, vote)
    record_action(actor, "vote.open", vote, f"Opened the vote “{vote.title}”", roll=vote.roll_size)
    return vote


def _take_roll(vote: Vote) -> None:
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
    db.session.execute(
        insert(RollEntry).from_select(["vote_id", "member_id", "tendency_id"], eligible)
    )


def open_due_votes(now: datetime | None = None) -> list[Vote]:
    """Open every scheduled vote whose time has come (the system acting)."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Vote).where(Vote.state == VoteState.SCHEDULED, Vote.opens_at <= now)
    ).all()
    return [open_vote(None, vote, now=now) for vote in due]


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
        or result["count"].get("outcome") != "second_round_needed"
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


# --- casting ----------------------------------------------------------------------------------


def is_due(vote: Vote, now: datetime | None = None) -> bool:
    """Whether an open vote has passed its scheduled close."""
    now = now or utcnow()
    return vote.state == VoteState.OPEN and vote.closes_at is not None and vote.closes_at <= now


def cast_ballot(
    actor: Member,
    vote: Vote,
    content: dict[str, Any],
    *,
    receipt: str | None = None,
    now: datetime | None = None,
) -> CastReceipt:
    """Record the actor's ballot; with `receipt`, replace their secret ballot.

    Refuses (and changes nothing) when the vote is not open or past its close, the actor is
    not on the roll or suspended, the ballot is invalid, the member already voted and the vote
    forbids replacing, or a replacement's receipt code is wrong. Returns the receipt code of
    a new secret ballot, which the server keeps only as a hash.
    """
    now = now or utcnow()
    state, closes_at = _share_lock(vote)
    if state != VoteState.OPEN or (closes_at is not None and closes_at <= now):
        raise InvalidTransition("This vote is closed; your ballot was not recorded.")
    if not actor.is_active:
        raise PermissionDenied("A suspended member cannot vote.")
    standing = _standing(vote, actor)
    if not standing.on_roll:
        raise PermissionDenied("You are not on the roll of this vote, so you cannot vote in it.")
    if standing.on_paper:
        raise AlreadyVoted(
            "You voted on paper: your ballot is among the paper ballots of this vote, so you "
            "cannot vote online as well."
        )
    stored = encode(check_ballot(settings_of(vote, _options(vote)), content))
    if vote.secret:
        return _cast_secret(vote, actor, stored, standing, receipt=receipt)
    return _cast_roll_call(vote, actor, stored, standing)


def _share_lock(vote: Vote) -> tuple[str, datetime | None]:
    """The vote's state and close, read under a shared lock that a closing transaction's
    exclusive lock waits for (PostgreSQL; SQLite serializes writing transactions)."""
    row = db.session.execute(
        select(Vote.state, Vote.closes_at).where(Vote.id == vote.id).with_for_update(read=True)
    ).one()
    return row.state, row.closes_at


def _options(vote: Vote) -> Sequence[VoteOption]:
    """The vote's options: as loaded with it, or read now."""
    loaded = inspect(vote).dict.get("options")
    return loaded if loaded is not None else load_options(vote)


@dataclass(frozen=True)
class _Standing:
    on_roll: bool
    voted: bool
    tendency_id: int | None  # the member's tendency now
    on_paper: bool = False  # marked on the register as having voted on paper


def _standing(vote: Vote, actor: Member) -> _Standing:
    """Whether the member is on the roll and has voted (online or on paper), and their
    tendency now: one query."""
    voted = (
        select(Participation.on_paper)
        .where(Participation.vote_id == vote.id, Participation.member_id == actor.id)
        .scalar_subquery()
    )
    tendency = (
        select(TendencyMembership.tendency_id)
        .where(TendencyMembership.member_id == actor.id, TendencyMembership.left_at.is_(None))
        .scalar_subquery()
    )
    row = db.session.execute(
        select(RollEntry.member_id, voted.label("voted"), tendency.label("tendency_id")).where(
            RollEntry.vote_id == vote.id, RollEntry.member_id == actor.id
        )
    ).first()
    if row is None:
        return _Standing(on_roll=False, voted=False, tendency_id=None)
    return _Standing(
        on_roll=True,
        voted=row.voted is not None,
        tendency_id=row.tendency_id,
        on_paper=bool(row.voted),
    )


def _participate(
    vote: Vote, actor: Member, tendency_id: int | None, code: str | None = None
) -> None:
    """Insert the participation row (with the replacement check of a secret ballot's `code`);
    the primary key refuses a second one, even from a concurrent request (the insert then does
    nothing and the ballot is refused)."""
    dialect = db.session.get_bind().dialect.name
    statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(Participation)
    inserted = db.session.execute(
        statement.values(
            vote_id=vote.id,
            member_id=actor.id,
            tendency_id=tendency_id,
            replace_hash=replace_hash(vote.id, actor.id, code) if code is not None else None,
        )
        .on_conflict_do_nothing()
        .returning(Participation.member_id)
    ).first()
    if inserted is None:
        raise AlreadyVoted("Your ballot is already in; it was not recorded twice.")


def _cast_secret(
    vote: Vote, actor: Member, stored: str, standing: _Standing, *, receipt: str | None
) -> CastReceipt:
    if standing.voted or receipt:
        if not vote.replaceable:
            raise AlreadyVoted(
                "Your ballot is already in, and this vote does not allow replacing it."
            )
        if not standing.voted:
            raise ValidationError("You have not voted yet; leave the receipt code empty.")
        if not receipt or not receipt.strip():
            raise AlreadyVoted(
                "Your ballot is already in. To replace it, give the receipt code you were shown."
            )
        ballot = db.session.scalar(
            select(Ballot).where(
                Ballot.vote_id == vote.id, Ballot.receipt_hash == receipt_hash(vote.id, receipt)
            )
        )
        if ballot is None or not _cast_by(vote, actor, receipt):
            # One message for a wrong code and another member's code: the answer does not
            # tell whether a code someone holds is valid.
            raise ValidationError(
                "That receipt code does not match a ballot you cast in this vote; "
                "nothing was changed."
            )
        ballot.content = stored
        db.session.flush()
        return CastReceipt(code=receipt.strip(), replaced=True)
    code = secrets.token_urlsafe(RECEIPT_BYTES)
    _participate(vote, actor, standing.tendency_id, code)
    db.session.execute(
        insert(Ballot).values(
            id=secrets.token_hex(16),
            vote_id=vote.id,
            receipt_hash=receipt_hash(vote.id, code),
            tendency_id=standing.tendency_id if vote.breakdown_by_tendency else None,
            source=BallotSource.ONLINE,
            content=stored,
        )
    )
    return CastReceipt(code=code, replaced=False)


def _cast_by(vote: Vote, actor: Member, code: str) -> bool:
    """Whether the receipt `code` is the one the actor was given when casting: her
    participation row keeps `replace_hash`. A participation written before that hash existed
    (none is stored) is checked by the code alone, as it was then."""
    stored = db.session.scalar(
        select(Participation.replace_hash).where(
            Participation.vote_id == vote.id, Participation.member_id == actor.id
        )
    )
    return stored is None or secrets.compare_digest(stored, replace_hash(vote.id, actor.id, code))


def _cast_roll_call(vote: Vote, actor: Member, stored: str, standing: _Standing) -> CastReceipt:
    if standing.voted:
        if not vote.replaceable:
            raise AlreadyVoted(
                "Your ballot is already in, and this vote does not allow replacing it."
            )
        replaced = db.session.execute(
            update(Ballot)
            .where(Ballot.vote_id == vote.id, Ballot.member_id == actor.id)
            .values(content=stored, tendency_id=standing.tendency_id)
        )
        if rows_matched(replaced) != 1:  # pragma: no cover - participation and ballot go together
            raise InvalidTransition("Your earlier ballot could not be found; nothing changed.")
        return CastReceipt(code=None, replaced=True)
    _participate(vote, actor, standing.tendency_id)
    db.session.execute(
        insert(Ballot).values(
            id=secrets.token_hex(16),
            vote_id=vote.id,
            member_id=actor.id,
            tendency_id=standing.tendency_id,
            source=BallotSource.ONLINE,
            content=stored,
        )
    )
    return CastReceipt(code=None, replaced=False)


# --- closing ----------------------------------------------------------------------------------


def close_vote(
    actor: Member | None,
    vote: Vote,
    *,
    breakdown_min: int = 10,
    now: datetime | None = None,
) -> Vote:
    """Close the vote, count it once, store the result, and let its subject react.

    Idempotent: closing a closed vote returns it unchanged, with the same stored result.
    `actor` None is the system closing it at its scheduled time. The subject's hook (merging
    an adopted amendment, say) runs in the same transaction, so a failure leaves the vote open.
    """
    if actor is not None:
        _require_runner(actor, "close votes")
    now = now or utcnow()
    vote = _lock(vote)
    if vote.state == VoteState.CLOSED:
        return vote
    if vote.state != VoteState.OPEN:
        raise InvalidTransition(f"This vote is {vote.state}; only an open vote closes.")
    if actor is None and not is_due(vote, now):
        raise InvalidTransition("This vote is not due to close yet.")
    options = load_options(vote)
    if vote.secret:
        _rewrite_secret_ballots(vote, breakdown_min)
    result = results.compute(
        settings_of(vote, options),
        ballots=_ballots_for_count(vote),
        roll_size=vote.roll_size or 0,
        participation=_participation(vote),
        tendencies=_tendency_names(),
        breakdown_min=breakdown_min,
        roll_call=not vote.secret,
    )
    _finish(vote, actor, result, now)
    return vote


def _rewrite_secret_ballots(vote: Vote, breakdown_min: int) -> None:
    """Write a closing secret vote's ballots again, in this transaction: read them all,
    delete them, insert them with fresh random keys in a random order.

    The new rows share nothing with the participations that the storage could pair them by:
    not the transaction that wrote them (PostgreSQL `xmin`), not their place (`ctid`), not
    the order or value of their keys. Each column is copied as stored, whatever columns the
    table has; only `tendency_id` is erased where the published breakdown will not show the
    voter's group (and everywhere when none is published), so that what is stored after
    close says no more than what is published.
    """
    db.session.flush()
    table = cast(Table, Ballot.__table__)
    names = [column.name for column in table.columns]
    key, tendency = names.index("id"), names.index("tendency_id")
    connection = db.session.connection()
    rows = [
        list(row) for row in connection.execute(select(table).where(table.c.vote_id == vote.id))
    ]
    if not rows:
        return
    sizes: dict[int | None, int] = {}
    for row in rows:
        sizes[row[tendency]] = sizes.get(row[tendency], 0) + 1
    kept = (
        results.published_tendencies(sizes, _tendency_names(), breakdown_min=breakdown_min)
        if vote.breakdown_by_tendency
        else None
    )
    connection.execute(delete(table).where(table.c.vote_id == vote.id))
    secrets.SystemRandom().shuffle(rows)
    for row in rows:
        row[key] = secrets.token_hex(16)
        if kept is None or row[tendency] not in kept:
            row[tendency] = None
    _insert_rows(table, names, rows)
    # Ballot objects this session loaded name rows that no longer exist.
    for instance in [o for o in db.session.identity_map.values() if isinstance(o, Ballot)]:
        db.session.expunge(instance)


def _insert_rows(table: Table, names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert rows (values in the order of `names`) in the order given, in the session's
    transaction: by COPY on PostgreSQL (a referendum's 100,000 ballots in a fraction of a
    second, where one INSERT per row takes seconds), by one executemany elsewhere."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), [dict(zip(names, row, strict=True)) for row in rows])
        return
    driver = connection.connection.driver_connection
    data = "".join("\t".join(map(_copy_text, row)) + "\n" for row in rows)
    with (
        driver.cursor() as cursor,  # type: ignore[union-attr]  # psycopg's connection
        cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy,
    ):
        copy.write(data)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """A value in PostgreSQL's COPY text format (formatted here: psycopg's per-row writing
    costs seconds for 100,000 rows)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).translate(_COPY_ESCAPES)


def _finish(vote: Vote, actor: Member | None, result: dict[str, Any], now: datetime) -> None:
    vote.result_json = json.dumps(result, ensure_ascii=False, sort_keys=True)
    vote.outcome = result["outcome"]["summary"][:200]
    vote.state = VoteState.CLOSED
    vote.closed_at = now
    vote.closed_by_id = actor.id if actor is not None else None
    db.session.flush()
    hooks.vote_closed(vote, result)
    record_action(
        actor,
        "vote.close",
        vote,
        f"Closed the vote “{vote.title}”: {vote.outcome}",
        participation=result["participation"]["voted"],
    )


def recount(vote: Vote) -> dict[str, Any]:
    """A closed vote's result counted again from its ballots as stored now, the way
    `close_vote` (or, for a meeting's vote, `record_in_person_vote`) counted it (for checking
    the archive: the stored result must match), with the breakdown minimum it was closed
    with. A meeting's anonymous counts have no voters to list and no tendencies to break
    down."""
    stored = vote.result or {}
    return results.compute(
        settings_of(vote, load_options(vote)),
        ballots=_ballots_for_count(vote),
        roll_size=vote.roll_size or 0,
        participation=_participation(vote),
        tendencies={} if vote.in_person else _tendency_names(),
        breakdown_min=int(stored.get("breakdown_min", 10)),
        roll_call=not vote.secret and not vote.in_person,
    )


def _ballots_for_count(vote: Vote) -> list[results.CountedBallot]:
    """The vote's ballots, identical ones grouped with their number (a referendum's 100,000
    ballots are a few thousand distinct rows; a paper row counts for its weight), each content
    decoded once."""
    count = func.sum(Ballot.weight).label("weight")
    rows = db.session.execute(
        select(Ballot.content, Ballot.tendency_id, Ballot.member_id, count)
        .where(Ballot.vote_id == vote.id)
        .group_by(Ballot.content, Ballot.tendency_id, Ballot.member_id)
        .order_by(Ballot.content, Ballot.tendency_id, Ballot.member_id)
    )
    return [
        results.CountedBallot(json.loads(content), tendency_id, member_id, weight)
        for content, tendency_id, member_id, weight in rows
    ]


def _participation(vote: Vote) -> int:
    """How many took part: the members of the roll who voted, online or marked on paper; for
    a meeting's vote, which has no roll here, the ballots it counted (their weights)."""
    if vote.in_person:
        counted = db.session.scalar(
            select(func.coalesce(func.sum(Ballot.weight), 0)).where(Ballot.vote_id == vote.id)
        )
        return int(counted or 0)
    voted = db.session.scalar(
        select(func.count()).select_from(Participation).where(Participation.vote_id == vote.id)
    )
    return int(voted or 0)


def _tendency_names() -> dict[int, str]:
    from deliberate.tendencies.models import Tendency

    return dict(db.session.execute(select(Tendency.id, Tendency.name)).tuples().all())


def close_due_votes(*, breakdown_min: int = 10, now: datetime | None = None) -> list[Vote]:
    """Close every open vote past its scheduled time (the system acting)."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Vote).where(Vote.state == VoteState.OPEN, Vote.closes_at <= now)
    ).all()
    return [close_vote(None, vote, breakdown_min=breakdown_min, now=now) for vote in due]


# --- paper ballots and votes taken at a meeting ---------------------------------------------


#: How many refused lines of a register a message names.
REFUSED_LINES_SHOWN = 10
_CHUNK = 500


def _read_paper_file(filename: str, data: bytes, *, limit: int = MAX_PAPER_BALLOTS) -> Election:
    """The election a BLT or CSV file describes, its ballots still grouped with their
    weights, once the weights are known to add up to at most `limit` ballots. Nothing is
    expanded: a line `50000000 1 2 0` is refused from its weight alone."""
    from deliberate.voting.counting.formats import FormatError, decode, detect, parse_blt, parse_csv

    try:
        content = decode(data)
        kind = detect(filename or "", content)
        election = parse_blt(content) if kind == "blt" else parse_csv(content)
    except FormatError as error:
        where = f"Line {error.line}: " if error.line else ""
        raise ValidationError(f"{where}{error.reason}.") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise ValidationError(f"The file could not be read: {error}.") from None
    total = 0
    for _ballot, weight in election.ballots:
        total += max(weight, 0)
        if total > limit:
            raise ValidationError(f"A file holds at most {limit} ballots.")
    if total == 0:
        raise ValidationError("The file holds no ballots.")
    return election


def _paper_total(election: Election) -> int:
    return sum(max(weight, 0) for _ballot, weight in election.ballots)


def _paper_rankings(vote_labels: Sequence[str], election: Election) -> list[tuple[list[str], int]]:
    """The file's rankings checked against the vote's options, identical ones together with
    their number, in a canonical order (nothing of the file's order is kept)."""
    from deliberate.voting.counting import BallotError, Rules, RulesError
    from deliberate.voting.counting.ballots import normalise

    labels = set(vote_labels)
    unknown = [c for c in election.candidates if c not in labels]
    if unknown:
        raise ValidationError(
            "The file names candidates that are not options of this vote: "
            + ", ".join(f"“{name}”" for name in unknown[:5])
            + "."
        )
    index = {label: i for i, label in enumerate(vote_labels)}
    rules = Rules(method="irv")
    grouped: dict[tuple[int, ...], int] = {}
    try:
        for ballot, weight in election.ballots:
            if weight > 0:
                clean = tuple(normalise(ballot, index, rules))
                grouped[clean] = grouped.get(clean, 0) + weight
    except (BallotError, RulesError) as error:
        raise ValidationError(f"A ballot could not be read: {error}.") from None
    return [([vote_labels[i] for i in ranking], grouped[ranking]) for ranking in sorted(grouped)]


def read_paper_ballots(
    vote_labels: Sequence[str], filename: str, data: bytes
) -> list[tuple[list[str], int]]:
    """The rankings in a BLT or CSV file of paper ballots, checked against the vote's options,
    as (ranking, how many ballots) with identical rankings together.

    Overvotes exhaust a ballot at that rank and repeated names are skipped, as the counting
    engine's default rules say; a ballot left with no ranking is blank. Raises ValidationError
    naming the line for malformed files, the names that are not options of this vote, and
    files of more than MAX_PAPER_BALLOTS ballots (from the weights, before reading any).
    """
    return _paper_rankings(vote_labels, _read_paper_file(filename, data))


def _add_paper_ballots(vote: Vote, groups: Sequence[tuple[dict[str, Any], int]]) -> None:
    """Store paper ballots as counts: one row per distinct content with its weight, with
    random keys, in the order of their content."""
    rows = sorted((encode(content), weight) for content, weight in groups if weight > 0)
    db.session.execute(
        insert(Ballot),
        [
            {
                "id": secrets.token_hex(16),
                "vote_id": vote.id,
                "source": BallotSource.PAPER,
                "content": stored,
                "weight": weight,
            }
            for stored, weight in rows
        ],
    )


def _chunks(items: Sequence[Any]) -> Any:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _register_lines(register: str | Sequence[str]) -> list[tuple[int, str]]:
    lines = register.splitlines() if isinstance(register, str) else list(register)
    return [(number, line.strip()) for number, line in enumerate(lines, start=1) if line.strip()]


def _shown(line: str) -> str:
    return line if len(line) <= 80 else line[:79] + "…"


def _check_register(vote: Vote, register: str | Sequence[str]) -> list[int]:
    """The members a convener marked as having voted on paper, one email address a line, as
    a polling station's register: each must be a member on the vote's roll, active, who has
    not voted online nor been marked already. Raises ValidationError naming every refused
    line (the first few) and why; returns the members' ids otherwise."""
    lines = _register_lines(register)
    if not lines:
        raise RegisterRefused(
            "Mark who voted on paper: list the email address of each member whose ballot is "
            "in the file, one a line."
        )
    if len(lines) > MAX_PAPER_BALLOTS:
        raise RegisterRefused(f"A register lists at most {MAX_PAPER_BALLOTS} members.")
    addresses = sorted({line.lower() for _number, line in lines})
    members: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(addresses):
        rows = db.session.execute(
            select(Member.email, Member.id, Member.status).where(Member.email.in_(chunk))
        )
        members.update({email: (member_id, status) for email, member_id, status in rows})
    ids = sorted({member_id for member_id, _status in members.values()})
    on_roll: set[int] = set()
    took_part: dict[int, bool] = {}
    for chunk in _chunks(ids):
        on_roll.update(
            db.session.scalars(
                select(RollEntry.member_id).where(
                    RollEntry.vote_id == vote.id, RollEntry.member_id.in_(chunk)
                )
            )
        )
        took_part.update(
            (member_id, bool(on_paper))
            for member_id, on_paper in db.session.execute(
                select(Participation.member_id, Participation.on_paper).where(
                    Participation.vote_id == vote.id, Participation.member_id.in_(chunk)
                )
            )
        )
    refused: list[str] = []
    marked: dict[int, int] = {}
    for number, line in lines:
        found = members.get(line.lower())
        if found is None:
            why = "no member has this address"
        elif found[0] not in on_roll:
            why = "not on the roll of this vote"
        elif found[1] != MemberStatus.ACTIVE:
            why = "suspended, so cannot vote"
        elif found[0] in took_part:
            why = (
                "already marked as voting on paper"
                if took_part[found[0]]
                else "already voted online"
            )
        elif found[0] in marked:
            why = f"already marked as voting on paper, on line {marked[found[0]]}"
        else:
            marked[found[0]] = number
            continue
        refused.append(f"line {number} ({_shown(line)}): {why}")
    if refused:
        more = len(refused) - REFUSED_LINES_SHOWN
        raise RegisterRefused(
            "The register was refused and nothing was added: "
            + "; ".join(refused[:REFUSED_LINES_SHOWN])
            + (f"; and {more} more lines." if more > 0 else ".")
        )
    return sorted(marked)


def _mark_on_paper(vote: Vote, member_ids: Sequence[int]) -> None:
    """Insert the participation rows of members who voted on paper (with their tendency now,
    as an online vote does), in the order of their ids: nothing pairs them with a ballot."""
    tendency: dict[int, int] = {}
    for chunk in _chunks(member_ids):
        tendency.update(
            db.session.execute(
                select(TendencyMembership.member_id, TendencyMembership.tendency_id).where(
                    TendencyMembership.member_id.in_(chunk), TendencyMembership.left_at.is_(None)
                )
            )
            .tuples()
            .all()
        )
    db.session.execute(
        insert(Participation),
        [
            {
                "vote_id": vote.id,
                "member_id": member_id,
                "tendency_id": tendency.get(member_id),
                "on_paper": True,
            }
            for member_id in member_ids
        ],
    )


def import_paper_ballots(
    actor: Member, vote: Vote, filename: str, data: bytes, *, register: str | Sequence[str]
) -> int:
    """Add the paper ballots of an in-person session to an open ranked vote; they are counted
    with the online ballots.

    `register` lists, one email address a line, the members of the roll who voted on paper,
    as a polling station's register: the file must hold exactly as many ballots. Each marked
    member takes part on paper (and cannot vote online afterwards); the ballots stay anonymous,
    stored as counts with nothing that links them to who was marked. Participation never
    exceeds the roll. Raises ValidationError (changing nothing) for a refused register line, a
    file that does not match it, or a malformed file; InvalidTransition unless the vote is open
    and ranked. The audit log keeps the number imported, never who.
    """
    _require_runner(actor, "import paper ballots")
    vote = _lock(vote)
    if vote.state != VoteState.OPEN:
        raise InvalidTransition("Paper ballots are imported into an open vote only.")
    if not vote.is_ranked:
        raise InvalidTransition("Paper ballot files are for ranked votes.")
    marked = _check_register(vote, register)
    election = _read_paper_file(filename, data)
    total = _paper_total(election)
    if total != len(marked):
        raise RegisterRefused(
            f"The file holds {total} ballots but {len(marked)} members are marked as having "
            "voted on paper: the two must be equal."
        )
    rankings = _paper_rankings([o.label for o in load_options(vote)], election)
    _mark_on_paper(vote, marked)
    _add_paper_ballots(vote, [({"ranking": ranking}, weight) for ranking, weight in rankings])
    db.session.flush()
    record_action(
        actor,
        "vote.import",
        vote,
        f"Imported {total} paper ballots into “{vote.title}”",
        ballots=total,
    )
    return total


@dataclass(frozen=True)
class MeetingCount:
    """What a meeting counted: yes/no/abstain for a majority vote, or a ranked paper count."""

    yes: int = 0
    no: int = 0
    abstain: int = 0
    ballot_file: bytes | None = None
    filename: str = ""


def _check_meeting_count(
    settings: Settings, counted: MeetingCount, present: int
) -> Election | None:
    """Check a meeting's counts before anything is written: each between 0 and those present,
    those present between 1 and MAX_PRESENT, a ranked file bounded by its weights. Returns the
    file's election (ranked) or None."""
    for number in (counted.yes, counted.no, counted.abstain, present):
        if number < 0:
            raise ValidationError("Counts cannot be negative.")
        if number > MAX_PRESENT:
            raise ValidationError(f"A meeting's vote counts at most {MAX_PRESENT} members.")
    if present < 1:
        raise ValidationError("Say how many members were entitled to vote at the meeting.")
    if settings.method == "majority":
        election = None
        cast = counted.yes + counted.no + counted.abstain
        if cast == 0:
            raise ValidationError("Enter the counts of the meeting's vote.")
    else:
        if not counted.ballot_file:
            raise ValidationError("Attach the paper count as a BLT or CSV file.")
        election = _read_paper_file(counted.filename, counted.ballot_file)
        cast = _paper_total(election)
    if present < cast:
        raise ValidationError(
            f"{cast} ballots were counted but only {present} members are said to be present."
        )
    return election


def record_in_person_vote(
    actor: Member,
    *,
    title: str,
    settings: Settings,
    counted: MeetingCount,
    present: int,
    held_at: datetime,
    options: Sequence[OptionSpec] = (),
    subject_id: int | None = None,
    purpose: str = "question",
    description: str = "",
    now: datetime | None = None,
) -> Vote:
    """Record a vote taken at a meeting, marked in person with who recorded it.

    `present` is the roll of the meeting (members entitled to vote there). A vote on a subject
    (`subject_id`, for a purpose such as an amendment, a competing group or a draft's
    adoption) is made by the purpose's domain, as for a vote held here, with its own question
    and options; `title`, `description` and `options` are for free questions and elections.
    The counts are stored as counts (a majority vote: at most three rows), the tie-break lot is
    drawn once they are in, and the vote closes at once with the same stored result, subject
    hooks, record and audit entry as a vote held here.

    Raises ValidationError, before anything is written, for counts that are negative, above
    those present or above MAX_PRESENT, and for a paper count that cannot be read.
    """
    _require_runner(actor, "record votes taken at meetings")
    now = now or utcnow()
    if held_at > now:
        raise ValidationError("A meeting's vote is recorded after it was held, not before.")
    if settings.method not in ("majority", "irv", "stv", "schulze"):
        raise ValidationError("A meeting's vote is recorded as counts or as a ranked paper count.")
    election = _check_meeting_count(settings, counted, present)
    known = hooks.purpose(purpose)
    if known is None:
        raise ValidationError("That kind of vote is not known here.")
    if known.start is not None:
        if subject_id is None:
            raise ValidationError(f"Say which {known.label.lower()} the meeting voted on.")
        vote = known.start(actor, subject_id, settings, None, None, in_person=True)
    else:
        vote = create_vote(
            actor,
            title=title,
            settings=settings,
            description=description,
            options=options,
            purpose=purpose,
            in_person=True,
            now=now,
        )
    vote_options = load_options(vote)
    if election is None:
        answers = (("yes", counted.yes), ("no", counted.no), ("abstain", counted.abstain))
        _add_paper_ballots(vote, [({"choice": choice}, n) for choice, n in answers])
    else:
        rankings = _paper_rankings([o.label for o in vote_options], election)
        _add_paper_ballots(vote, [({"ranking": ranking}, n) for ranking, n in rankings])
    # The counts are in: only now is the lot drawn, so no one entering them knew it.
    vote.lot = json.dumps(_draw_lot(vote_options), ensure_ascii=False)
    vote.roll_size = present
    vote.opened_at = held_at
    vote.state = VoteState.OPEN
    db.session.flush()
    result = recount(vote)
    _finish(vote, actor, result, now)
    record_action(actor, "vote.in_person", vote, f"Recorded the meeting's vote “{vote.title}”")
    return vote
