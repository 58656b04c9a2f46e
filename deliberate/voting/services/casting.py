"""Casting ballots: the roll, the one-ballot rule, secret ballots and their receipts."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, inspect, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from deliberate import events
from deliberate.accounts.models import Member
from deliberate.database import rows_matched, utcnow
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.stamps import needs_of
from deliberate.tendencies.models import TendencyMembership
from deliberate.voting.events import BallotCast
from deliberate.voting.models import Ballot, Participation, RollEntry, Vote, VoteOption
from deliberate.voting.rules import check_ballot, encode
from deliberate.voting.services.common import load_options, settings_of
from deliberate.voting.vocabulary import BallotSource, VoteState

#: Receipt codes are written in Crockford's base32: digits and capitals without I, L, O and
#: U, so that a code copied by hand reads back the same (I and L are read as 1, O as 0).
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: 20 characters of 5 bits: 100 random bits, shown in five groups of four.
RECEIPT_LENGTH = 20
RECEIPT_GROUP = 4
RECEIPT_BYTES = RECEIPT_LENGTH * 5 // 8  # the random bytes a code holds, rounded down
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = str.maketrans("", "", " -\t\n\r\u00a0\u2010\u2011\u2012\u2013\u2014\u2212")


class AlreadyVoted(InvalidTransition):
    """The member's ballot is already in (and may not be replaced this way)."""


@dataclass(frozen=True)
class CastReceipt:
    """What the voter takes away: for a secret ballot, the receipt code (shown once)."""

    code: str | None
    replaced: bool


def new_receipt_code() -> str:
    """A fresh receipt code from the system's secure random source: "7K3M-Q9XD-…"."""
    drawn = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(drawn[i : i + RECEIPT_GROUP] for i in range(0, RECEIPT_LENGTH, RECEIPT_GROUP))


def normalize_receipt(code: str) -> str:
    """A receipt code as it was given, however it was copied: case, spaces and hyphens do not
    matter, and I or L is read as 1, O as 0. A code of the older kind (before codes were
    written in base32, case-sensitive) comes back as typed, without surrounding spaces."""
    typed = code.strip()
    compact = typed.upper().translate(_SEPARATORS).translate(_READ_AS)
    if len(compact) != RECEIPT_LENGTH or any(c not in RECEIPT_ALPHABET for c in compact):
        return typed
    return "-".join(compact[i : i + RECEIPT_GROUP] for i in range(0, RECEIPT_LENGTH, RECEIPT_GROUP))


def receipt_hash(vote_id: int, code: str) -> str:
    """The stored form of a receipt code: SHA-256 of the vote and the code as given
    (`normalize_receipt`: capitals in groups joined by hyphens)."""
    text = f"deliberate-receipt:{vote_id}:{normalize_receipt(code)}"
    return hashlib.sha256(text.encode()).hexdigest()


def replace_hash(vote_id: int, member_id: int, code: str) -> str:
    """What the participation row keeps to check a replacement: SHA-256 of the vote, the
    member and the code, derived apart from `receipt_hash` so that a database reader cannot
    go from one to the other without the code."""
    text = f"deliberate-replace:{vote_id}:{member_id}:{normalize_receipt(code)}"
    return hashlib.sha256(text.encode()).hexdigest()


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
    a new secret ballot, which the server keeps only as a hash. Records `BallotCast` for
    after the commit.
    """
    checked, standing = _admissible(actor, vote, content, now=now)
    stored = encode(checked)
    if vote.secret:
        cast = _cast_secret(vote, actor, stored, standing, receipt=receipt)
    else:
        cast = _cast_roll_call(vote, actor, stored, standing)
    events.record(BallotCast(vote_id=vote.id))
    return cast


def review_ballot(
    actor: Member,
    vote: Vote,
    content: dict[str, Any],
    *,
    receipt: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The ballot as `cast_ballot` would record it, for the member to review before
    confirming: every refusal a cast would meet (the vote, the roll, the ballot, replacing,
    a replacement's receipt code) is met here, at the review step. Changes nothing."""
    checked, standing = _admissible(actor, vote, content, now=now)
    if vote.secret:
        _replaced_ballot(vote, actor, standing, receipt)
    elif standing.voted and not vote.replaceable:
        raise AlreadyVoted("Your ballot is already in, and this vote does not allow replacing it.")
    return checked


def _admissible(
    actor: Member, vote: Vote, content: dict[str, Any], *, now: datetime | None
) -> tuple[dict[str, Any], _Standing]:
    """The ballot as it will be stored and the member's standing, or the refusal: the vote is
    not open or past its close, the member is suspended, not on the roll or voted on paper,
    or the ballot is invalid."""
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
    return check_ballot(settings_of(vote, _options(vote)), content), standing


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
        # What waits for this member alone changes: not every kept part of the site.
        .execution_options(stamps=[needs_of(actor.id)])
    ).first()
    if inserted is None:
        raise AlreadyVoted("Your ballot is already in; it was not recorded twice.")


def _cast_secret(
    vote: Vote, actor: Member, stored: str, standing: _Standing, *, receipt: str | None
) -> CastReceipt:
    ballot = _replaced_ballot(vote, actor, standing, receipt)
    if ballot is not None and receipt is not None:
        ballot.content = stored
        db.session.flush()
        return CastReceipt(code=normalize_receipt(receipt), replaced=True)
    code = new_receipt_code()
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


def _replaced_ballot(
    vote: Vote, actor: Member, standing: _Standing, receipt: str | None
) -> Ballot | None:
    """The secret ballot `receipt` replaces, or None for a first ballot (no code given).
    Refuses a code from a member who has not voted, a second ballot without its code or where
    replacing is not allowed, and a code that is not of a ballot the member cast."""
    if not (standing.voted or receipt):
        return None
    if not vote.replaceable:
        raise AlreadyVoted("Your ballot is already in, and this vote does not allow replacing it.")
    if not standing.voted:
        raise ValidationError(
            "You have not voted yet; leave the receipt code empty.", field="receipt"
        )
    if not receipt or not receipt.strip():
        raise AlreadyVoted(
            "Your ballot is already in. To replace it, give the receipt code you were shown.",
            field="receipt",
        )
    ballot = db.session.scalar(
        select(Ballot).where(
            Ballot.vote_id == vote.id, Ballot.receipt_hash == receipt_hash(vote.id, receipt)
        )
    )
    if ballot is None or not _cast_by(vote, actor, receipt):
        # One message for a wrong code and another member's code: the answer does not tell
        # whether a code someone holds is valid.
        raise ValidationError(
            "That receipt code does not match a ballot you cast in this vote; nothing was changed.",
            field="receipt",
        )
    return ballot


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
