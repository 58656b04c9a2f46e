"""Tie-breaking: earlier rounds first, then the lot.

A tie among candidates with equal votes is settled by looking back at the rounds before the
current one, most recent first: in the latest round where the tied candidates' votes were not
all equal, only those with the fewest votes (when choosing whom to eliminate) or the most votes
(when choosing whom to favour) stay in the tie; the look-back goes on with them. If earlier
rounds never separate them, the lot decides: the candidate nearest the front of the tie order
is favoured, the one nearest the end is eliminated.

With the tie-break rule ``"lot"`` (RCTab's ``useCandidateOrder``) there is no look-back: the
lot alone decides every tie.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from ..vocabulary import TieBreak
from .model import SettledBy, Tie


class TieBreaker:
    """Breaks and records ties for one count."""

    def __init__(
        self, names: Sequence[str], lot: Sequence[str], rule: str = TieBreak.EARLIER_ROUNDS
    ) -> None:
        self.names = list(names)
        self.look_back = rule == TieBreak.EARLIER_ROUNDS
        position = {name: i for i, name in enumerate(lot)}
        self.lot_rank = [position[name] for name in self.names]
        #: Tallies of the rounds counted so far, by candidate index; the last is the current.
        self.history: list[dict[int, Fraction]] = []
        self.ties: list[Tie] = []

    def pick(self, tied: Sequence[int], *, lowest: bool, round_no: int, purpose: str) -> int:
        """Choose one of ``tied`` (equal now): the one to eliminate if ``lowest``, else the
        one to favour. Records the tie."""
        group = sorted(tied)
        if len(group) == 1:
            return group[0]
        decided_by: int | None = None
        for back in range(len(self.history) - 2 if self.look_back else -1, -1, -1):
            tally = self.history[back]
            values = [tally.get(c, Fraction(0)) for c in group]
            if len(set(values)) > 1:
                target = min(values) if lowest else max(values)
                group = [c for c, v in zip(group, values, strict=True) if v == target]
                if len(group) == 1:
                    decided_by = back + 1
                    break
        if len(group) == 1:
            chosen, method = group[0], SettledBy.PREVIOUS_ROUND
        else:
            key = self.lot_rank.__getitem__
            chosen = max(group, key=key) if lowest else min(group, key=key)
            method = SettledBy.LOT
        self.ties.append(
            Tie(
                round=round_no,
                purpose=purpose,
                candidates=[self.names[c] for c in sorted(tied)],
                chosen=self.names[chosen],
                method=method,
                decided_by_round=decided_by,
            )
        )
        return chosen

    def order(
        self, cands: Sequence[int], votes: Sequence[Fraction], *, round_no: int, purpose: str
    ) -> list[int]:
        """Order ``cands`` by votes, most first, breaking ties (each one recorded)."""
        remaining = sorted(cands, key=lambda c: -votes[c])
        result: list[int] = []
        while remaining:
            top = votes[remaining[0]]
            tied = [c for c in remaining if votes[c] == top]
            chosen = self.pick(tied, lowest=False, round_no=round_no, purpose=purpose)
            result.append(chosen)
            remaining.remove(chosen)
        return result

    def lowest(self, cands: Sequence[int], votes: Sequence[Fraction], *, round_no: int) -> int:
        """The candidate to eliminate among ``cands``: fewest votes, ties broken."""
        low = min(votes[c] for c in cands)
        tied = [c for c in cands if votes[c] == low]
        return self.pick(tied, lowest=True, round_no=round_no, purpose="elimination")
