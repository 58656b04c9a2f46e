"""Counting a yes/no/abstain vote against a threshold and a quorum.

The threshold compares the yes votes with a *base*:

``simple``
    more than 1/2 of the base; the base is yes + no (plus abstentions if they count).
    A tie (yes = no) is therefore not adopted.
``two_thirds``
    at least 2/3 of the base (same base as ``simple``). "At least", as Robert's Rules of
    Order define a two-thirds vote (at least two-thirds of the votes cast, abstentions
    excluded): 20 yes to 10 no adopts. Without abstentions in the base this is exactly
    yes ≥ 2 × no.
``absolute``
    more than 1/2 of the roll (every eligible member); abstentions, blank papers and members
    who did not take part all weigh like a no. The base is the roll, so the abstention
    setting does not apply to it.

The line ``required_exact`` = share × base is exact; ``required`` is the fewest whole yes
votes that meet it, out of this base: floor(line) + 1 where yes must exceed the line,
ceil(line) where reaching it is enough. A motion is never adopted without a single yes vote,
so ``required`` is at least 1 (this matters only for two-thirds of an empty base).

A vote whose quorum is not met (see :mod:`.quorum`) is not adopted, whatever the counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..vocabulary import (
    MAJORITY_CHOICES,
    THRESHOLDS,
    MajorityChoice,
    Threshold,
    VoteMethod,
    spelled,
)
from .model import BallotError, RulesError
from .quorum import Share, check_turnout, mixed, parse_share, quorum_required, whole

CHOICES = MAJORITY_CHOICES

#: Version of the dictionary :meth:`MajorityResult.as_dict` produces.
VERSION = 1

_SHARE: dict[str, Fraction] = {
    Threshold.SIMPLE: Fraction(1, 2),
    Threshold.TWO_THIRDS: Fraction(2, 3),
    Threshold.ABSOLUTE: Fraction(1, 2),
}
_STRICT: dict[str, bool] = {
    Threshold.SIMPLE: True,
    Threshold.TWO_THIRDS: False,
    Threshold.ABSOLUTE: True,
}
_SHARE_WORDS: dict[str, str] = {
    Threshold.SIMPLE: "half",
    Threshold.TWO_THIRDS: "two-thirds",
    Threshold.ABSOLUTE: "half",
}


@dataclass(frozen=True)
class MajorityRules:
    """How a yes/no vote is decided, fixed before it opens.

    ``threshold``
        ``"simple"``, ``"two_thirds"`` or ``"absolute"`` (see the module documentation).
    ``abstentions_count``
        Abstentions are part of the base of a simple or two-thirds majority (an abstention
        then weighs like a no). Not allowed with ``"absolute"``, whose base is the roll.
    ``quorum``
        Share of the roll that must take part, from 0 to 1, exact (``Fraction(1, 2)``,
        ``"1/2"``; not a float).
    """

    threshold: str = Threshold.SIMPLE
    abstentions_count: bool = False
    quorum: Share = Fraction(0)

    def __post_init__(self) -> None:
        if self.threshold not in THRESHOLDS:
            raise RulesError(
                f"unknown threshold {self.threshold!r} (expected one of {spelled(THRESHOLDS)})"
            )
        if not isinstance(self.abstentions_count, bool):
            raise RulesError("abstentions_count must be true or false")
        if self.threshold == Threshold.ABSOLUTE and self.abstentions_count:
            raise RulesError(
                "an absolute majority is of the roll: abstentions_count does not apply"
            )
        object.__setattr__(self, "quorum", parse_share(self.quorum, "the quorum"))


@dataclass(frozen=True)
class MajorityResult:
    """The outcome of a yes/no vote, with every figure needed to check it by hand.

    ``blank`` is the number who took part without choosing yes, no or abstain (a blank paper
    at a meeting): participation − yes − no − abstain. ``share`` is 1/2 or 2/3; ``strict``
    says whether yes must exceed ``required_exact`` (simple, absolute) or only reach it
    (two-thirds).
    """

    threshold: str
    abstentions_count: bool
    quorum: Fraction
    roll: int
    participation: int
    yes: int
    no: int
    abstain: int
    blank: int
    quorum_required: int
    quorum_met: bool
    base: int
    share: Fraction
    strict: bool
    required_exact: Fraction
    required: int
    adopted: bool
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of plain numbers, strings and booleans.

        Shape (version 1)::

            {"kind": "majority", "version": 1,
             "threshold": "simple" | "two_thirds" | "absolute",
             "abstentions_count": false, "quorum": "1/2",
             "roll": 40, "participation": 30, "quorum_required": 20, "quorum_met": true,
             "counts": {"yes": 15, "no": 10, "abstain": 5}, "blank": 0,
             "base": 25, "share": "1/2", "strict": true,
             "required_exact": "25/2", "required": 13,
             "adopted": true, "explanation": "Adopted: ..."}

        Exact fractions are strings as :class:`~fractions.Fraction` writes them (``"25/2"``,
        or ``"13"`` when whole), as in the ranked count's ``*_exact`` fields; read them back
        with ``Fraction(text)``.
        """
        return {
            "kind": VoteMethod.MAJORITY,
            "version": VERSION,
            "threshold": self.threshold,
            "abstentions_count": self.abstentions_count,
            "quorum": str(self.quorum),
            "roll": self.roll,
            "participation": self.participation,
            "quorum_required": self.quorum_required,
            "quorum_met": self.quorum_met,
            "counts": {"yes": self.yes, "no": self.no, "abstain": self.abstain},
            "blank": self.blank,
            "base": self.base,
            "share": str(self.share),
            "strict": self.strict,
            "required_exact": str(self.required_exact),
            "required": self.required,
            "adopted": self.adopted,
            "explanation": self.explanation,
        }

    def to_json(self, **kwargs: Any) -> str:
        """The result as a JSON string (``kwargs`` go to :func:`json.dumps`)."""
        return json.dumps(self.as_dict(), ensure_ascii=False, **kwargs)


