"""Independent cross-checks of our winners: pyrankvote 2.0.6 and pref-voting 1.18.

A witness is only ever consulted, never trusted: its answer never changes our report. Each is
given the ballots after our ballot rules (overvotes, skipped ranks, repeats and excluded
candidates already applied), and the counting rules translated where it has them:

* undeclared write-ins are eliminated before anyone can be elected, so their ballots move on
  at full value: the same as removing the write-ins from every ballot. The witness counts
  without them (in pref-voting a ballot that named only write-ins stays, empty, so that the
  quota is counted on the same votes, except in Meek's method, whose quota leaves out what
  exhausts);
* the IRV options that cannot change the winner (the threshold, continuing until two, batch
  elimination, which only removes candidates who could never catch up) need no translation;
* the lot is given as pref-voting's tie-breaker (pyrankvote breaks ties its own way).

A rule a witness cannot express is said plainly, and that witness does not count: for
example the overvote rule ``exhaust_if_multiple`` when a ballot holds an overvote, or, for
pref-voting, one winner per round. Neither witness is a required dependency (both are in the
test extra): when one is not installed the cross-check says so. Whatever a witness does
(an exception, a warning) is caught and reported: a cross-check never fails the count.

pyrankvote breaks ties with Python's global random generator. To make the cross-check
repeatable the generator's state is saved, seeded for the call and restored afterwards, so
the rest of the program sees no change. pref-voting is deterministic given the lot; its
Scottish STV draws its lots from a generator of its own, seeded the same way.

How each of our methods is put to pref-voting (``strength_function`` gives Schulze's
winning votes)::

    irv       instant_runoff_tb(tie_breaker=the lot, last first)
    stv       droop: stv_wig(quota_rule="droop"); droop_exact: stv_nb(quota_rule="nb",
              mann_strict=True, drain_all=True), that is WIG with V/(S+1) to be exceeded
    scottish  stv_scottish(decimals=5)
    meek      stv_meek
    schulze   beat_path(strength_function=support), unranked candidates below the ranked
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..vocabulary import TieBreak
from .model import CountMethod, CountQuota, Report, Rules

_SEED = 20070301
PYRANKVOTE = "pyrankvote"
PREF_VOTING = "pref-voting"


@dataclass
class CrossCheck:
    """The outcome of counting the same ballots with one witness.

    ``not_checked`` says why the witness did not count (no such method, a rule it cannot
    express, not installed); ``error`` what went wrong when it tried; ``reasons`` the known
    differences of rules that may explain a disagreement (or a tie it reports)."""

    tool: str
    ours: list[str]
    theirs: list[str] | None = None
    agree: bool | None = None
    error: str | None = None
    not_checked: str | None = None
    reasons: list[str] = field(default_factory=list)
    version: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "version": self.version,
            "ours": list(self.ours),
            "theirs": None if self.theirs is None else list(self.theirs),
            "agree": self.agree,
            "not_checked": self.not_checked,
            "error": self.error,
            "reasons": list(self.reasons),
        }

    def describe(self) -> str:
        if self.not_checked is not None:
            text = f"Cross-check: {self.not_checked}; not cross-checked."
        elif self.error is not None:
            text = f"Cross-check: {self.tool} could not count these ballots ({self.error})."
        elif self.agree:
            text = f"Cross-check: {self.tool} elects the same: " + ", ".join(self.theirs or [])
        else:
            text = (
                f"Cross-check: {self.tool} elects "
                + (", ".join(self.theirs or []) or "nobody")
                + " instead; our result stands."
            )
        if self.reasons:
            text += "\n" + "\n".join(f"  - {r}" for r in self.reasons)
        return text + "\n"


def cross_checks(
    candidates: Sequence[str], groups: dict[tuple[int, ...], int], report: Report
) -> list[CrossCheck]:
    """Count ``groups`` (normalised ballots, as given to the engine) with every witness."""
    return [
        cross_check_pyrankvote(candidates, groups, report),
        cross_check_pref_voting(candidates, groups, report),
    ]


# --- what a witness is given -----------------------------------------------------------------


def _has_overvotes(groups: dict[tuple[int, ...], int], n: int) -> bool:
    return any(c >= n for prefs in groups for c in prefs)


def _ballots_for_witness(
    candidates: Sequence[str], groups: dict[tuple[int, ...], int], rules: Rules
) -> tuple[list[int], list[tuple[tuple[int, ...], int]]]:
    """The candidates a witness counts (neither excluded nor the write-ins) and the ballots,
    write-ins removed; a ballot left empty by that removal is kept (it was a valid vote)."""
    write_in = -1 if rules.write_in is None else list(candidates).index(rules.write_in)
    excluded = {list(candidates).index(name) for name in rules.excluded}
    standing = [c for c in range(len(candidates)) if c != write_in and c not in excluded]
    ballots: dict[tuple[int, ...], int] = {}
    for prefs, cnt in groups.items():
        if not prefs or not cnt:
            continue
        kept = tuple(c for c in prefs if c != write_in)
        ballots[kept] = ballots.get(kept, 0) + cnt
    return standing, list(ballots.items())


def _run(result: CrossCheck, call: Callable[[], list[str]]) -> None:
    """Call a witness, never letting what it does escape: its warnings are silenced, an
    exception is recorded as its error."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result.theirs = call()
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _tie_reasons(report: Report, how: str) -> list[str]:
    return [f"{t.describe()} ({how})" for t in report.ties]


