"""Condorcet–Schulze on the published examples, and the Condorcet property."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deliberate.voting.counting import Rules, RulesError, count


def run(ballots: list[tuple[str, int]], candidates: str = "", **rules):
    names = list(candidates) or sorted({c for text, _ in ballots for c in text})
    return count(names, [(list(text), n) for text, n in ballots], Rules(method="schulze", **rules))


def test_wikipedia_45_voters():
    """Source: Wikipedia, "Schulze method", section "Example": 45 voters, 5 candidates.

    The pairwise matrix and the strongest paths below are the article's tables; the ranking
    is E > A > C > B > D.
    """
    report = run(
        [
            ("ACBED", 5),
            ("ADECB", 5),
            ("BEDAC", 8),
            ("CABED", 3),
            ("CAEBD", 7),
            ("CBADE", 2),
            ("DCEBA", 7),
            ("EBADC", 8),
        ]
    )
    assert report.pairwise == {
        "A": {"B": 20, "C": 26, "D": 30, "E": 22},
        "B": {"A": 25, "C": 16, "D": 33, "E": 18},
        "C": {"A": 19, "B": 29, "D": 17, "E": 24},
        "D": {"A": 15, "B": 12, "C": 28, "E": 14},
        "E": {"A": 23, "B": 27, "C": 21, "D": 31},
    }
    assert report.strongest_paths == {
        "A": {"B": 28, "C": 28, "D": 30, "E": 24},
        "B": {"A": 25, "C": 28, "D": 33, "E": 24},
        "C": {"A": 25, "B": 29, "D": 29, "E": 24},
        "D": {"A": 25, "B": 28, "C": 28, "E": 24},
        "E": {"A": 25, "B": 28, "C": 28, "D": 31},
    }
    assert report.ranking == ["E", "A", "C", "B", "D"]
    assert report.winners == ["E"]
    assert report.ties == []
    assert report.valid_votes == 45


def test_schulze_paper_example_30_voters():
    """Source: M. Schulze, "A new monotonic, clone-independent, reversal symmetric, and
    Condorcet-consistent single-winner election method", Social Choice and Welfare 36
    (2011), one of its worked examples: 30 voters, 4 candidates; D > A > C > B."""
    report = run(
        [
            ("ACBD", 5),
            ("ACDB", 2),
            ("ADCB", 3),
            ("BACD", 4),
            ("CBDA", 3),
            ("CDBA", 3),
            ("DACB", 1),
            ("DBAC", 5),
            ("DCBA", 4),
        ]
    )
    assert report.ranking == ["D", "A", "C", "B"]
    assert report.winners == ["D"]
    # By hand: A over C is 5+2+3+4+1+5 = 20 of 30; D over A is 3+3+1+5+4 = 16, A over D 14.
    assert report.pairwise["A"]["C"] == 20
    assert report.pairwise["D"]["A"] == 16
    assert report.pairwise["A"]["D"] == 14


def test_schulze_paper_example_9_groups():
    """Source: as above, another worked example: 30 voters, 5 candidates; B > A > D > E > C."""
    report = run(
        [
            ("ABDEC", 3),
            ("ADEBC", 5),
            ("ADECB", 1),
            ("BADEC", 2),
            ("BDECA", 2),
            ("CABDE", 4),
            ("CBADE", 6),
            ("DBECA", 2),
            ("DECAB", 5),
        ]
    )
    assert report.ranking == ["B", "A", "D", "E", "C"]
    assert report.winners == ["B"]


def test_schulze_paper_example_with_ties_settled_by_the_lot():
    """Source: as above, the worked example with ties: 9 voters; B and D share the first
    places and A and C the last two. The lot orders each pair, and each tie is reported."""
    ballots = [("ABCD", 3), ("DABC", 2), ("DBCA", 2), ("CBDA", 2)]
    report = run(ballots)
    # Lot = the candidate order A, B, C, D: B before D, A before C.
    assert report.ranking == ["B", "D", "A", "C"]
    assert [(t.round, t.purpose, t.candidates, t.chosen, t.method) for t in report.ties] == [
        (1, "election", ["B", "D"], "B", "lot"),
        (3, "ranking", ["A", "C"], "A", "lot"),
    ]
    other = run(ballots, tie_order=("D", "C", "B", "A"))
    assert other.ranking == ["D", "B", "C", "A"]
    assert other.winners == ["D"]
    assert "place 3: tie between A, C; C placed higher, by lot" in other.ties[1].describe()


def test_partial_ballots_rank_named_candidates_above_the_others():
    # 3 voters name only A; 2 rank B then C. A over B: 3; B over A: 2; B over C: 2; C over B: 0;
    # A over C: 3; C over A: 2.
    report = run([("A", 3), ("BC", 2)], candidates="ABC")
    assert report.pairwise == {
        "A": {"B": 3, "C": 3},
        "B": {"A": 2, "C": 2},
        "C": {"A": 2, "B": 0},
    }
    assert report.ranking == ["A", "B", "C"]


def test_json_report_carries_matrix_paths_and_ranking():
    report = run([("AB", 2), ("BA", 1)])
    data = json.loads(report.to_json())
    assert data["method"] == "schulze"
    assert data["rounds"] == []
    assert data["ranking"] == ["A", "B"]
    assert data["pairwise"] == {"A": {"B": 2}, "B": {"A": 1}}
    assert data["strongest_paths"] == {"A": {"B": 2}, "B": {"A": 0}}
    assert data["winners"] == ["A"]


def test_excluded_candidates_are_left_out_of_the_matrix():
    report = run([("CAB", 3), ("BA", 2)], candidates="ABC", excluded=("C",))
    assert report.pairwise == {"A": {"B": 3}, "B": {"A": 2}}
    assert report.ranking == ["A", "B"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"seats": 2},
        {"decimals": 3},
        {"batch_elimination": True},
        {"overvote": "exhaust_if_multiple"},
    ],
)
def test_schulze_refuses_rules_that_do_not_apply(kwargs):
    with pytest.raises(RulesError):
        Rules(method="schulze", **kwargs)


@st.composite
def elections(draw):
    n = draw(st.integers(min_value=2, max_value=5))
    names = [chr(ord("A") + i) for i in range(n)]
    ballots = draw(
        st.lists(
            st.tuples(
                st.permutations(names).flatmap(
                    lambda p: st.integers(min_value=0, max_value=len(p)).map(lambda k: p[:k])
                ),
                st.integers(min_value=1, max_value=9),
            ),
            min_size=1,
            max_size=12,
        )
    )
    return names, ballots


@settings(max_examples=300, deadline=None)
@given(elections())
def test_a_condorcet_winner_always_wins(election):
    names, ballots = election
    report = count(names, ballots, Rules(method="schulze"))
    d = report.pairwise
    assert d is not None
    condorcet = [x for x in names if all(d[x][y] > d[y][x] for y in names if y != x)]
    if condorcet:
        assert report.winners == condorcet
        assert report.ranking is not None
        assert report.ranking[0] == condorcet[0]
    # Whatever the ballots, the ranking places every candidate once.
    assert sorted(report.ranking or []) == names
