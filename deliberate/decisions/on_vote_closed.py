"""What decisions does when a vote closes, in the closing transaction: it chains every closed
vote, whatever it decided, then makes the record of what a deciding vote decided.

Voting calls the listeners of every close before those of a decision, so the vote's link is in
the chain before its record is made, and the record's own link (at its seal) can name it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from deliberate.decisions import ledger
from deliberate.decisions.services import record_decision
from deliberate.voting.hooks import Purpose, on_decision, on_every_close
from deliberate.voting.results import Result

if TYPE_CHECKING:
    from deliberate.voting.models import Vote


def chain_closed_vote(vote: Vote, _purpose: Purpose, _result: Result) -> None:
    """Append the closed vote's link (settings, options, roll, participation, the digests of
    its ballots, receipts and result, and its summary), in the closing transaction."""
    ledger.chain_closed_vote(vote)


on_every_close(chain_closed_vote)
on_decision(record_decision)