# --- pyrankvote ------------------------------------------------------------------------------


def _pyrankvote_differences(report: Report) -> list[str]:
    reasons = _tie_reasons(report, "pyrankvote breaks ties by later preferences, then at random")
    rules = report.rules
    if report.method == CountMethod.IRV:
        if not rules.batch_elimination:
            reasons.append(
                "pyrankvote eliminates at once every lowest candidate whose combined votes are "
                "at most (not strictly below) the next candidate's"
            )
        reasons.append("pyrankvote elects with half of the continuing votes, rounded up")
        return reasons
    if report.method in (CountMethod.SCOTTISH, CountMethod.MEEK):
        reasons.append(f"pyrankvote has no {report.method} method; its STV was used")
    reasons.append(
        "pyrankvote's STV quota is votes/(seats+1) reached at equality, shares each surplus "
        "equally among the ballots whatever their current value, and eliminates in batches"
    )
    if rules.effective_decimals is not None:
        reasons.append("pyrankvote counts in floating point, without truncation")
    if rules.one_winner_per_round:
        reasons.append("pyrankvote elects everyone who reaches its quota in a round")
    if rules.fractional_threshold or rules.quota != CountQuota.DROOP:
        reasons.append("pyrankvote has only its own quota")
    return reasons


def cross_check_pyrankvote(
    candidates: Sequence[str], groups: dict[tuple[int, ...], int], report: Report
) -> CrossCheck:
    """Count ``groups`` with pyrankvote's instant runoff or STV."""
    return _witnessed(PYRANKVOTE, _pyrankvote, candidates, groups, report)


def _pyrankvote(
    candidates: Sequence[str],
    groups: dict[tuple[int, ...], int],
    report: Report,
    result: CrossCheck,
) -> None:
    if report.method == CountMethod.SCHULZE:
        result.not_checked = "pyrankvote has no Condorcet method; there is nothing to compare"
        return
    if _has_overvotes(groups, len(candidates)):
        result.not_checked = "pyrankvote cannot express --overvote exhaust_if_multiple"
        return
    try:
        import pyrankvote
        from pyrankvote import Ballot, Candidate
    except ImportError:
        result.not_checked = "pyrankvote is not installed"
        return
    result.version = getattr(pyrankvote, "__version__", None) or _version("pyrankvote")
    standing, ballots = _ballots_for_witness(candidates, groups, report.rules)
    people = {c: Candidate(candidates[c]) for c in standing}
    entries = []
    for prefs, cnt in ballots:
        ballot = Ballot(ranked_candidates=[people[c] for c in prefs])
        entries.extend([ballot] * cnt)
    field_ = list(people.values())

    def count() -> list[str]:
        if report.method == CountMethod.IRV:
            outcome = pyrankvote.instant_runoff_voting(field_, entries)
        else:
            outcome = pyrankvote.single_transferable_vote(
                field_, entries, number_of_seats=report.seats
            )
        return [c.name for c in outcome.get_winners()]

    state = random.getstate()
    try:
        random.seed(_SEED)
        _run(result, count)
    finally:
        random.setstate(state)
    if result.theirs is not None:
        result.agree = sorted(result.theirs) == sorted(report.winners)
        if not result.agree:
            result.reasons = _pyrankvote_differences(report)


# --- pref-voting -----------------------------------------------------------------------------


def _pref_voting_cannot(report: Report, overvotes: bool) -> list[str]:
    """The rules of this count pref-voting cannot express (as the tally options say them)."""
    rules = report.rules
    cannot = []
    if overvotes:
        cannot.append("--overvote exhaust_if_multiple")
    if (
        report.method in (CountMethod.STV, CountMethod.SCOTTISH, CountMethod.MEEK)
        and rules.batch_elimination
    ):
        cannot.append("--batch-elimination with STV")
    if report.method == CountMethod.STV:
        if rules.quota == CountQuota.HARE:
            cannot.append("--quota hare")
        if rules.decimals is not None:
            cannot.append(f"--decimals {rules.decimals}")
        if rules.fractional_threshold:
            cannot.append("--fractional-threshold with STV")
        if rules.one_winner_per_round:
            cannot.append("--one-winner-per-round")
    if report.method == CountMethod.MEEK and rules.decimals not in (None, 9):
        cannot.append(f"--decimals {rules.decimals} with Meek's method")
    return cannot


