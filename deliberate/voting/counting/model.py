"""Rules of a count and the report it produces.

Every vote value inside the engine is an exact :class:`fractions.Fraction`. The report keeps
those exact values; :meth:`Report.as_dict` turns each into a JSON number and, next to it, the
exact value as a string (``"7/3"``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

METHODS = ("irv", "stv", "scottish", "meek")
QUOTAS = ("droop", "droop_exact", "hare")
OVERVOTE_RULES = ("exhaust", "skip")
DUPLICATE_RULES = ("skip", "exhaust")

#: Decimal places fixed by The Scottish Local Government Elections Order 2007.
SCOTTISH_DECIMALS = 5
#: Decimal places used by Meek's method when none are given (as in the New Zealand rules).
MEEK_DEFAULT_DECIMALS = 9


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
        values truncated to 5 decimal places, largest surplus first) or ``"meek"``.
    ``seats``
        Seats to fill (at least 1; exactly 1 for IRV).
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
        A position naming several candidates: ``"exhaust"`` the ballot there, or ``"skip"``
        the position and go on with the next one.
    ``max_skipped``
        Largest number of consecutive empty positions the ballot may skip; one more empty
        position exhausts it at that point. ``None``: unlimited.
    ``duplicates``
        A candidate ranked again: ``"skip"`` the repeat, or ``"exhaust"`` the ballot there.
    ``tie_order``
        The lot: every candidate once, in the order drawn when the vote opened. In a tie that
        earlier rounds do not settle, the candidate nearer the front is favoured (elected or
        transferred first, eliminated last). ``None``: the declared candidate order.
    """

    method: str = "irv"
    seats: int = 1
    quota: str = "droop"
    decimals: int | None = None
    batch_elimination: bool = False
    overvote: str = "exhaust"
    max_skipped: int | None = None
    duplicates: str = "skip"
    tie_order: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise RulesError(f"unknown method {self.method!r} (expected one of {METHODS})")
        if not isinstance(self.seats, int) or isinstance(self.seats, bool) or self.seats < 1:
            raise RulesError("the number of seats must be a whole number, at least 1")
        if self.method == "irv" and self.seats != 1:
            raise RulesError("instant-runoff voting fills exactly one seat; use stv for more")
        if self.quota not in QUOTAS:
            raise RulesError(f"unknown quota {self.quota!r} (expected one of {QUOTAS})")
        if self.decimals is not None and (
            not isinstance(self.decimals, int) or self.decimals < 0 or self.decimals > 30
        ):
            raise RulesError("decimals must be a whole number from 0 to 30")
        if self.method == "scottish":
            if self.quota != "droop":
                raise RulesError("Scottish STV uses the Droop quota")
            if self.decimals not in (None, SCOTTISH_DECIMALS):
                raise RulesError("Scottish STV uses 5 decimal places")
        if self.method == "meek" and self.quota != "droop":
            raise RulesError("Meek's method uses its own dynamic Droop quota")
        if self.method == "irv" and self.decimals is not None:
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
        if self.method == "scottish":
            return SCOTTISH_DECIMALS
        if self.method == "meek" and self.decimals is None:
            return MEEK_DEFAULT_DECIMALS
        return self.decimals

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
    candidates elected in the same round are listed) or ``"surplus"`` (whose surplus is
    transferred first). ``method``: ``"previous round"`` (settled by the votes in round
    ``decided_by_round``) or ``"lot"`` (settled by the tie order).
    """

    round: int
    purpose: str
    candidates: list[str]
    chosen: str
    method: str
    decided_by_round: int | None = None

    def describe(self) -> str:
        names = ", ".join(self.candidates)
        if self.method == "lot":
            how = "by lot (tie order)"
        else:
            how = f"by the votes in round {self.decided_by_round}"
        verb = {
            "elimination": "eliminated",
            "election": "elected first",
            "surplus": "transferred first",
        }[self.purpose]
        return f"round {self.round}: tie between {names}; {self.chosen} {verb}, {how}"


@dataclass
class Round:
    """One count of the continuing ballots followed by one action.

    ``tally`` holds every continuing candidate's votes at the start of the round (after the
    previous round's transfers); ``exhausted`` and ``lost`` are the totals at that moment.
    ``transfers`` are the moves made at the end of this round.
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

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (see the ``tally`` command's documentation)."""
        rules = self.rules
        return {
            "method": self.method,
            "seats": self.seats,
            "candidates": list(self.candidates),
            "rules": {
                "quota": None if self.method == "irv" else rules.quota,
                "decimals": rules.effective_decimals,
                "batch_elimination": rules.batch_elimination,
                "overvote": rules.overvote,
                "max_skipped": rules.max_skipped,
                "duplicates": rules.duplicates,
                "tie_order": list(rules.lot(self.candidates)),
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
    }
