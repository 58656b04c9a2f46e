"""Published example elections, with the round figures as published.

Each figure below was also checked by hand (computations in the comments).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from deliberate.voting.counting import Rules, count


def test_wikipedia_stv_food_election():
    """Source: Wikipedia, "Single transferable vote", section "Example"
    (https://en.wikipedia.org/wiki/Single_transferable_vote#Example).

    20 voters choose 3 foods; Droop quota floor(20/4)+1 = 6.
    Round 1: Oranges 4, Pears 2, Chocolate 12, Strawberries 1, Hamburgers 1: Chocolate
    elected with a surplus of 6; each of its 12 ballots goes on at 6/12 = 1/2: 8 to
    Strawberries (+4), 4 to Hamburgers (+2).
    Round 2: Oranges 4, Pears 2, Strawberries 5, Hamburgers 3: Pears eliminated, +2 Oranges.
    Round 3: Oranges 6: elected (no surplus).
    Round 4: Strawberries 5, Hamburgers 3: Hamburgers eliminated (3 exhaust).
    Round 5: Strawberries, the only one left for the last seat, is elected.
    """
    candidates = ["Oranges", "Pears", "Chocolate", "Strawberries", "Hamburgers"]
    ballots = [
        (["Oranges"], 4),
        (["Pears", "Oranges"], 2),
        (["Chocolate", "Strawberries"], 8),
        (["Chocolate", "Hamburgers"], 4),
        (["Strawberries"], 1),
        (["Hamburgers"], 1),
    ]
    for method in ("stv", "scottish"):
        report = count(candidates, ballots, Rules(method=method, seats=3))
        assert report.quota == 6
        assert [r.tally for r in report.rounds] == [
            {"Oranges": 4, "Pears": 2, "Chocolate": 12, "Strawberries": 1, "Hamburgers": 1},
            {"Oranges": 4, "Pears": 2, "Strawberries": 5, "Hamburgers": 3},
            {"Oranges": 6, "Strawberries": 5, "Hamburgers": 3},
            {"Strawberries": 5, "Hamburgers": 3},
            {"Strawberries": 5},
        ]
        surplus = report.rounds[0].transfers[0]
        assert surplus.value == Fraction(1, 2)
        assert surplus.to == {"Strawberries": 4, "Hamburgers": 2}
        assert [r.eliminated for r in report.rounds] == [[], ["Pears"], [], ["Hamburgers"], []]
        assert report.winners == ["Chocolate", "Oranges", "Strawberries"]
        assert report.ties == []
    # Meek's quota is 20/4 (+1e-9), so Chocolate keeps only about 5/12 of each ballot and
    # Strawberries reaches 1 + 8 × 7/12 ≈ 5.67 in round 2, before Oranges (6 after Pears).
    meek = count(candidates, ballots, Rules(method="meek", seats=3))
    assert meek.winners == ["Chocolate", "Strawberries", "Oranges"]


def test_wikipedia_irv_tennessee_capital():
    """Source: Wikipedia, "Instant-runoff voting", the Tennessee capital example
    (https://en.wikipedia.org/wiki/Instant-runoff_voting).

    100 voters (threshold 51): Memphis 42, Nashville 26, Chattanooga 15, Knoxville 17.
    Chattanooga is eliminated, its 15 go to Knoxville (32); Nashville (26) is eliminated,
    its 26 pass over Chattanooga to Knoxville (58), which wins against Memphis (42).
    """
    candidates = ["Memphis", "Nashville", "Chattanooga", "Knoxville"]
    ballots = [
        (["Memphis", "Nashville", "Chattanooga", "Knoxville"], 42),
        (["Nashville", "Chattanooga", "Knoxville", "Memphis"], 26),
        (["Chattanooga", "Knoxville", "Nashville", "Memphis"], 15),
        (["Knoxville", "Chattanooga", "Nashville", "Memphis"], 17),
    ]
    report = count(candidates, ballots, Rules(method="irv"))
    assert [r.tally for r in report.rounds] == [
        {"Memphis": 42, "Nashville": 26, "Chattanooga": 15, "Knoxville": 17},
        {"Memphis": 42, "Nashville": 26, "Knoxville": 32},
        {"Memphis": 42, "Knoxville": 58},
    ]
    assert [r.threshold for r in report.rounds] == [51, 51, 51]
    assert [r.eliminated for r in report.rounds] == [["Chattanooga"], ["Nashville"], []]
    assert report.winners == ["Knoxville"]
    batch = count(candidates, ballots, Rules(method="irv", batch_elimination=True))
    assert batch.winners == ["Knoxville"]


@pytest.mark.parametrize("method", ["stv", "scottish", "meek"])
def test_one_seat_stv_matches_irv_on_tennessee(method):
    # With one seat the Droop quota is a majority of the first-round votes: 51 of 100.
    candidates = ["Memphis", "Nashville", "Chattanooga", "Knoxville"]
    ballots = [
        (["Memphis", "Nashville", "Chattanooga", "Knoxville"], 42),
        (["Nashville", "Chattanooga", "Knoxville", "Memphis"], 26),
        (["Chattanooga", "Knoxville", "Nashville", "Memphis"], 15),
        (["Knoxville", "Chattanooga", "Nashville", "Memphis"], 17),
    ]
    report = count(candidates, ballots, Rules(method=method, seats=1))
    assert report.winners == ["Knoxville"]
