"""STV by Meek's method.

Each candidate has a keep value: 1 while continuing, 0 once eliminated, and for an elected
candidate the share of each vote reaching them that they keep. A ballot of value 1 passes
down its preferences; each candidate keeps value × keep (rounded up to the decimal places in
use) and passes the rest on; what is left after the last preference is excess. The quota is
(votes − excess)/(seats+1), truncated, plus one unit in the last place. Keep values of the
elected are lowered to keep × quota / votes (rounded up) and the distribution repeated until
the total surplus is below 0.00001 (or nothing changes), or a continuing candidate reaches the
quota. Values use 9 decimal places unless the rules say otherwise, as in the New Zealand rules
for Meek's method (Local Electoral Regulations 2001, Schedule 1A).

A round is one converged count followed by the election of those who reached the quota, or
one elimination (or a batch). Every candidate keeps part of the votes passing through them,
so the tally shows the elected candidates too; the transfers recorded for an elimination are
the net changes between this round's tally and the next. Each round also records, as the
Droop reference counts show them, the values after convergence: how many iterations the keep
values took (``iterations``) and each elected candidate's keep value (``keep``).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from .model import Report, Round, Rules, Transfer
from .stv import ELECTED, ELIMINATED, HOPEFUL, ZERO, batch_size
from .ties import TieBreaker

ONE = Fraction(1)
TOLERANCE = Fraction(1, 100_000)
MAX_ITERATIONS = 1000


class MeekCount:
    """One count by Meek's method."""

    def __init__(
        self,
        names: Sequence[str],
        groups: dict[tuple[int, ...], int],
        rules: Rules,
        tiebreaker: TieBreaker,
        excluded: frozenset[int] = frozenset(),
    ) -> None:
        self.names = list(names)
        self.rules = rules
        self.tb = tiebreaker
        decimals = rules.effective_decimals
        if decimals is None:  # pragma: no cover - Rules always gives Meek a precision
            raise ValueError("Meek's method needs a fixed number of decimal places")
        self.scale = 10**decimals
        self.unit = Fraction(1, self.scale)
        self.items = [(p, c) for p, c in groups.items() if p]
        self.blank = sum(c for p, c in groups.items() if not p)
        self.valid = sum(c for _, c in self.items)
        n = len(self.names)
        self.status = [ELIMINATED if c in excluded else HOPEFUL for c in range(n)]
        self.keep = [ZERO if c in excluded else ONE for c in range(n)]
        self.excluded = excluded
        #: Iterations of the keep values in the last convergence.
        self.iterations = 0

    def _up(self, x: Fraction) -> Fraction:
        return Fraction(-(-x.numerator * self.scale // x.denominator), self.scale)

    def _down(self, x: Fraction) -> Fraction:
        return Fraction(x.numerator * self.scale // x.denominator, self.scale)

    def _distribute(self) -> tuple[list[Fraction], Fraction]:
        # Every value here is a whole number of units (10**-decimals): a ballot's weight and
        # each keep value are counted in units, so the arithmetic is on integers and exactly
        # that of the rules (what a candidate keeps is rounded up to a unit).
        scale = self.scale
        n = len(self.names)
        units = [k.numerator * scale // k.denominator for k in self.keep]
        # 0: passes everything on (eliminated); 1: keeps everything (hopeful); 2: keeps part.
        kind = [0 if not u else (1 if u == scale else 2) for u in units]
        got = [0] * n
        left = 0
        for prefs, cnt in self.items:
            weight = scale
            for c in prefs:
                t = kind[c]
                if not t:
                    continue
                if t == 1:
                    got[c] += weight * cnt
                    weight = 0
                    break
                kept = -(-weight * units[c] // scale)
                got[c] += kept * cnt
                weight -= kept
                if not weight:
                    break
            if weight:
                left += weight * cnt
        votes = [Fraction(g, scale) for g in got]
        excess = Fraction(left, scale)
        return votes, excess

    def _converge(self) -> tuple[list[Fraction], Fraction, Fraction]:
        """Iterate the keep values; return votes, excess and quota."""
        seats = self.rules.seats
        status, keep = self.status, self.keep
        self.iterations = 0
        for _ in range(MAX_ITERATIONS):
            votes, excess = self._distribute()
            total = sum(votes, ZERO)
            quota = self._down(total / (seats + 1)) + self.unit
            elected = [c for c in range(len(status)) if status[c] == ELECTED]
            if any(
                status[c] == HOPEFUL and votes[c] >= quota and votes[c] > 0
                for c in range(len(status))
            ):
                break
            if not elected:
                break
            surplus = sum((votes[c] - quota for c in elected if votes[c] > quota), ZERO)
            if surplus < TOLERANCE:
                break
            changed = False
            self.iterations += 1
            for c in elected:
                if votes[c] > 0:
                    new = min(ONE, self._up(keep[c] * quota / votes[c]))
                    if new != keep[c]:
                        keep[c] = new
                        changed = True
            if not changed:
                break
        return votes, excess, quota

    def _lowest(
        self, hopeful: list[int], votes: list[Fraction], seats_left: int, rnd: Round
    ) -> list[int]:
        """The candidate with the fewest votes, or with batch elimination the largest
        qualifying set of lowest candidates."""
        k = batch_size(hopeful, votes, seats_left) if self.rules.batch_elimination else 0
        if k >= 2:
            rnd.notes.append("batch elimination: combined votes below the next candidate's")
            return sorted(sorted(hopeful, key=lambda c: (votes[c], c))[:k])
        batch = [self.tb.lowest(hopeful, votes, round_no=rnd.number)]
        rnd.notes.append(f"{self.names[batch[0]]} has the fewest votes")
        return batch

    def run(self) -> Report:
        names, status, tb = self.names, self.status, self.tb
        write_in = -1 if self.rules.write_in is None else names.index(self.rules.write_in)
        seats = self.rules.seats
        n = len(names)
        rounds: list[Round] = []
        winners: list[int] = []
        last_quota: Fraction | None = None
        previous: tuple[list[Fraction], Fraction, list[Transfer]] | None = None
        number = 0
        while True:
            seats_left = seats - len(winners)
            hopeful = [c for c in range(n) if status[c] == HOPEFUL]
            electable = [c for c in hopeful if c != write_in]
            if seats_left <= 0 or not electable:
                break
            votes, excess, quota = self._converge()
            last_quota = quota
            if previous is not None:
                old_votes, old_excess, transfers = previous
                for t in transfers:
                    t.to = {
                        names[c]: votes[c] - old_votes[c]
                        for c in range(n)
                        if status[c] != ELIMINATED and votes[c] != old_votes[c]
                    }
                    t.exhausted = excess - old_excess
                previous = None
            number += 1
            live = [c for c in range(n) if status[c] != ELIMINATED]
            tb.history.append({c: votes[c] for c in live})
            rnd = Round(
                number=number,
                tally={names[c]: votes[c] for c in live},
                threshold=quota,
                exhausted=excess,
                iterations=self.iterations,
                keep={names[c]: self.keep[c] for c in range(n) if status[c] == ELECTED},
            )
            rounds.append(rnd)

            if write_in in hopeful:
                batch = [write_in]
                rnd.notes.append(f"{names[write_in]} (undeclared write-ins) is eliminated first")
            elif len(electable) <= seats_left:
                for c in tb.order(electable, votes, round_no=number, purpose="election"):
                    status[c] = ELECTED
                    winners.append(c)
                    rnd.elected.append(names[c])
                rnd.notes.append("continuing candidates no more than the seats left: all elected")
                break
            else:
                reached = [c for c in electable if votes[c] > 0 and votes[c] >= quota]
                if reached:
                    ordered = tb.order(reached, votes, round_no=number, purpose="election")
                    for c in ordered[:seats_left]:
                        status[c] = ELECTED
                        winners.append(c)
                        rnd.elected.append(names[c])
                        rnd.notes.append(f"{names[c]} reached the quota")
                    continue
                last_two = seats_left == 1 and len(electable) == 2
                if last_two and votes[electable[0]] == votes[electable[1]]:
                    c = tb.pick(electable, lowest=False, round_no=number, purpose="election")
                    status[c] = ELECTED
                    winners.append(c)
                    rnd.elected.append(names[c])
                    rnd.notes.append(
                        "the last two candidates are tied for the last seat: "
                        f"{names[c]} is elected by the tie-break"
                    )
                    break
                batch = self._lowest(hopeful, votes, seats_left, rnd)
            for c in batch:
                status[c] = ELIMINATED
                self.keep[c] = ZERO
                rnd.eliminated.append(names[c])
            # One net transfer for the whole batch: Meek's method moves them together.
            transfer = Transfer(
                source=" + ".join(names[c] for c in batch),
                kind="elimination",
                amount=sum((votes[c] for c in batch), ZERO),
                value=None,
            )
            rnd.transfers.append(transfer)
            previous = (votes, excess, [transfer])

        if len(winners) < seats and rounds:
            rounds[-1].notes.append(
                f"{seats - len(winners)} seat(s) left unfilled: no continuing candidates"
            )
        return Report(
            method="meek",
            seats=seats,
            candidates=list(names),
            rules=self.rules,
            valid_votes=self.valid,
            blank_ballots=self.blank,
            quota=last_quota,
            rounds=rounds,
            winners=[names[c] for c in winners],
            ties=list(tb.ties),
        )
