"""Votes: make, open, cast, close, record in person, import paper ballots.

Services take the actor, flush and never commit, and import nothing from Flask. Concurrency
is the database's: the one-ballot rule is the primary key of `vote_participations`; casting
takes a shared lock on the vote's row and closing an exclusive one (PostgreSQL), and SQLite
serializes writing transactions (BEGIN IMMEDIATE), so a ballot is either counted in the stored
result or refused as late, never lost.

One module per concern; callers use `services.<name>` from this package:
`opening` (make, open, cancel, hold a second round), `nominations` (candidates standing
for an election, their statements), `casting` (ballots and their receipts),
`closing` (rewrite the secret ballots, count once, recount), `paper` (paper ballot files and
the register of who voted on paper), `meetings` (votes taken at a meeting) and `common`
(limits, the settings and options of a stored vote, the lock, the lot).
"""

from deliberate.voting.services.casting import (
    RECEIPT_BYTES,
    AlreadyVoted,
    CastReceipt,
    cast_ballot,
    new_receipt_code,
    normalize_receipt,
    receipt_hash,
    replace_hash,
    review_ballot,
)
from deliberate.voting.services.closing import close_due_votes, close_vote, is_due, recount
from deliberate.voting.services.common import (
    MAX_DESCRIPTION,
    MAX_TITLE,
    OptionSpec,
    load_options,
    settings_of,
)
from deliberate.voting.services.meetings import MeetingCount, record_in_person_vote
from deliberate.voting.services.nominations import (
    MAX_STATEMENT,
    accept_nomination,
    decline_nomination,
    nominate,
    open_nominations,
    withdraw_nomination,
    write_statement,
)
from deliberate.voting.services.opening import (
    cancel_vote,
    create_vote,
    hold_second_round,
    open_due_votes,
    open_vote,
)
from deliberate.voting.services.paper import (
    REFUSED_LINES_SHOWN,
    RegisterRefused,
    import_paper_ballots,
    read_paper_ballots,
)

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_STATEMENT",
    "MAX_TITLE",
    "RECEIPT_BYTES",
    "REFUSED_LINES_SHOWN",
    "AlreadyVoted",
    "CastReceipt",
    "MeetingCount",
    "OptionSpec",
    "RegisterRefused",
    "accept_nomination",
    "cancel_vote",
    "cast_ballot",
    "close_due_votes",
    "close_vote",
    "create_vote",
    "decline_nomination",
    "hold_second_round",
    "import_paper_ballots",
    "is_due",
    "load_options",
    "new_receipt_code",
    "nominate",
    "normalize_receipt",
    "open_due_votes",
    "open_nominations",
    "open_vote",
    "read_paper_ballots",
    "receipt_hash",
    "record_in_person_vote",
    "recount",
    "replace_hash",
    "review_ballot",
    "settings_of",
    "withdraw_nomination",
    "write_statement",
]
