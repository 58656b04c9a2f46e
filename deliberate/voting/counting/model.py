"""Rules of a count and the report it produces.

Every vote value inside the engine is an exact :class:`fractions.Fraction`. The report keeps
those exact values; :meth:`Report.as_dict` turns each into a JSON number and, next to it, the
exact value as a string (``"7/3"``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

from ..vocabulary import TIE_BREAKS, TieBreak, spelled


class CountMethod(StrEnum):
    """How the engine counts (see :class:`Rules`). An STV election's variant
    (:class:`deliberate.voting.vocabulary.StvVariant`) is the method of its count."""

    IRV = "irv"
    STV = "stv"
    SCOTTISH = "scottish"
    MEEK = "meek"
    SCHULZE = "schulze"


class CountQuota(StrEnum):
    """The engine's quotas: a vote's (:class:`deliberate.voting.vocabulary.Quota`) and the
    exact Droop quota of the ``tally`` command."""

    DROOP = "droop"
    DROOP_EXACT = "droop_exact"
    HARE = "hare"


class OvervoteRule(StrEnum):
    EXHAUST = "exhaust"
    SKIP = "skip"
    EXHAUST_IF_MULTIPLE = "exhaust_if_multiple"


class DuplicateRule(StrEnum):
    SKIP = "skip"
    EXHAUST = "exhaust"


class SettledBy(StrEnum):
    """How a recorded tie was settled: by an earlier round's votes, or by the lot."""

    PREVIOUS_ROUND = "previous round"
    LOT = "lot"


METHODS: tuple[CountMethod, ...] = tuple(CountMethod)
QUOTAS: tuple[CountQuota, ...] = tuple(CountQuota)
OVERVOTE_RULES: tuple[OvervoteRule, ...] = tuple(OvervoteRule)
DUPLICATE_RULES: tuple[DuplicateRule, ...] = tuple(DuplicateRule)

#: Decimal places fixed by The Scottish Local Government Elections Order 2007.
SCOTTISH_DECIMALS = 5
#: Decimal places used by Meek's method when none are given (as in the New Zealand rules).
MEEK_DEFAULT_DECIMALS = 9
#: Decimal places of the fractional threshold when the rules give none (RCTab's default).
FRACTIONAL_THRESHOLD_DECIMALS = 4


class RulesError(ValueError):
    """The rules, or the candidates they refer to, cannot be used for a count."""


class BallotError(ValueError):
    """A ballot names a candidate that is not standing, or has a count that is not valid."""