def _pref_voting_differences(report: Report) -> list[str]:
    rules = report.rules
    if report.method == CountMethod.SCOTTISH:
        how = "pref-voting settles it by earlier stages, then by its own lot"
    elif rules.tie_break == TieBreak.LOT:
        how = "pref-voting settles it by the same lot"
    else:
        how = "pref-voting settles it by the lot alone, without looking back"
    reasons = _tie_reasons(report, how)
    if report.method in (CountMethod.STV, CountMethod.SCOTTISH):
        reasons.append(
            "pref-voting transfers every surplus of the candidates elected in a stage before "
            "electing again, and counts in floating point"
        )
    if report.method == CountMethod.MEEK:
        reasons.append(
            "pref-voting's Meek counts in floating point to within 1e-10; ours to "
            f"{rules.effective_decimals} decimal places, surpluses to within 0.00001"
        )
    if report.valid_votes == 0:
        reasons.append("there are no valid votes: every candidate is tied")
    return reasons


def cross_check_pref_voting(
    candidates: Sequence[str], groups: dict[tuple[int, ...], int], report: Report
) -> CrossCheck:
    """Count ``groups`` with pref-voting's method for ours (winners only)."""
    return _witnessed(PREF_VOTING, _pref_voting, candidates, groups, report)


Witness = Callable[[Sequence[str], dict[tuple[int, ...], int], Report, CrossCheck], None]


def _witnessed(
    tool: str,
    witness: Witness,
    candidates: Sequence[str],
    groups: dict[tuple[int, ...], int],
    report: Report,
) -> CrossCheck:
    """What `witness` makes of the count: its winners, why it could not count, or its own
    error. A cross-check never fails the count."""
    result = CrossCheck(tool=tool, ours=list(report.winners))
    try:
        witness(candidates, groups, report, result)
    except Exception as exc:  # any error of a third party's code is reported, not raised
        result.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return result


def _pref_voting(
    candidates: Sequence[str],
    groups: dict[tuple[int, ...], int],
    report: Report,
    result: CrossCheck,
) -> None:
    cannot = _pref_voting_cannot(report, _has_overvotes(groups, len(candidates)))
    if cannot:
        result.not_checked = "pref-voting cannot express " + " or ".join(cannot)
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pref_voting.iterative_methods import instant_runoff_tb
            from pref_voting.margin_based_methods import beat_path
            from pref_voting.profiles_with_ties import ProfileWithTies
            from pref_voting.proportional_methods import (
                stv_meek,
                stv_nb,
                stv_scottish,
                stv_wig,
            )
    except ImportError:
        result.not_checked = "pref-voting is not installed"
        return
    result.version = _version("pref_voting")
    rules = report.rules
    standing, ballots = _ballots_for_witness(candidates, groups, rules)
    if report.method == CountMethod.MEEK:
        # Its quota is (votes - excess)/(seats+1) and an empty ranking is neither: what
        # exhausts at once is left out of both, as in ours.
        ballots = [(prefs, cnt) for prefs, cnt in ballots if prefs]
    lot = [list(candidates).index(name) for name in rules.lot(candidates)]
    lot = [c for c in lot if c in standing]
    position = {c: i for i, c in enumerate(lot)}
    seats = report.seats
    method = report.method

    def count() -> list[int]:
        profile = ProfileWithTies(
            [{c: rank for rank, c in enumerate(prefs, start=1)} for prefs, _ in ballots],
            [cnt for _, cnt in ballots],
            candidates=standing,
        )
        key = position.__getitem__
        if method == CountMethod.IRV:
            # tie_breaker[0] is eliminated first: the end of our lot.
            return list(instant_runoff_tb(profile, tie_breaker=lot[::-1]))
        if method == CountMethod.SCHULZE:
            profile.use_extended_strict_preference()
            return list(beat_path(profile, strength_function=profile.support))
        if method == CountMethod.SCOTTISH:
            lots = random.Random(_SEED)  # noqa: S311 - a repeatable lot, not a secret
            return list(stv_scottish(profile, num_seats=seats, rng=lots))
        if method == CountMethod.MEEK:
            return list(stv_meek(profile, num_seats=seats, tie_break_key=key))
        if rules.quota == CountQuota.DROOP_EXACT:
            return list(
                stv_nb(
                    profile,
                    num_seats=seats,
                    quota_rule="nb",
                    mann_strict=True,
                    drain_all=True,
                    tie_break_key=key,
                )
            )
        return list(stv_wig(profile, num_seats=seats, quota_rule="droop", tie_break_key=key))

    _run(result, lambda: [candidates[c] for c in count()])
    theirs = result.theirs
    if theirs is None:
        return
    ours = report.winners
    if method == CountMethod.SCHULZE and len(theirs) > 1 and ours and ours[0] in theirs:
        # Schulze may leave several candidates unbeaten: ours broke that tie by the lot.
        result.agree = True
        result.reasons = [
            f"pref-voting finds {', '.join(theirs)} unbeaten; our lot placed {ours[0]} first"
        ]
        return
    result.agree = sorted(theirs) == sorted(ours)
    if not result.agree:
        result.reasons = _pref_voting_differences(report)


def _version(distribution: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None
