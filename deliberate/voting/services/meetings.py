"""Votes taken at a meeting: their counts recorded, counted and closed at once."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from deliberate.accounts.models import Member
from deliberate.audit.services import record_action
from deliberate.database import utcnow
from deliberate.errors import ValidationError
from deliberate.extensions import db
from deliberate.voting import hooks
from deliberate.voting.models import Vote
from deliberate.voting.rules import MAX_PRESENT, Settings
from deliberate.voting.services.closing import _finish, recount
from deliberate.voting.services.common import OptionSpec, _draw_lot, _require_runner, load_options
from deliberate.voting.services.opening import create_vote
from deliberate.voting.services.paper import (
    _add_paper_ballots,
    _paper_rankings,
    _paper_total,
    _read_paper_file,
)
from deliberate.voting.vocabulary import RANKED_METHODS, VoteMethod, VoteState

if TYPE_CHECKING:
    from deliberate.voting.counting.formats import Election

#: A meeting counts hands (majority) or paper rankings; consensus is reached in the room.
MEETING_METHODS = (VoteMethod.MAJORITY, *RANKED_METHODS)


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
    if settings.method == VoteMethod.MAJORITY:
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
    if settings.method not in MEETING_METHODS:
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