@dataclass(frozen=True)
class Rules:
    """How to count: the method, the seats and the ballot rules.

    ``method``
        ``"irv"`` (instant-runoff, one seat), ``"stv"`` (weighted inclusive Gregory),
        ``"scottish"`` (WIGM as in The Scottish Local Government Elections Order 2007:
        values truncated to 5 decimal places, largest surplus first, an exclusion in
        sub-stages by transfer value), ``"meek"`` or ``"schulze"`` (Condorcet–Schulze: the
        pairwise matrix, the strongest paths and a full ranking; one winner).
    ``seats``
        Seats to fill (at least 1; exactly 1 for IRV and Schulze).
    ``quota``
        ``"droop"`` = floor(V/(S+1))+1, reached at equality; ``"droop_exact"`` = V/(S+1),
        exceeded strictly; ``"hare"`` = V/S, reached at equality. V is the number of valid
        votes in the first round. Meek's method always uses its own dynamic Droop quota.
    ``decimals``
        ``None`` for exact rational arithmetic, or N to truncate every transfer value to N
        decimal places (remainders are lost and reported as such). Scottish STV uses 5,
        Meek's method defaults to 9.
    ``batch_elimination``
        Eliminate at once the largest set of lowest candidates whose combined votes are
        strictly below the next candidate's.
    ``overvote``
        A position naming several candidates: ``"exhaust"`` the ballot there, ``"skip"``
        the position and go on with the next one, or ``"exhaust_if_multiple"`` (RCTab's
        "exhaust if multiple continuing"): when the ballot reaches the position during the
        count, it exhausts if two or more of the names are still continuing, goes to the one
        that is, or passes on to the next position when none is (IRV and WIGM STV only).
    ``max_skipped``
        Largest number of consecutive empty positions the ballot may skip; one more empty
        position exhausts it at that point. ``None``: unlimited.
    ``duplicates``
        A candidate ranked again: ``"skip"`` the repeat, or ``"exhaust"`` the ballot there.
    ``tie_order``
        The lot: every candidate once, in the order drawn when the vote opened. In a tie that
        earlier rounds do not settle, the candidate nearer the front is favoured (elected or
        transferred first, eliminated last). ``None``: the declared candidate order.
    ``tie_break``
        ``"earlier_rounds"``: a tie is first settled by the most recent earlier round in which
        the tied candidates' votes differed, then by the lot; ``"lot"``: by the lot alone
        (RCTab's ``useCandidateOrder``: no look-back).
    ``continue_until_two``
        IRV only: the candidate with a majority is elected in that round, and the count goes
        on eliminating, the threshold kept as it was, until two candidates remain, so the
        report ends with a head-to-head round that decides nothing (RCTab's option of that
        name). The winner is the same.
    ``fractional_threshold``
        RCTab's non-integer winning threshold: V/(S+1) truncated to ``decimals`` places (4
        when the rules give none), plus one unit in the last place, reached at equality,
        instead of floor(V/(S+1))+1. IRV (S = 1, V the continuing votes of the round) and
        WIGM STV with the Droop quota.
    ``first_round_threshold``
        IRV only: the majority threshold is set by the first round's votes and kept, however
        many ballots exhaust later (RCTab's "first round determines threshold").
    ``one_winner_per_round``
        WIGM STV only: when several candidates reach the quota in a round, only the one with
        the most votes is elected in it, and the others stay continuing, so they can receive
        part of that surplus (RCTab's "allow only one winner per round").
    ``excluded``
        Candidates excluded from the count (withdrawn after the ballots were printed): removed
        from every ballot as if never ranked, and reported.
    ``write_in``
        The name of the undeclared write-ins pseudo-candidate, if any: it holds the votes for
        names that were not declared, can never be elected, and is eliminated first, in the
        first round in which nobody is elected.
    """

    method: str = CountMethod.IRV
    seats: int = 1
    quota: str = CountQuota.DROOP
    decimals: int | None = None
    batch_elimination: bool = False
    overvote: str = OvervoteRule.EXHAUST
    max_skipped: int | None = None
    duplicates: str = DuplicateRule.SKIP
    tie_order: tuple[str, ...] | None = None
    tie_break: str = TieBreak.EARLIER_ROUNDS
    continue_until_two: bool = False
    excluded: tuple[str, ...] = ()
    write_in: str | None = None
    fractional_threshold: bool = False
    first_round_threshold: bool = False
    one_winner_per_round: bool = False

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise RulesError(f"unknown method {self.method!r} (expected one of {spelled(METHODS)})")
        if not isinstance(self.seats, int) or isinstance(self.seats, bool) or self.seats < 1:
            raise RulesError("the number of seats must be a whole number, at least 1")
        if self.method == CountMethod.IRV and self.seats != 1:
            raise RulesError("instant-runoff voting fills exactly one seat; use stv for more")
        if self.method == CountMethod.SCHULZE:
            if self.seats != 1:
                raise RulesError("Schulze's method gives one winner (and a full ranking)")
            if self.decimals is not None or self.batch_elimination or self.write_in:
                raise RulesError(
                    "Schulze's method compares candidates pairwise: decimals, batch "
                    "elimination and write-ins do not apply"
                )
        if self.quota not in QUOTAS:
            raise RulesError(f"unknown quota {self.quota!r} (expected one of {spelled(QUOTAS)})")
        if self.decimals is not None and (
            not isinstance(self.decimals, int) or self.decimals < 0 or self.decimals > 30
        ):
            raise RulesError("decimals must be a whole number from 0 to 30")
        if self.method == CountMethod.SCOTTISH:
            if self.quota != CountQuota.DROOP:
                raise RulesError("Scottish STV uses the Droop quota")
            if self.decimals not in (None, SCOTTISH_DECIMALS):
                raise RulesError("Scottish STV uses 5 decimal places")
        if self.method == CountMethod.MEEK and self.quota != CountQuota.DROOP:
            raise RulesError("Meek's method uses its own dynamic Droop quota")
        if self.overvote == OvervoteRule.EXHAUST_IF_MULTIPLE and self.method in (
            CountMethod.MEEK,
            CountMethod.SCHULZE,
        ):
            raise RulesError(
                "the overvote rule exhaust_if_multiple applies to irv, stv and scottish counts"
            )
        if self.tie_break not in TIE_BREAKS:
            raise RulesError(
                f"unknown tie-break rule {self.tie_break!r} (expected {spelled(TIE_BREAKS)})"
            )
        if self.continue_until_two and self.method != CountMethod.IRV:
            raise RulesError("continuing until two candidates remain applies to irv")
        if self.fractional_threshold:
            if self.method not in (CountMethod.IRV, CountMethod.STV):
                raise RulesError("the fractional threshold applies to irv and stv counts")
            if self.method == CountMethod.STV and self.quota != CountQuota.DROOP:
                raise RulesError(
                    "the fractional threshold is a Droop threshold, not hare or droop_exact"
                )
        if self.first_round_threshold and self.method != CountMethod.IRV:
            raise RulesError(
                "the threshold fixed by the first round applies to irv (an STV quota is always "
                "set by the first round)"
            )
        if self.one_winner_per_round and self.method != CountMethod.STV:
            raise RulesError("one winner per round applies to stv (weighted inclusive Gregory)")
        object.__setattr__(self, "excluded", tuple(self.excluded))
        if self.write_in is not None and self.write_in in self.excluded:
            raise RulesError("the write-ins pseudo-candidate cannot also be excluded")
        if self.method == CountMethod.IRV and self.decimals is not None:
            raise RulesError("instant-runoff voting counts whole ballots; decimals do not apply")
        if self.overvote not in OVERVOTE_RULES:
            raise RulesError(f"unknown overvote rule {self.overvote!r}")
        if self.duplicates not in DUPLICATE_RULES:
            raise RulesError(f"unknown duplicates rule {self.duplicates!r}")
        if self.max_skipped is not None and (
            not isinstance(self.max_skipped, int) or self.max_skipped < 0
        ):
            raise RulesError("max_skipped must be a whole number, at least 0")
        if self.tie_order is not None:
            object.__setattr__(self, "tie_order", tuple(self.tie_order))

    @property
    def effective_decimals(self) -> int | None:
        """Decimal places actually used by the method (``None``: exact)."""
        if self.method == CountMethod.SCOTTISH:
            return SCOTTISH_DECIMALS
        if self.method == CountMethod.MEEK and self.decimals is None:
            return MEEK_DEFAULT_DECIMALS
        return self.decimals

    @property
    def threshold_decimals(self) -> int:
        """Decimal places of the fractional threshold: ``decimals``, or 4."""
        return FRACTIONAL_THRESHOLD_DECIMALS if self.decimals is None else self.decimals

    def lot(self, candidates: Sequence[str]) -> tuple[str, ...]:
        """The tie-breaking order for these candidates, checked against them."""
        if self.tie_order is None:
            return tuple(candidates)
        order = self.tie_order
        known = set(candidates)
        unknown = [name for name in order if name not in known]
        if unknown:
            raise RulesError(f"tie order names unknown candidate(s): {', '.join(unknown)}")
        if len(set(order)) != len(order):
            raise RulesError("tie order names a candidate twice")
        missing = [name for name in candidates if name not in set(order)]
        if missing:
            raise RulesError(f"tie order leaves out candidate(s): {', '.join(missing)}")
        return order

    def check_names(self, candidates: Sequence[str]) -> None:
        """Refuse excluded candidates or a write-in name that are not candidates."""
        known = set(candidates)
        unknown = [name for name in self.excluded if name not in known]
        if unknown:
            raise RulesError(f"excluded candidate(s) not standing: {', '.join(unknown)}")
        if len(set(self.excluded)) != len(self.excluded):
            raise RulesError("a candidate is excluded twice")
        if self.write_in is not None and self.write_in not in known:
            raise RulesError(f"the write-ins pseudo-candidate {self.write_in!r} is not a candidate")
        if len(known.difference(self.excluded)) < 1 and candidates:
            raise RulesError("every candidate is excluded")


