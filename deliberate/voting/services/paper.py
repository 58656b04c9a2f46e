"""Paper ballots: reading BLT and CSV files, the register of who voted on paper, importing."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select

from deliberate.accounts.models import Member, MemberStatus
from deliberate.audit.services import record_action
from deliberate.errors import InvalidTransition, ValidationError
from deliberate.extensions import db
from deliberate.stamps import NEEDS
from deliberate.tendencies.models import TendencyMembership
from deliberate.voting.models import Ballot, Participation, RollEntry, Vote
from deliberate.voting.rules import MAX_PAPER_BALLOTS, encode
from deliberate.voting.services.common import _lock, _require_runner, load_options
from deliberate.voting.vocabulary import BallotSource, VoteState

if TYPE_CHECKING:
    from deliberate.voting.counting.formats import Election


class RegisterRefused(ValidationError):
    """The register of who voted on paper does not hold: a line is refused, or it does not
    list as many members as the file holds ballots."""


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
    from deliberate.voting.counting import BallotError, CountMethod, Rules, RulesError
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
    rules = Rules(method=CountMethod.IRV)
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
        # The members marked no longer wait for this vote: what waits for members changes,
        # not every kept part of the site.
        insert(Participation).execution_options(stamps=[NEEDS]),
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
