"""An independent cross-check of our winners with pyrankvote 2.0.6.

pyrankvote is only ever consulted, never trusted: its answer never changes our report. It is
given the same normalised ballots (after our ballot rules). It is not a required dependency:
when it is not installed the cross-check says so.

pyrankvote breaks ties with Python's global random generator. To make the cross-check
repeatable the generator's state is saved, seeded for the call and restored afterwards, so
the rest of the program sees no change.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import Report

_SEED = 20070301
NO_METHOD = "pyrankvote has no"


@dataclass
class CrossCheck:
    """The outcome of running pyrankvote on the same ballots."""

    ours: list[str]
    theirs: list[str] | None = None
    agree: bool | None = None
    error: str | None = None
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tool": "pyrankvote",
            "ours": list(self.ours),
            "theirs": None if self.theirs is None else list(self.theirs),
            "agree": self.agree,
            "error": self.error,
            "reasons": list(self.reasons),
        }

    def describe(self) -> str:
        if self.error is not None and self.theirs is None and self.error.startswith(NO_METHOD):
            text = f"Cross-check: {self.error}."
        elif self.error is not None:
            text = f"Cross-check: pyrankvote could not count these ballots ({self.error})."
        elif self.agree:
            text = "Cross-check: pyrankvote elects the same: " + ", ".join(self.theirs or [])
        else:
            text = (
                "Cross-check: pyrankvote elects "
                + (", ".join(self.theirs or []) or "nobody")
                + " instead; our result stands."
            )
        if self.reasons and not self.agree:
            text += "\n" + "\n".join(f"  - {r}" for r in self.reasons)
        return text + "\n"


def _known_differences(report: Report) -> list[str]:
    reasons = [
        t.describe() + " (pyrankvote breaks ties by later preferences, then at random)"
        for t in report.ties
    ]
    rules = report.rules
    if report.method == "irv":
        if not rules.batch_elimination:
            reasons.append(
                "pyrankvote eliminates at once every lowest candidate whose combined votes are "
                "at most (not strictly below) the next candidate's"
            )
        reasons.append("pyrankvote elects with half of the continuing votes, rounded up")
    else:
        if report.method in ("scottish", "meek"):
            reasons.append(f"pyrankvote has no {report.method} method; its STV was used")
        reasons.append(
            "pyrankvote's STV quota is votes/(seats+1) reached at equality, shares each surplus "
            "equally among the ballots whatever their current value, and eliminates in batches"
        )
        if rules.effective_decimals is not None:
            reasons.append("pyrankvote counts in floating point, without truncation")
    return reasons


def cross_check(
    candidates: Sequence[str], groups: dict[tuple[int, ...], int], report: Report
) -> CrossCheck:
    """Count ``groups`` (normalised ballots, as given to the engine) with pyrankvote."""
    result = CrossCheck(ours=list(report.winners))
    if report.method == "schulze":
        result.error = f"{NO_METHOD} Condorcet method; there is nothing to compare"
        return result
    try:
        import pyrankvote
        from pyrankvote import Ballot, Candidate
    except ImportError:
        result.error = "pyrankvote is not installed"
        return result
    people = [Candidate(name) for name in candidates]
    ballots = []
    for prefs, cnt in groups.items():
        ballot = Ballot(ranked_candidates=[people[c] for c in prefs])
        ballots.extend([ballot] * cnt)
    state = random.getstate()
    try:
        random.seed(_SEED)
        if report.method == "irv":
            outcome = pyrankvote.instant_runoff_voting(people, ballots)
        else:
            outcome = pyrankvote.single_transferable_vote(
                people, ballots, number_of_seats=report.seats
            )
        theirs = [c.name for c in outcome.get_winners()]
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return result
    finally:
        random.setstate(state)
    result.theirs = theirs
    result.agree = sorted(theirs) == sorted(report.winners)
    if not result.agree:
        result.reasons = _known_differences(report)
    return result
