"""Differential and invariance properties of the counting engine."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from deliberate.voting.counting import Rules, count, count_grouped
from deliberate.voting.counting.crosscheck import cross_check_pyrankvote

NAMES = ["Ana", "Ben", "Chloé", "Dev", "Eli"]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def elections(draw, max_candidates=5):
    n = draw(st.integers(min_value=2, max_value=max_candidates))
    names = NAMES[:n]
    ballots = []
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        order = draw(st.permutations(names))
        length = draw(st.integers(min_value=1, max_value=n))
        ballots.append((list(order[:length]), draw(st.integers(min_value=1, max_value=15))))
    return names, ballots


def expanded(ballots):
    return [(b, 1) for b, n in ballots for _ in range(n)]


@SETTINGS
@given(elections())
def test_irv_winner_equals_pyrankvote_when_no_ties(election):
    names, ballots = election
    report = count(names, ballots, Rules(method="irv"))
    assume(not report.ties)
    groups = {tuple(names.index(x) for x in b): 0 for b, _ in ballots}
    for b, n in ballots:
        groups[tuple(names.index(x) for x in b)] += n
    state = random.getstate()
    check = cross_check_pyrankvote(names, groups, report)
    assert random.getstate() == state
    assert check.error is None
    assert check.theirs == report.winners


@SETTINGS
@given(elections(), st.integers(min_value=1, max_value=3), st.randoms(use_true_random=False))
def test_wigm_invariant_to_ballot_order_and_grouping(election, seats, rnd):
    names, ballots = election
    for decimals in (None, 4):
        rules = Rules(method="stv", seats=seats, decimals=decimals)
        grouped = count(names, ballots, rules).as_dict()
        single = expanded(ballots)
        rnd.shuffle(single)
        assert count(names, single, rules).as_dict() == grouped


@SETTINGS
@given(elections(), st.integers(min_value=1, max_value=3), st.randoms(use_true_random=False))
def test_exact_stv_same_set_whatever_the_group_order(election, seats, rnd):
    names, ballots = election
    groups: dict[tuple[int, ...], int] = {}
    for b, n in ballots:
        key = tuple(names.index(x) for x in b)
        groups[key] = groups.get(key, 0) + n
    items = list(groups.items())
    rules = Rules(method="stv", seats=seats)
    first = count_grouped(names, dict(items), rules)
    rnd.shuffle(items)
    second = count_grouped(names, dict(items), rules)
    assert set(first.winners) == set(second.winners)
    assert [r.tally for r in first.rounds] == [r.tally for r in second.rounds]


@SETTINGS
@given(elections(), st.integers(min_value=1, max_value=4))
def test_stv_fills_the_seats_it_can(election, seats):
    names, ballots = election
    for method in ("stv", "scottish", "meek"):
        report = count(names, ballots, Rules(method=method, seats=seats))
        assert len(report.winners) == min(seats, len(names))
        assert len(set(report.winners)) == len(report.winners)
        # Votes are conserved: what every candidate holds + exhausted + lost = valid votes.
        assert report.rounds
        for r in report.rounds:
            held = sum((r.votes if r.votes is not None else r.tally).values())
            assert r.exhausted >= 0
            assert held + r.exhausted + r.lost == report.valid_votes, (method, r.number)


@SETTINGS
@given(elections())
def test_counting_twice_gives_the_same_report(election):
    names, ballots = election
    for rules in (Rules(), Rules(method="stv", seats=2, batch_elimination=True)):
        assert count(names, ballots, rules).to_json() == count(names, ballots, rules).to_json()