@dataclass
class Transfer:
    """Votes moved in a round: a surplus of an elected candidate, or an eliminated one's votes.

    ``value`` is the transfer value applied to the ballots (a surplus ratio; ``None`` when
    ballots move at their own value, as on elimination). ``to`` maps each receiving candidate to
    the votes received; ``exhausted`` is what found no continuing candidate, ``lost`` what
    truncation to a fixed number of decimals dropped.
    """

    source: str
    kind: str  # "surplus" or "elimination"
    amount: Fraction
    value: Fraction | None
    to: dict[str, Fraction] = field(default_factory=dict)
    exhausted: Fraction = Fraction(0)
    lost: Fraction = Fraction(0)


@dataclass
class Tie:
    """A tie and how it was broken.

    ``purpose``: ``"elimination"`` (who is eliminated), ``"election"`` (order in which
    candidates elected in the same round are listed; for Schulze, the winner),
    ``"surplus"`` (whose surplus is transferred first) or ``"ranking"`` (Schulze: who takes
    place ``round`` of the ranking). ``method``: ``"previous round"`` (settled by the votes
    in round ``decided_by_round``) or ``"lot"`` (settled by the tie order).
    """

    round: int
    purpose: str
    candidates: list[str]
    chosen: str
    method: str
    decided_by_round: int | None = None

    def describe(self) -> str:
        names = ", ".join(self.candidates)
        if self.method == SettledBy.LOT:
            how = "by lot (tie order)"
        else:
            how = f"by the votes in round {self.decided_by_round}"
        verb = {
            "elimination": "eliminated",
            "election": "elected first",
            "surplus": "transferred first",
            "ranking": "placed higher",
        }[self.purpose]
        if self.purpose == "ranking":
            return f"place {self.round}: tie between {names}; {self.chosen} {verb}, {how}"
        return f"round {self.round}: tie between {names}; {self.chosen} {verb}, {how}"


