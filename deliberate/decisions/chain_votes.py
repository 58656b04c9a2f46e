"""Every vote that closes is chained at its close, whatever it decided: the listener that
appends its link, registered before the one that makes a decision record, so that the
record's own link (at its seal) can name the vote's."""

from __future__ import annotations

from typing import Any

from deliberate.decisions import ledger
from deliberate.voting.hooks import Purpose


def chain_closed_vote(vote: Any, _purpose: Purpose, _result: dict[str, Any]) -> None:
    """Append the closed vote's link (settings, options, roll, participation, the digests of
    its ballots, receipts and result, and its summary), in the closing transaction."""
    ledger.chain_closed_vote(vote)
