"""Benchmark of the counting engine against pyrankvote on the same ballots.

10 candidates; voters belong to four tendencies, each with its own order of preference, and
rank a few candidates close to that order (a few swaps, and most voters stop after two to
five ranks). Ballots are generated with a fixed seed. Our engine is timed from the in-memory
list of ballots (grouping included); pyrankvote from its own ballot objects (building them is
not timed; identical ballots share one object, which only helps it). Both run at 100k and at
1M ballots; set PYRANKVOTE_MAX below to skip pyrankvote on the larger run. Schulze runs too;
pyrankvote has no Condorcet method, so it has no ratio.

The worst case follows: 1M uniformly random full rankings of the 10 candidates (almost every
ballot different, so grouping saves nothing), counted by every method; the ratio to
pyrankvote is given where it has the method (IRV, and its STV for ours).

Run: python bench/bench_counting.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deliberate.voting.counting import Rules, count

SEED = 2024
CANDIDATES = [f"C{i:02d}" for i in range(10)]
TENDENCY_SHARES = [0.35, 0.3, 0.2, 0.15]
PYRANKVOTE_MAX = 1_000_000  # largest run on which pyrankvote is timed too
WORST_CASE = 1_000_000  # uniformly random full rankings
LENGTH_WEIGHTS = [10, 25, 25, 18, 10, 5, 3, 2, 1, 1]  # ballots ranking 1, 2, … 10 names


def make_ballots(n: int, seed: int = SEED) -> list[tuple[tuple[str, ...], int]]:
    rnd = random.Random(seed)
    bases = []
    for _ in TENDENCY_SHARES:
        order = CANDIDATES[:]
        rnd.shuffle(order)
        bases.append(order)
    lengths = rnd.choices(range(1, 11), LENGTH_WEIGHTS, k=n)
    tendencies = rnd.choices(range(len(bases)), TENDENCY_SHARES, k=n)
    swaps = rnd.choices(range(4), [40, 35, 18, 7], k=n)
    positions = [rnd.randrange(9) for _ in range(3 * n)]
    ballots = []
    for i in range(n):
        order = bases[tendencies[i]][:]
        for s in range(swaps[i]):
            j = positions[3 * i + s]
            order[j], order[j + 1] = order[j + 1], order[j]
        ballots.append((tuple(order[: lengths[i]]), 1))
    return ballots


def random_full_rankings(n: int, seed: int = SEED) -> list[tuple[tuple[str, ...], int]]:
    rnd = random.Random(seed)
    ballots = []
    for _ in range(n):
        order = CANDIDATES[:]
        rnd.shuffle(order)
        ballots.append((tuple(order), 1))
    return ballots


def time_ours(ballots, rules: Rules) -> tuple[float, list[str]]:
    start = time.perf_counter()
    report = count(CANDIDATES, ballots, rules)
    return time.perf_counter() - start, report.winners


def time_pyrankvote(ballots, method: str, seats: int) -> tuple[float, list[str]] | None:
    if method not in ("irv", "stv"):
        return None  # pyrankvote has no Scottish, Meek or Condorcet method
    try:
        import pyrankvote
    except ImportError:
        return None
    people = {name: pyrankvote.Candidate(name) for name in CANDIDATES}
    shared: dict[tuple[str, ...], pyrankvote.Ballot] = {}
    theirs = []
    for prefs, _ in ballots:
        b = shared.get(prefs)
        if b is None:
            b = shared[prefs] = pyrankvote.Ballot([people[x] for x in prefs])
        theirs.append(b)
    state = random.getstate()
    random.seed(SEED)
    try:
        start = time.perf_counter()
        if method == "irv":
            result = pyrankvote.instant_runoff_voting(list(people.values()), theirs)
        else:
            result = pyrankvote.single_transferable_vote(
                list(people.values()), theirs, number_of_seats=seats
            )
        elapsed = time.perf_counter() - start
    finally:
        random.setstate(state)
    return elapsed, [c.name for c in result.get_winners()]


def main() -> None:
    print("Counting benchmark: 10 candidates, partial rankings, seed", SEED)
    print(
        f"{'ballots':>9}  {'method':<10} {'distinct':>8}  {'ours s':>8}  "
        f"{'pyrankvote s':>12}  {'pyrankvote/ours':>15}  winners agree"
    )
    cases = [
        ("irv", Rules(method="irv")),
        ("stv 3", Rules(method="stv", seats=3)),
        ("schulze", Rules(method="schulze")),
    ]
    ours_times: dict[tuple[int, str], float] = {}
    for n in (100_000, 1_000_000):
        start = time.perf_counter()
        ballots = make_ballots(n)
        made = time.perf_counter() - start
        distinct = len({b for b, _ in ballots})
        for label, rules in cases:
            ours, winners = time_ours(ballots, rules)
            ours_times[(n, label)] = ours
            other = None
            if n <= PYRANKVOTE_MAX:
                other = time_pyrankvote(ballots, rules.method, rules.seats)
            if other is None:
                their_text = "no method" if rules.method == "schulze" else "not run"
                ratio_text, agree = "-", "-"
            else:
                their_text = f"{other[0]:.3f}"
                ratio_text = f"{other[0] / ours:.1f}x"
                agree = "yes" if sorted(other[1]) == sorted(winners) else "no"
            print(
                f"{n:>9}  {label:<10} {distinct:>8}  {ours:>8.3f}  {their_text:>12}  "
                f"{ratio_text:>15}  {agree}"
            )
        print(f"{'':>9}  (generating {n} ballots took {made:.2f} s, not counted)")
    for label, _ in cases:
        ratio = ours_times[(1_000_000, label)] / ours_times[(100_000, label)]
        print(f"{label}: our time at 1M / our time at 100k = {ratio:.1f} (linear: 10)")
    if PYRANKVOTE_MAX < 1_000_000:
        print(f"pyrankvote was timed up to {PYRANKVOTE_MAX} ballots only.")
    worst_case()


def worst_case() -> None:
    print()
    print(f"Worst case: {WORST_CASE} uniformly random full rankings of 10 candidates")
    start = time.perf_counter()
    ballots = random_full_rankings(WORST_CASE)
    made = time.perf_counter() - start
    distinct = len({b for b, _ in ballots})
    print(
        f"{'method':<12} {'distinct':>8}  {'ours s':>8}  {'pyrankvote s':>12}  {'ratio':>6}  agree"
    )
    for label, rules in [
        ("irv", Rules(method="irv")),
        ("stv 3", Rules(method="stv", seats=3)),
        ("scottish 3", Rules(method="scottish", seats=3)),
        ("meek 3", Rules(method="meek", seats=3)),
        ("schulze", Rules(method="schulze")),
    ]:
        ours, winners = time_ours(ballots, rules)
        other = time_pyrankvote(ballots, rules.method, rules.seats)
        if other is None:
            their_text, ratio_text, agree = "no method", "-", "-"
        else:
            their_text = f"{other[0]:.3f}"
            ratio_text = f"{other[0] / ours:.2f}x"
            agree = "yes" if sorted(other[1]) == sorted(winners) else "no"
        print(
            f"{label:<12} {distinct:>8}  {ours:>8.3f}  {their_text:>12}  {ratio_text:>6}  {agree}"
        )
    print(f"(generating the ballots took {made:.2f} s, not counted; ratio = pyrankvote / ours)")


if __name__ == "__main__":
    main()
