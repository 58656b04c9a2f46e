"""Condorcet–Schulze: the pairwise matrix, the strongest paths, one winner and a full ranking.

``d[X][Y]`` is the number of voters who rank X above Y. A ballot ranks every candidate it
names above every candidate it leaves out; the candidates it leaves out are equal to each
other on it. The direct link from X to Y has strength ``d[X][Y]`` when ``d[X][Y] > d[Y][X]``
("winning votes") and none otherwise; ``p[X][Y]`` is the strength of the strongest path from
X to Y, a path being as strong as its weakest link (Schulze 2011). X is ranked
above Y when ``p[X][Y] > p[Y][X]``; that relation is transitive, so the ranking is built in
layers: the candidates no remaining candidate beats take the next places together, then the
next layer, and so on. Candidates of one layer are tied: the lot orders them (nearer the
front of the tie order: placed higher), and every such tie is reported, with ``round`` the
place being decided (1 for the winner).

Work: O(distinct ballots × candidates²) for the matrix, O(candidates³) for the paths.
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import Report, Rules
from .ties import TieBreaker


def pairwise(groups: dict[tuple[int, ...], int], n: int, skip: frozenset[int]) -> list[list[int]]:
    """``d[x][y]``: the voters ranking candidate ``x`` above ``y``; the rows and columns of
    ``skip`` (excluded candidates) are zero."""
    # before[x][y]: voters naming both, x first. A voter who names x ranks it above y unless
    # they name y before x, so d[x][y] = named[x] - before[y][x].
    before = [[0] * n for _ in range(n)]
    named = [0] * n
    for prefs, cnt in groups.items():
        if not cnt:
            continue
        for k, x in enumerate(prefs):
            named[x] += cnt
            row = before[x]
            for y in prefs[k + 1 :]:
                row[y] += cnt
    d = [[0] * n for _ in range(n)]
    for x in range(n):
        if x in skip:
            continue
        row = d[x]
        for y in range(n):
            if y != x and y not in skip:
                row[y] = named[x] - before[y][x]
    return d


def strongest_paths(d: Sequence[Sequence[int]], live: Sequence[int]) -> list[list[int]]:
    """``p[x][y]``: the strength of the strongest path from ``x`` to ``y`` among ``live``."""
    n = len(d)
    p = [[0] * n for _ in range(n)]
    for x in live:
        for y in live:
            if x != y and d[x][y] > d[y][x]:
                p[x][y] = d[x][y]
    for k in live:
        pk = p[k]
        for x in live:
            if x == k:
                continue
            px = p[x]
            pxk = px[k]
            if not pxk:
                continue
            for y in live:
                if y in (x, k):
                    continue
                via = pxk if pxk < pk[y] else pk[y]
                if via > px[y]:
                    px[y] = via
    return p


class SchulzeCount:
    """One count by Schulze's method."""

    def __init__(
        self,
        names: Sequence[str],
        groups: dict[tuple[int, ...], int],
        rules: Rules,
        tiebreaker: TieBreaker,
        excluded: frozenset[int] = frozenset(),
    ) -> None:
        self.names = list(names)
        self.groups = groups
        self.rules = rules
        self.tb = tiebreaker
        self.excluded = excluded

    def run(self) -> Report:
        names, n = self.names, len(self.names)
        live = [c for c in range(n) if c not in self.excluded]
        d = pairwise(self.groups, n, self.excluded)
        p = strongest_paths(d, live)
        ranking: list[int] = []
        remaining = list(live)
        while remaining:
            # The candidates nobody left beats share the next places; the lot orders them.
            layer = [x for x in remaining if all(p[x][y] >= p[y][x] for y in remaining if y != x)]
            while layer:
                chosen = self.tb.pick(
                    layer,
                    lowest=False,
                    round_no=len(ranking) + 1,
                    purpose="election" if not ranking else "ranking",
                )
                ranking.append(chosen)
                layer.remove(chosen)
                remaining.remove(chosen)
        blank = sum(c for prefs, c in self.groups.items() if not prefs)
        valid = sum(c for prefs, c in self.groups.items() if prefs)
        return Report(
            method="schulze",
            seats=1,
            candidates=list(names),
            rules=self.rules,
            valid_votes=valid,
            blank_ballots=blank,
            quota=None,
            winners=[names[ranking[0]]] if ranking else [],
            ties=list(self.tb.ties),
            ranking=[names[c] for c in ranking],
            pairwise={names[x]: {names[y]: d[x][y] for y in live if y != x} for x in live},
            strongest_paths={names[x]: {names[y]: p[x][y] for y in live if y != x} for x in live},
        )