def count_majority(
    yes: int,
    no: int,
    abstain: int = 0,
    *,
    roll: int,
    participation: int | None = None,
    rules: MajorityRules | None = None,
) -> MajorityResult:
    """Decide a yes/no vote from its counts.

    ``roll`` is the number of eligible members; ``participation`` the number who took part
    (default: yes + no + abstain; it may be more, never less, and never more than the roll).
    Raises :class:`BallotError` for counts that are not whole, are negative or do not add up.
    """
    rules = rules or MajorityRules()
    yes, no, abstain = whole(yes, "yes"), whole(no, "no"), whole(abstain, "abstain")
    roll, participation = check_turnout(roll, participation, yes + no + abstain)
    quorum = Fraction(rules.quorum)
    needed_turnout = quorum_required(quorum, roll)
    quorum_met = participation >= needed_turnout

    threshold = rules.threshold
    if threshold == Threshold.ABSOLUTE:
        base = roll
    else:
        base = yes + no + (abstain if rules.abstentions_count else 0)
    share, strict = _SHARE[threshold], _STRICT[threshold]
    line = share * base
    floor = line.numerator // line.denominator
    required = floor + 1 if strict else -(-line.numerator // line.denominator)
    by_line = required
    required = max(required, 1)
    adopted = quorum_met and yes >= required

    if not quorum_met:
        explanation = (
            f"Not adopted: quorum not met ({participation} of {roll} took part; "
            f"{needed_turnout} needed, {quorum} of the roll)."
        )
    else:
        verdict = "Adopted" if adopted else "Not adopted"
        tie = f", {no} no: a tie" if yes == no and yes else ""
        relation = "more than" if strict else "at least"
        if threshold == Threshold.ABSOLUTE:
            of = f"the {roll} members on the roll"
        elif rules.abstentions_count:
            of = f"the {base} yes, no and abstain votes"
        else:
            of = f"the {base} yes and no votes"
        floor_note = " and never fewer than one" if by_line < 1 else ""
        explanation = (
            f"{verdict}: {yes} yes{tie}; {required} needed ({relation} {mixed(line)}, "
            f"{_SHARE_WORDS[threshold]} of {of}{floor_note})."
        )
    return MajorityResult(
        threshold=threshold,
        abstentions_count=rules.abstentions_count,
        quorum=quorum,
        roll=roll,
        participation=participation,
        yes=yes,
        no=no,
        abstain=abstain,
        blank=participation - yes - no - abstain,
        quorum_required=needed_turnout,
        quorum_met=quorum_met,
        base=base,
        share=share,
        strict=strict,
        required_exact=line,
        required=required,
        adopted=adopted,
        explanation=explanation,
    )


def count_majority_ballots(
    ballots: Iterable[str],
    *,
    roll: int,
    participation: int | None = None,
    rules: MajorityRules | None = None,
) -> MajorityResult:
    """Decide a yes/no vote from its ballots, each ``"yes"``, ``"no"`` or ``"abstain"``.

    ``participation`` defaults to the number of ballots. Raises :class:`BallotError` for any
    other choice, and as :func:`count_majority` does.
    """
    tally: dict[str, int] = dict.fromkeys(CHOICES, 0)
    for choice in ballots:
        if not isinstance(choice, str) or choice not in tally:
            raise BallotError(f"{choice!r} is not a choice (expected one of {spelled(CHOICES)})")
        tally[choice] += 1
    return count_majority(
        tally[MajorityChoice.YES],
        tally[MajorityChoice.NO],
        tally[MajorityChoice.ABSTAIN],
        roll=roll,
        participation=participation,
        rules=rules,
    )