@dataclass
class Round:
    """One count of the continuing ballots followed by one action.

    ``tally`` holds every continuing candidate's votes at the start of the round (after the
    previous round's transfers), with elected candidates whose surplus is still to be
    transferred; ``votes`` holds every candidate not eliminated, the elected at the value they
    keep (the quota once their surplus is gone), as the certified tabulators report a round.
    ``exhausted`` and ``lost`` are the totals at that moment. ``transfers`` are the moves made
    at the end of this round. Meek's method also records ``iterations`` (how many times the
    keep values were adjusted before the round converged) and ``keep`` (each elected
    candidate's keep value).
    """

    number: int
    tally: dict[str, Fraction]
    threshold: Fraction
    exhausted: Fraction
    lost: Fraction = Fraction(0)
    elected: list[str] = field(default_factory=list)
    eliminated: list[str] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    votes: dict[str, Fraction] | None = None
    iterations: int | None = None
    keep: dict[str, Fraction] | None = None


@dataclass
class Report:
    """The full, reproducible record of a count."""

    method: str
    seats: int
    candidates: list[str]
    rules: Rules
    valid_votes: int
    blank_ballots: int
    quota: Fraction | None
    rounds: list[Round] = field(default_factory=list)
    winners: list[str] = field(default_factory=list)
    ties: list[Tie] = field(default_factory=list)
    #: Schulze only: the full ranking, the pairwise matrix d[X][Y] and the strongest paths.
    ranking: list[str] | None = None
    pairwise: dict[str, dict[str, int]] | None = None
    strongest_paths: dict[str, dict[str, int]] | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (see the ``tally`` command's documentation)."""
        rules = self.rules
        return {
            "method": self.method,
            "seats": self.seats,
            "candidates": list(self.candidates),
            "rules": {
                "quota": None
                if self.method in (CountMethod.IRV, CountMethod.SCHULZE)
                else rules.quota,
                "decimals": rules.effective_decimals,
                "batch_elimination": rules.batch_elimination,
                "overvote": rules.overvote,
                "max_skipped": rules.max_skipped,
                "duplicates": rules.duplicates,
                "tie_order": list(rules.lot(self.candidates)),
                "tie_break": rules.tie_break,
                "continue_until_two": rules.continue_until_two,
                "excluded": list(rules.excluded),
                "write_in": rules.write_in,
                "fractional_threshold": rules.fractional_threshold,
                "first_round_threshold": rules.first_round_threshold,
                "one_winner_per_round": rules.one_winner_per_round,
            },
            "valid_votes": self.valid_votes,
            "blank_ballots": self.blank_ballots,
            "quota": _num(self.quota),
            "quota_exact": _exact(self.quota),
            "rounds": [_round_dict(r) for r in self.rounds],
            "winners": list(self.winners),
            "ties": [
                {
                    "round": t.round,
                    "purpose": t.purpose,
                    "candidates": list(t.candidates),
                    "chosen": t.chosen,
                    "method": t.method,
                    "decided_by_round": t.decided_by_round,
                }
                for t in self.ties
            ],
            **self._schulze_dict(),
        }

    def _schulze_dict(self) -> dict[str, Any]:
        if self.ranking is None:
            return {}
        return {
            "ranking": list(self.ranking),
            "pairwise": {x: dict(row) for x, row in (self.pairwise or {}).items()},
            "strongest_paths": {x: dict(row) for x, row in (self.strongest_paths or {}).items()},
        }

    def to_json(self, **kwargs: Any) -> str:
        """The report as a JSON string (``kwargs`` go to :func:`json.dumps`)."""
        return json.dumps(self.as_dict(), ensure_ascii=False, **kwargs)


def _num(value: Fraction | None) -> int | float | None:
    if value is None:
        return None
    if value.denominator == 1:
        return int(value)
    return float(value)


def _exact(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


def _round_dict(r: Round) -> dict[str, Any]:
    surplus = next((t for t in r.transfers if t.kind == "surplus"), None)
    votes = r.tally if r.votes is None else r.votes
    extra: dict[str, Any] = {}
    if r.iterations is not None:
        extra["iterations"] = r.iterations
    if r.keep is not None:
        extra["keep"] = {name: _num(v) for name, v in r.keep.items()}
        extra["keep_exact"] = {name: _exact(v) for name, v in r.keep.items()}
    return {
        "round": r.number,
        "tally": {name: _num(v) for name, v in r.tally.items()},
        "tally_exact": {name: _exact(v) for name, v in r.tally.items()},
        "threshold": _num(r.threshold),
        "threshold_exact": _exact(r.threshold),
        "elected": list(r.elected),
        "eliminated": list(r.eliminated),
        "transfers": [
            {
                "from": t.source,
                "kind": t.kind,
                "amount": _num(t.amount),
                "amount_exact": _exact(t.amount),
                "value": _num(t.value),
                "value_exact": _exact(t.value),
                "to": {name: _num(v) for name, v in t.to.items()},
                "to_exact": {name: _exact(v) for name, v in t.to.items()},
                "exhausted": _num(t.exhausted),
                "exhausted_exact": _exact(t.exhausted),
                "lost": _num(t.lost),
                "lost_exact": _exact(t.lost),
            }
            for t in r.transfers
        ],
        "exhausted": _num(r.exhausted),
        "exhausted_exact": _exact(r.exhausted),
        "lost": _num(r.lost),
        "lost_exact": _exact(r.lost),
        "notes": list(r.notes),
        "votes": {name: _num(v) for name, v in votes.items()},
        "votes_exact": {name: _exact(v) for name, v in votes.items()},
        "surplus": None if surplus is None else _num(surplus.amount),
        "surplus_exact": None if surplus is None else _exact(surplus.amount),
        "transfer_value": None if surplus is None else _num(surplus.value),
        "transfer_value_exact": None if surplus is None else _exact(surplus.value),
        "exhausted_in_round": _num(sum((t.exhausted for t in r.transfers), Fraction(0))),
        "exhausted_in_round_exact": _exact(sum((t.exhausted for t in r.transfers), Fraction(0))),
        "lost_in_round": _num(sum((t.lost for t in r.transfers), Fraction(0))),
        "lost_in_round_exact": _exact(sum((t.lost for t in r.transfers), Fraction(0))),
        **extra,
    }
