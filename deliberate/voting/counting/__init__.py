"""Counting ranked ballots: instant-runoff voting, the single transferable vote, Schulze.

Pure Python, exact and deterministic. The one entry point is :func:`count`::

    from deliberate.voting.counting import Rules, count

    report = count(
        ["Ana", "Ben", "Chloé"],
        [(["Ana", "Ben"], 40), (["Ben"], 35), ([["Chloé"], [], ["Ana"]], 25)],
        Rules(method="irv"),
    )
    report.winners        # ['Ana']
    report.to_json()      # the full round-by-round record

Each ballot is a sequence of rank positions with a count. A position is a candidate name, or
a sequence of names: none (a skipped rank), one, or several (an overvote). The ballot rules in
:class:`Rules` say what overvotes, skipped ranks and repeated names do (see
:mod:`deliberate.voting.counting.ballots`). The same ballots and rules always give the same
report: arithmetic is exact (or truncated exactly as the rules say) and every tie is broken by
earlier rounds, then by the lot in ``Rules.tie_order`` (or by the lot alone, as
``Rules.tie_break`` says), and recorded in ``Report.ties``. Schulze's method
(:mod:`.schulze`) reports a pairwise matrix, strongest paths and a ranking instead of rounds.

The words the engine shares with a vote (tie-break rules, majority thresholds and choices,
consensus positions and block rules) are :mod:`deliberate.voting.vocabulary`'s, the one pure
module the engine imports from outside itself; its own options (:class:`CountMethod`,
:class:`CountQuota`, overvote and duplicate rules) are in :mod:`.model`.

Votes that are not ranked have their own modules: :mod:`.majority` (yes/no/abstain against a
threshold) and :mod:`.consensus` (agree, reservations, stand aside, block); both check the
quorum as :mod:`.quorum` defines it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from .ballots import RawBallot, group_ballots
from .meek import MeekCount
from .model import (
    BallotError,
    CountMethod,
    CountQuota,
    Report,
    Round,
    Rules,
    RulesError,
    Tie,
    Transfer,
)
from .schulze import SchulzeCount
from .stv import WigmCount
from .ties import TieBreaker

__all__ = [
    "BallotError",
    "CountMethod",
    "CountQuota",
    "Report",
    "Round",
    "Rules",
    "RulesError",
    "Tie",
    "Transfer",
    "count",
    "count_grouped",
]


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while counting: the engine makes no reference cycles,
    and the collector would otherwise rescan the millions of ballot tuples it holds each time
    it runs (on a million different ballots this halves the time of a count)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_candidates(candidates: Sequence[str]) -> list[str]:
    """The candidate list, checked: non-empty distinct names."""
    names = list(candidates)
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise RulesError(f"candidate name {name!r} is empty or not text")
    if len(set(names)) != len(names):
        raise RulesError("a candidate is declared twice")
    return names


def count(
    candidates: Sequence[str],
    ballots: Iterable[tuple[RawBallot, int]],
    rules: Rules | None = None,
) -> Report:
    """Count ``ballots`` for ``candidates`` (in their declared order) under ``rules``.

    ``ballots`` yields ``(ballot, count)`` pairs. Raises :class:`RulesError` for unusable
    rules (for example a tie order naming an unknown candidate) and :class:`BallotError` for a
    ballot naming someone who is not a candidate or with a negative count.
    """
    rules = rules or Rules()
    names = check_candidates(candidates)
    rules.lot(names)
    rules.check_names(names)
    with _without_cycle_collection():
        groups = group_ballots(ballots, names, rules)
        return count_grouped(names, groups, rules)


def count_grouped(
    candidates: Sequence[str], groups: dict[tuple[int, ...], int], rules: Rules
) -> Report:
    """Count ballots already normalised and grouped: clean preference tuples of candidate
    indices (into ``candidates``) mapped to their counts."""
    names = check_candidates(candidates)
    rules.check_names(names)
    tiebreaker = TieBreaker(names, rules.lot(names), rules.tie_break)
    excluded = frozenset(names.index(name) for name in rules.excluded)
    with _without_cycle_collection():
        if rules.method == CountMethod.SCHULZE:
            return SchulzeCount(names, groups, rules, tiebreaker, excluded).run()
        if rules.method == CountMethod.MEEK:
            return MeekCount(names, groups, rules, tiebreaker, excluded).run()
        return WigmCount(names, groups, rules, tiebreaker, excluded).run()
