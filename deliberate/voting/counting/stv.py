"""Instant-runoff voting and STV by the weighted inclusive Gregory method (WIGM).

Both share one round loop. Ballots are grouped (identical clean ballots with a count); a
candidate's pile is a list of parcels, each a set of ballot groups that share one vote value.
Moving a pile touches every group in it once and does exact arithmetic once per parcel and
destination, so a round costs time proportional to the distinct ballots it moves.

A round is one count (the tally at its start) followed by one action:

* all continuing candidates are elected when they are no more than the seats left;
* otherwise every candidate who reaches the threshold (IRV: a majority of the continuing
  votes, floor(V/2)+1; STV: the quota) is elected, and the largest surplus still to be
  transferred, if any, is transferred (every ballot of that candidate goes on at
  value × surplus / votes);
* a round with neither an election nor a surplus eliminates the last candidate (or, with
  batch elimination, the largest set of lowest candidates whose combined votes are strictly
  below the next candidate's), whose ballots go on at their current value.

An exact tie of the last two continuing candidates for the last seat is settled by the
tie-break as an election in that round (as RCTab reports it), not as an elimination followed
by a round with one candidate.

With ``decimals`` set (always 5 for Scottish STV) each new vote value is truncated to that
many decimal places; what truncation drops is reported as lost.

Scottish STV moves an excluded candidate's ballots in sub-stages, one per transfer value,
highest first (the ballots of value 1, first preferences among them, before those received
from surpluses, whatever the order they came in), each reported as its own transfer with
its value. The candidates who continue are the same through every sub-stage: one who reaches
the quota during the exclusion is deemed elected at the next stage, as in the Droop
reference counts for the Scottish rules, so the figures after an exclusion are those of a
one-stage transfer.

Options of the certified tabulators: an undeclared write-ins pseudo-candidate is never
elected and is eliminated in the first round, before anyone can be elected, so its votes move
first; with ``continue_until_two`` an IRV winner is elected in the round of the majority and
the count goes on, the threshold kept, until two candidates remain (a batch elimination stops
there), ending with a head-to-head round that decides nothing; ``fractional_threshold``,
``first_round_threshold`` and ``one_winner_per_round`` are RCTab's threshold options (see
:class:`~deliberate.voting.counting.model.Rules`); an overvote kept as a token by the rule
``exhaust_if_multiple`` is decided when a ballot reaches it (see
:mod:`deliberate.voting.counting.ballots`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from .ballots import overvote_members
from .model import CountMethod, CountQuota, OvervoteRule, Report, Round, Rules, Transfer
from .ties import TieBreaker

HOPEFUL, ELECTED, ELIMINATED = 0, 1, 2
ZERO = Fraction(0)

Parcel = tuple[Fraction, list[int], int]  # value, ballot groups, number of ballots


def make_quota(
    rule: str, valid: int | Fraction, seats: int, fractional: int | None = None
) -> Fraction:
    """The quota for ``valid`` first-round votes and ``seats`` seats.

    With ``fractional`` set to N, the Droop quota is RCTab's non-integer threshold:
    valid/(seats+1) truncated to N decimal places, plus 10**-N."""
    if rule == CountQuota.DROOP and fractional is not None:
        scale = 10**fractional
        share = Fraction(valid) / (seats + 1)
        return Fraction(share.numerator * scale // share.denominator + 1, scale)
    if rule == CountQuota.DROOP:
        return Fraction(int(valid) // (seats + 1) + 1)
    if rule == CountQuota.DROOP_EXACT:
        return Fraction(valid, seats + 1)
    return Fraction(valid, seats)


def truncator(decimals: int | None) -> Callable[[Fraction], Fraction]:
    """A function truncating a non-negative Fraction to ``decimals`` places (or not at all)."""
    if decimals is None:
        return lambda x: x
    scale = 10**decimals

    def truncate(x: Fraction) -> Fraction:
        return Fraction(x.numerator * scale // x.denominator, scale)

    return truncate


def batch_size(hopeful: Sequence[int], votes: Sequence[Fraction], seats_left: int) -> int:
    """How many of the lowest candidates batch elimination removes (0: none qualifies).

    The largest k such that the k lowest candidates' combined votes are strictly below the
    votes of the next one, leaving at least ``seats_left`` continuing candidates.
    """
    ranked = sorted(votes[c] for c in hopeful)
    best = 0
    running = ZERO
    for k in range(1, len(ranked) - seats_left + 1):
        running += ranked[k - 1]
        if running < ranked[k]:
            best = k
    return best


class WigmCount:
    """One count by IRV or WIGM STV (``rules.method`` in irv, stv, scottish)."""

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
        self.irv = rules.method == CountMethod.IRV
        self.scottish = rules.method == CountMethod.SCOTTISH
        self.tokens = rules.overvote == OvervoteRule.EXHAUST_IF_MULTIPLE
        self.write_in = -1 if rules.write_in is None else self.names.index(rules.write_in)
        self.truncate = truncator(rules.effective_decimals)
        self.exact = rules.effective_decimals is None
        self.tb = tiebreaker
        n = len(self.names)
        self.prefs: list[tuple[int, ...]] = [p for p in groups if p]
        self.counts: list[int] = [groups[p] for p in self.prefs]
        self.blank = groups.get((), 0)
        self.valid = sum(self.counts)
        self.status = [ELIMINATED if c in excluded else HOPEFUL for c in range(n)]
        self.votes = [ZERO] * n
        self.piles: list[list[Parcel]] = [[] for _ in range(n)]
        self.exhausted = ZERO
        self.lost = ZERO
        self.quota: Fraction | None = None
        if not self.irv:
            fractional = rules.threshold_decimals if rules.fractional_threshold else None
            self.quota = make_quota(rules.quota, self.valid, rules.seats, fractional)

    # -- moving ballots -------------------------------------------------------------------

    def _deal(
        self, parcels: list[tuple[Fraction, list[int]]]
    ) -> tuple[dict[int, Fraction], Fraction]:
        """Give each group in ``parcels`` (value, groups) to its first continuing candidate.

        Returns the votes received by each candidate and the votes exhausted.
        """
        status, prefs, counts = self.status, self.prefs, self.counts
        merged: dict[tuple[int, Fraction], tuple[list[int], list[int]]] = {}
        n = len(status)
        live = self._receiving()
        tokens = self.tokens
        for value, gids in parcels:
            # One bucket per destination (index 0: exhausted), filled with integer work only;
            # then merged with the other parcels of the same value.
            buckets: list[list[int]] = [[] for _ in range(n + 1)]
            if tokens:
                for gid in gids:
                    buckets[_destination(prefs[gid], n, live) + 1].append(gid)
            else:
                for gid in gids:
                    for c in prefs[gid]:
                        if live[c]:
                            buckets[c + 1].append(gid)
                            break
                    else:
                        buckets[0].append(gid)
            for slot, dest_gids in enumerate(buckets):
                if not dest_gids:
                    continue
                key = (slot - 1, value)
                ballots = sum(map(counts.__getitem__, dest_gids))
                found = merged.get(key)
                if found is None:
                    merged[key] = (dest_gids, [ballots])
                else:
                    found[0].extend(dest_gids)
                    found[1][0] += ballots
        received: dict[int, Fraction] = {}
        exhausted = ZERO
        for (dest, value), (gids, total) in merged.items():
            amount = value * total[0]
            if dest < 0:
                exhausted += amount
                continue
            self.piles[dest].append((value, gids, total[0]))
            self.votes[dest] += amount
            received[dest] = received.get(dest, ZERO) + amount
        self.exhausted += exhausted
        return received, exhausted

    def _receiving(self) -> list[bool]:
        """Who receives ballots: the continuing candidates, and in IRV the elected winner too
        (a count continuing until two remain goes on giving it ballots)."""
        if self.irv:
            return [s != ELIMINATED for s in self.status]
        return [s == HOPEFUL for s in self.status]

    def _transfer(self, c: int, kind: str) -> Transfer:
        pile = self.piles[c]
        self.piles[c] = []
        total = self.votes[c]
        if kind == "surplus" and self.quota is not None:
            amount = total - self.quota
            ratio = amount / total
            truncate = self.truncate
            parcels = [(truncate(value * ratio), gids) for value, gids, _ in pile]
            self.votes[c] = self.quota
            value: Fraction | None = ratio
        else:
            amount = total
            parcels = [(value, gids) for value, gids, _ in pile]
            self.votes[c] = ZERO
            value = None
        return self._move(c, kind, amount, value, parcels)

    def _move(
        self,
        c: int,
        kind: str,
        amount: Fraction,
        value: Fraction | None,
        parcels: list[tuple[Fraction, list[int]]],
    ) -> Transfer:
        received, exhausted = self._deal(parcels)
        lost = amount - exhausted - sum(received.values(), ZERO)
        self.lost += lost
        return Transfer(
            source=self.names[c],
            kind=kind,
            amount=amount,
            value=value,
            to={self.names[d]: received[d] for d in sorted(received)},
            exhausted=exhausted,
            lost=lost,
        )

    def _exclude_in_stages(self, c: int, rnd: Round) -> None:
        """Scottish STV: move an excluded candidate's ballots one transfer value at a time,
        highest first, each sub-stage its own transfer."""
        pile = self.piles[c]
        self.piles[c] = []
        self.votes[c] = ZERO
        by_value: dict[Fraction, list[int]] = {}
        for value, gids, _ in pile:
            by_value.setdefault(value, []).extend(gids)
        names = self.names
        stages = sorted(by_value.items(), key=lambda item: item[0], reverse=True)
        for stage, (value, gids) in enumerate(stages, start=1):
            amount = value * sum(self.counts[g] for g in gids)
            transfer = self._move(c, "elimination", amount, value, [(value, gids)])
            rnd.transfers.append(transfer)
            if len(stages) > 1:
                rnd.notes.append(
                    f"exclusion of {names[c]}, sub-stage {stage} of {len(stages)}: ballots at "
                    f"value {float(value):.5f}"
                )

    # -- the count ------------------------------------------------------------------------

    def _reaches(self, v: Fraction, threshold: Fraction) -> bool:
        if v <= 0:
            return False
        if not self.irv and self.rules.quota == CountQuota.DROOP_EXACT:
            return v > threshold
        return v >= threshold

    def _open_round(self, number: int, threshold: Fraction, pending: Sequence[int]) -> Round:
        """The record of a round: the tally at its start (every continuing candidate, with the
        elected whose surplus is still to move, and in IRV the elected winner)."""
        names, status, votes = self.names, self.status, self.votes
        n = len(names)
        if self.irv:
            live = [c for c in range(n) if status[c] != ELIMINATED]
        else:
            live = [c for c in range(n) if status[c] == HOPEFUL or c in pending]
        self.tb.history.append({c: votes[c] for c in range(n) if status[c] != ELIMINATED})
        return Round(
            number=number,
            tally={names[c]: votes[c] for c in live},
            threshold=threshold,
            exhausted=self.exhausted,
            lost=self.lost,
            votes={names[c]: votes[c] for c in range(n) if status[c] != ELIMINATED},
        )

    def _irv_threshold(self, continuing: Fraction) -> Fraction:
        """A majority of ``continuing`` votes: floor(V/2)+1, or the fractional threshold."""
        if self.rules.fractional_threshold:
            return make_quota("droop", continuing, 1, self.rules.threshold_decimals)
        return Fraction(continuing.numerator // continuing.denominator // 2 + 1)

    def _eliminate(self, batch: list[int], rnd: Round) -> None:
        for c in batch:
            self.status[c] = ELIMINATED
            rnd.eliminated.append(self.names[c])
        for c in batch:
            if self.scottish:
                self._exclude_in_stages(c, rnd)
            else:
                rnd.transfers.append(self._transfer(c, "elimination"))

    def _eliminate_lowest(self, hopeful: list[int], keep: int, rnd: Round) -> None:
        """Eliminate the candidate with the fewest votes, or with batch elimination the
        largest qualifying set of lowest candidates that leaves at least ``keep`` of
        ``hopeful``."""
        votes, names = self.votes, self.names
        k = batch_size(hopeful, votes, keep) if self.rules.batch_elimination else 0
        if k >= 2:
            batch = sorted(hopeful, key=lambda c: (votes[c], c))[:k]
            batch.sort()
            combined = sum((votes[c] for c in batch), ZERO)
            rnd.notes.append(
                f"batch elimination: combined votes {_show(combined)} below the next candidate's"
            )
        else:
            batch = [self.tb.lowest(hopeful, votes, round_no=rnd.number)]
            rnd.notes.append(f"{names[batch[0]]} has the fewest votes")
        self._eliminate(batch, rnd)

    def _until_two(self, rounds: list[Round], threshold: Fraction) -> None:
        """IRV with ``continue_until_two``, once the winner is elected: eliminate, the
        threshold kept, until two candidates remain; then a head-to-head round that decides
        nothing. Nothing follows when two candidates remain already."""
        status = self.status
        n = len(status)
        if sum(1 for c in range(n) if status[c] == HOPEFUL) < 2:
            return
        while True:
            rnd = self._open_round(rounds[-1].number + 1, threshold, ())
            rounds.append(rnd)
            hopeful = [c for c in range(n) if status[c] == HOPEFUL]
            if len(hopeful) < 2:
                rnd.notes.append("two candidates remain: the head-to-head decides nothing")
                return
            self._eliminate_lowest(hopeful, 1, rnd)

    def run(self) -> Report:
        names, status, votes, tb = self.names, self.status, self.votes, self.tb
        rules = self.rules
        seats = rules.seats
        n = len(names)
        write_in = self.write_in
        self._deal([(Fraction(1), list(range(len(self.prefs))))])
        rounds: list[Round] = []
        winners: list[int] = []
        pending: list[int] = []  # elected, surplus not yet transferred
        fixed: Fraction | None = None  # the IRV threshold fixed by the first round
        number = 0
        while True:
            seats_left = seats - len(winners)
            hopeful = [c for c in range(n) if status[c] == HOPEFUL]
            electable = [c for c in hopeful if c != write_in]
            if seats_left <= 0 or not electable:
                break
            number += 1
            if self.irv:
                threshold = fixed or self._irv_threshold(sum((votes[c] for c in hopeful), ZERO))
                if rules.first_round_threshold:
                    fixed = threshold
            else:
                threshold = self.quota or ZERO
            rnd = self._open_round(number, threshold, pending)
            rounds.append(rnd)

            if write_in in hopeful:
                # As RCTab does: before anyone can be elected, so their votes move first.
                rnd.notes.append(f"{names[write_in]} (undeclared write-ins) is eliminated first")
                self._eliminate([write_in], rnd)
                continue

            if len(electable) <= seats_left:
                for c in tb.order(electable, votes, round_no=number, purpose="election"):
                    status[c] = ELECTED
                    winners.append(c)
                    rnd.elected.append(names[c])
                rnd.notes.append("continuing candidates no more than the seats left: all elected")
                break

            reached = [c for c in electable if self._reaches(votes[c], threshold)]
            if reached:
                ordered = tb.order(reached, votes, round_no=number, purpose="election")
                if rules.one_winner_per_round:
                    ordered = ordered[:1]
                for c in ordered[:seats_left]:
                    status[c] = ELECTED
                    winners.append(c)
                    pending.append(c)
                    rnd.elected.append(names[c])
                    word = "a majority" if self.irv else "the quota"
                    rnd.notes.append(f"{names[c]} reached {word}")
                if len(winners) >= seats:
                    if rules.continue_until_two:
                        self._until_two(rounds, threshold)
                    break

            quota = self.quota
            with_surplus = [] if quota is None else [c for c in pending if votes[c] > quota]
            pending = [c for c in pending if c in with_surplus]
            if with_surplus:
                largest = max(votes[c] for c in with_surplus)
                tied = [c for c in with_surplus if votes[c] == largest]
                c = tb.pick(tied, lowest=False, round_no=number, purpose="surplus")
                pending.remove(c)
                rnd.transfers.append(self._transfer(c, "surplus"))
                continue
            if rnd.elected:
                continue

            if (
                seats_left == 1
                and len(electable) == 2
                and votes[electable[0]] == votes[electable[1]]
            ):
                # An exact tie of the last two for the last seat: the tie-break elects one.
                c = tb.pick(electable, lowest=False, round_no=number, purpose="election")
                status[c] = ELECTED
                winners.append(c)
                rnd.elected.append(names[c])
                rnd.notes.append(
                    "the last two candidates are tied for the last seat: "
                    f"{names[c]} is elected by the tie-break"
                )
                break

            keep = seats_left
            if rules.continue_until_two:
                keep = max(keep, 2)
            self._eliminate_lowest(hopeful, keep, rnd)

        if len(winners) < seats and rounds:
            rounds[-1].notes.append(
                f"{seats - len(winners)} seat(s) left unfilled: no continuing candidates"
            )
        return Report(
            method=rules.method,
            seats=seats,
            candidates=list(names),
            rules=rules,
            valid_votes=self.valid,
            blank_ballots=self.blank,
            quota=self.quota,
            rounds=rounds,
            winners=[names[c] for c in winners],
            ties=list(tb.ties),
        )


def _destination(prefs: tuple[int, ...], n: int, receiving: Sequence[bool]) -> int:
    """The first continuing candidate of a ballot holding overvote tokens (-1: exhausted).

    At a token, the ballot exhausts if two or more of its candidates are continuing, goes to
    the one that is, or passes on when none is."""
    for c in prefs:
        if c < n:
            if receiving[c]:
                return c
            continue
        live = [m for m in overvote_members(c, n) if receiving[m]]
        if len(live) == 1:
            return live[0]
        if live:
            return -1
    return -1


def _show(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.4f}"
