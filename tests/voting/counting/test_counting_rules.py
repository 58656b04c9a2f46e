"""Hand-computed counts for every rule and option of the counting engine.

Ballots are written as strings: "A B C" ranks A, B, C; "A|B C" has an overvote of A and B at
the first rank; "_" is a skipped rank.
"""

from __future__ import annotations

import json
from fractions import Fraction as F  # noqa: N817 - short for readable expected values

import pytest

from deliberate.voting.counting import BallotError, Rules, RulesError, count
from deliberate.voting.counting.ballots import group_ballots, normalise
from deliberate.voting.counting.stv import batch_size, make_quota


def ballot(text: str) -> list[list[str]]:
    return [[] if pos == "_" else pos.split("|") for pos in text.split()]


def run(candidates: str, ballots: list[tuple[str, int]], **rules):
    return count(candidates.split(), [(ballot(b), n) for b, n in ballots], Rules(**rules))


def tallies(report) -> list[dict[str, F]]:
    return [r.tally for r in report.rounds]


# --- ballot rules ----------------------------------------------------------------------------

INDEX = {"A": 0, "B": 1, "C": 2}


@pytest.mark.parametrize(
    ("text", "rules", "expected"),
    [
        ("A B C", {}, (0, 1, 2)),
        ("A|B C", {"overvote": "exhaust"}, ()),
        ("A|B C", {"overvote": "skip"}, (2,)),
        ("C A|B B", {"overvote": "exhaust"}, (2,)),
        ("C A|B B", {"overvote": "skip"}, (2, 1)),
        ("A _ _ B", {}, (0, 1)),
        ("A _ _ B", {"max_skipped": 2}, (0, 1)),
        ("A _ _ B", {"max_skipped": 1}, (0,)),
        ("_ A", {"max_skipped": 0}, ()),
        ("A _ B _ _ C", {"max_skipped": 1}, (0, 1)),
        ("A B _ _", {"max_skipped": 0}, (0, 1)),
        ("A A B", {"duplicates": "skip"}, (0, 1)),
        ("A A B", {"duplicates": "exhaust"}, (0,)),
        ("A B A C", {"duplicates": "skip"}, (0, 1, 2)),
        ("A B A C", {"duplicates": "exhaust"}, (0, 1)),
        # A skipped overvote is not an empty rank: the run of empty ranks starts again.
        ("A _ B|C _ C", {"overvote": "skip", "max_skipped": 1}, (0, 2)),
        # The same name twice in one position is one name, not an overvote.
        ("A|A B", {}, (0, 1)),
        ("", {}, ()),
    ],
)
def test_normalise(text, rules, expected):
    assert normalise(ballot(text), INDEX, Rules(**rules)) == expected


def test_positions_may_be_plain_names():
    rules = Rules()
    assert normalise(["A", "", "C"], INDEX, rules) == (0, 2)
    assert normalise(("B",), INDEX, rules) == (1,)


def test_unknown_name_is_an_error():
    with pytest.raises(BallotError, match="'Z' is not a candidate"):
        run("A B", [("A Z", 1)])


def test_negative_count_is_an_error():
    with pytest.raises(BallotError):
        count(["A"], [(["A"], -1)], Rules())


def test_grouping_merges_equal_clean_ballots():
    groups = group_ballots(
        [(["A", "B"], 2), ([["A"], ["B"]], 3), (["A", "B", "A"], 1), ([], 4), (["A", "B"], 0)],
        ["A", "B"],
        Rules(),
    )
    assert groups == {(0, 1): 6, (): 4}


def test_overvote_rule_changes_the_winner():
    # The two ballots "A|B C B": exhausted at once, or C then B.
    ballots = [("A", 4), ("B", 3), ("A|B C B", 2)]
    exhaust = run("A B C", ballots, overvote="exhaust")
    # 7 valid votes: A 4 of 7 is a majority (threshold 4).
    assert exhaust.valid_votes == 7
    assert exhaust.blank_ballots == 2
    assert tallies(exhaust) == [{"A": 4, "B": 3, "C": 0}]
    assert exhaust.winners == ["A"]
    skip = run("A B C", ballots, overvote="skip")
    # 9 votes, threshold 5: C (2) is eliminated, both ballots go to B: 5 against 4.
    assert tallies(skip) == [{"A": 4, "B": 3, "C": 2}, {"A": 4, "B": 5}]
    assert [r.threshold for r in skip.rounds] == [5, 5]
    assert skip.winners == ["B"]


def test_max_skipped_changes_the_winner():
    ballots = [("A", 4), ("B", 3), ("C _ _ B", 2)]
    assert run("A B C", ballots).winners == ["B"]
    assert run("A B C", ballots, max_skipped=2).winners == ["B"]
    # With one empty rank allowed, C's ballots stop at the second empty rank.
    limited = run("A B C", ballots, max_skipped=1)
    assert tallies(limited) == [{"A": 4, "B": 3, "C": 2}, {"A": 4, "B": 3}]
    assert limited.rounds[1].exhausted == 2
    assert limited.winners == ["A"]


def test_duplicates_rule_changes_the_winner():
    ballots = [("A", 4), ("B", 3), ("C C B", 2)]
    assert run("A B C", ballots, duplicates="skip").winners == ["B"]
    assert run("A B C", ballots, duplicates="exhaust").winners == ["A"]


# --- IRV -------------------------------------------------------------------------------------


def test_irv_first_round_majority():
    report = run("A B C", [("A", 6), ("B", 3), ("C", 2)])
    assert len(report.rounds) == 1
    assert report.rounds[0].threshold == 6  # floor(11/2)+1
    assert report.rounds[0].elected == ["A"]
    assert report.winners == ["A"]
    assert report.ties == []


def test_irv_exactly_half_is_not_a_majority():
    # 10 votes: A has 5, which is not more than half; C is eliminated and its two ballots
    # exhaust, so A then has 5 of 8 continuing votes.
    report = run("A B C", [("A", 5), ("B", 3), ("C", 2)])
    assert [r.threshold for r in report.rounds] == [6, 5]
    assert report.rounds[0].eliminated == ["C"]
    assert report.rounds[1].exhausted == 2
    assert report.winners == ["A"]


def test_irv_tie_settled_by_previous_round():
    # Round 1: A 10, B 6, C 5, D 4; D is eliminated, one ballot goes to C, three exhaust.
    # Round 2: A 10, B 6, C 6: B and C tie for last; in round 1 C had fewer, so C goes.
    report = run("A B C D", [("A", 10), ("B", 6), ("C", 5), ("D C", 1), ("D", 3)])
    assert tallies(report) == [
        {"A": 10, "B": 6, "C": 5, "D": 4},
        {"A": 10, "B": 6, "C": 6},
        {"A": 10, "B": 6},
    ]
    assert [r.eliminated for r in report.rounds] == [["D"], ["C"], []]
    assert report.winners == ["A"]
    (tie,) = report.ties
    assert (tie.round, tie.purpose, tie.candidates, tie.chosen) == (
        2,
        "elimination",
        ["B", "C"],
        "C",
    )
    assert (tie.method, tie.decided_by_round) == ("previous round", 1)


def test_tie_settled_by_the_most_recent_round_where_votes_differ():
    # Round 1: A 12, B 7, C 6, D 5, E 4 → E goes: one ballot to D, one to B, one to C.
    # Round 2: A 12, B 8, C 7, D 6 → D goes: one ballot to C, the rest exhaust.
    # Round 3: A 12, B 8, C 8 (threshold 15) → tie; in round 2 C had fewer (7 against 8).
    ballots = [("A", 12), ("B", 7), ("C", 6), ("D", 4), ("D C", 1)]
    ballots += [("E D", 1), ("E B", 1), ("E C", 1), ("E", 1)]
    report = run("A B C D E", ballots)
    assert tallies(report)[2] == {"A": 12, "B": 8, "C": 8}
    (tie,) = report.ties
    assert (tie.chosen, tie.decided_by_round) == ("C", 2)


def test_irv_tie_settled_by_lot():
    ballots = [("A", 10), ("B", 5), ("C", 5)]
    default = run("A B C", ballots)
    # No earlier round: the lot (the declared order by default) eliminates the last named.
    assert default.rounds[0].eliminated == ["C"]
    assert default.ties[0].method == "lot"
    assert default.ties[0].decided_by_round is None
    drawn = run("A B C", ballots, tie_order=("C", "B", "A"))
    assert drawn.rounds[0].eliminated == ["B"]
    assert "by lot" in drawn.ties[0].describe()


def test_irv_batch_elimination():
    # A 10, B 7, C 2, D 1: C and D together (3) are below B (7); B, C and D together (10)
    # are not below A (10).
    ballots = [("A", 10), ("B", 7), ("C A", 2), ("D B", 1)]
    assert batch_size([0, 1, 2, 3], [F(10), F(7), F(2), F(1)], 1) == 2
    batch = run("A B C D", ballots, batch_elimination=True)
    assert [r.eliminated for r in batch.rounds] == [["C", "D"], []]
    assert tallies(batch)[1] == {"A": 12, "B": 8}
    assert [t.source for t in batch.rounds[0].transfers] == ["C", "D"]
    assert batch.winners == ["A"]
    one_by_one = run("A B C D", ballots)
    assert [r.eliminated for r in one_by_one.rounds] == [["D"], ["C"], []]
    assert one_by_one.winners == ["A"]


def test_batch_elimination_never_splits_a_tie():
    # The two lowest are tied at 2: together (4) they are below the next (5), so both go
    # together and no tie-break is needed.
    assert batch_size([0, 1, 2, 3], [F(9), F(5), F(2), F(2)], 1) == 2
    # Here no batch qualifies: 3 is not below 3, and 3 + 3 is not below 5; the tie for last
    # place is broken as usual.
    assert batch_size([0, 1, 2], [F(5), F(3), F(3)], 1) == 0
    report = run("A B C", [("A", 5), ("B", 3), ("C", 3)], batch_elimination=True)
    assert report.ties[0].purpose == "elimination"


def test_irv_zero_ballots_is_decided_by_lot():
    report = count(["A", "B", "C"], [], Rules())
    assert report.valid_votes == 0
    # C goes by lot; A and B are then the last two, tied: the lot elects A in round 2.
    assert [(r.elected, r.eliminated) for r in report.rounds] == [([], ["C"]), (["A"], [])]
    assert report.winners == ["A"]
    assert [(t.purpose, t.method) for t in report.ties] == [
        ("elimination", "lot"),
        ("election", "lot"),
    ]


def test_single_candidate():
    report = run("A", [("A", 3)])
    assert report.winners == ["A"]
    assert len(report.rounds) == 1
    assert report.rounds[0].elected == ["A"]


def test_no_candidates():
    report = count([], [], Rules())
    assert report.rounds == []
    assert report.winners == []


def test_blank_ballots_are_not_valid_votes():
    report = run("A B", [("A", 2), ("B", 1), ("", 5), ("_ _", 1)])
    assert report.blank_ballots == 6
    assert report.valid_votes == 3
    assert report.rounds[0].threshold == 2


# --- STV quotas and transfers ----------------------------------------------------------------


def test_quota_formulas():
    assert make_quota("droop", 20, 3) == 6
    assert make_quota("droop", 19, 3) == 5
    assert make_quota("droop_exact", 20, 3) == 5
    assert make_quota("hare", 20, 3) == F(20, 3)


FOUR_TWO_TWO = [("A B", 4), ("B", 2), ("C", 2)]


def test_droop_quota():
    # 8 votes, 2 seats: quota floor(8/3)+1 = 3. A's surplus 1 goes to B (4 ballots at 1/4).
    report = run("A B C", FOUR_TWO_TWO, method="stv", seats=2)
    assert report.quota == 3
    assert tallies(report) == [{"A": 4, "B": 2, "C": 2}, {"B": 3, "C": 2}]
    (transfer,) = report.rounds[0].transfers
    assert (transfer.kind, transfer.amount, transfer.value) == ("surplus", 1, F(1, 4))
    assert transfer.to == {"B": 1}
    assert report.winners == ["A", "B"]


def test_droop_exact_quota():
    # Quota 8/3, reached only by more votes. A's surplus 4/3 goes to B: 10/3 > 8/3.
    report = run("A B C", FOUR_TWO_TWO, method="stv", seats=2, quota="droop_exact")
    assert report.quota == F(8, 3)
    assert tallies(report) == [{"A": 4, "B": 2, "C": 2}, {"B": F(10, 3), "C": 2}]
    assert report.rounds[1].elected == ["B"]
    assert report.winners == ["A", "B"]


def test_droop_exact_needs_strictly_more():
    report = run("A B", [("A", 2), ("B", 2)], method="stv", seats=1, quota="droop_exact")
    assert report.quota == 2
    # Neither exceeds the quota: A is elected only as the lot's choice in the final tie.
    assert report.rounds[0].elected == ["A"]
    assert not any("reached the quota" in note for note in report.rounds[0].notes)
    assert "tied for the last seat" in report.rounds[0].notes[-1]
    assert report.winners == ["A"]


def test_hare_quota():
    # Quota 4: A has exactly 4, no surplus. B and C tie at 2 in every round for the last
    # seat: the lot elects B.
    report = run("A B C", FOUR_TWO_TWO, method="stv", seats=2, quota="hare")
    assert report.quota == 4
    assert [r.elected for r in report.rounds] == [["A"], ["B"]]
    assert [r.eliminated for r in report.rounds] == [[], []]
    assert report.rounds[0].transfers == []
    assert tallies(report)[1] == {"B": 2, "C": 2}
    assert [(t.round, t.purpose, t.method) for t in report.ties] == [(2, "election", "lot")]
    assert report.winners == ["A", "B"]


def test_decimals_truncation():
    # 11 votes, 2 seats, quota 4. A's surplus 3 of 7 votes: each ballot goes on at 3/7.
    ballots = [("A B", 4), ("A C", 3), ("B", 1), ("C", 2), ("D B", 1)]
    exact = run("A B C D", ballots, method="stv", seats=2)
    transfer = exact.rounds[0].transfers[0]
    assert transfer.value == F(3, 7)
    assert transfer.to == {"B": F(12, 7), "C": F(9, 7)}
    assert transfer.lost == 0
    truncated = run("A B C D", ballots, method="stv", seats=2, decimals=4)
    transfer = truncated.rounds[0].transfers[0]
    # 3/7 = 0.428571… truncated to 0.4285: B gets 4 × 0.4285, C 3 × 0.4285.
    assert transfer.to == {"B": F("1.7140"), "C": F("1.2855")}
    assert transfer.lost == F("0.0005")
    assert truncated.rounds[1].lost == F("0.0005")
    assert truncated.rounds[1].tally == {"B": F("2.714"), "C": F("3.2855"), "D": 1}


def test_elimination_transfers_ballots_at_their_current_value():
    # Quota 4 (11 votes, 2 seats). C receives 3 ballots at 3/7 from A's surplus. D is
    # eliminated first (its ballot exhausts), then C: its own "C B" ballot goes to B at full
    # value and the three "A C" ballots, with no further choice, exhaust at 3/7 each.
    ballots = [("A B", 4), ("A C", 3), ("B", 2), ("C B", 1), ("D", 1)]
    report = run("A B C D", ballots, method="stv", seats=2)
    assert report.rounds[1].tally == {"B": 2 + F(12, 7), "C": 1 + F(9, 7), "D": 1}
    assert report.rounds[1].eliminated == ["D"]
    assert report.rounds[2].tally == {"B": 2 + F(12, 7), "C": 1 + F(9, 7)}
    (transfer,) = report.rounds[2].transfers
    assert transfer.to == {"B": 1}
    assert transfer.exhausted == F(9, 7)
    assert report.rounds[3].exhausted == 1 + F(9, 7)
    assert report.winners == ["A", "B"]


def test_largest_surplus_first_and_election_order():
    # 19 votes, 3 seats, quota 5. A (7) and B (9) are elected together; B's larger surplus
    # (4 of 9, so 4/9 of each ballot) goes first, to D: 2 + 4 = 6, and D is elected.
    ballots = [("A C", 7), ("B D", 9), ("C", 1), ("D", 2)]
    for method in ("stv", "scottish"):
        report = run("A B C D", ballots, method=method, seats=3)
        assert report.quota == 5
        assert report.rounds[0].elected == ["B", "A"]
        assert [t.source for t in report.rounds[0].transfers] == ["B"]
        assert report.rounds[1].tally["A"] == 7  # elected, surplus still to transfer
        assert report.rounds[1].elected == ["D"]
        assert report.winners == ["B", "A", "D"]


def test_tie_for_election_order_and_surplus_order():
    # 8 votes. With 2 seats the quota is 3: A and B both reach it with 4 in round 1 and no
    # earlier round separates them, so the lot decides who is listed first.
    ballots = [("A C", 4), ("B C", 4)]
    report = run("A B C", ballots, method="stv", seats=3)
    # 3 seats, 3 candidates: all elected at once, in order of votes, ties by lot.
    assert report.winners == ["A", "B", "C"]
    two = run("A B C", ballots, method="stv", seats=2)
    assert two.winners == ["A", "B"]
    assert [(t.purpose, t.method, t.chosen) for t in two.ties] == [("election", "lot", "A")]
    drawn = run("A B C", ballots, method="stv", seats=2, tie_order=("B", "A", "C"))
    assert drawn.winners == ["B", "A"]


def test_surplus_tie_is_settled_by_an_earlier_round():
    # 4 seats; quota floor(27/5)+1 = 6. Round 1: A 8, B 6 (elected, no surplus), C 5, D 4,
    # E 4 → A's surplus 2 (of 8: 1/4 each) goes to C: 5 + 2 = 7 → C elected in round 2 with
    # surplus 1. Round 2 tally: C 7, D 4, E 4. C's surplus 1 goes to D (7 ballots at 1/7).
    ballots = [("A C", 8), ("B", 6), ("C D", 5), ("D", 4), ("E", 4)]
    report = run("A B C D E", ballots, method="stv", seats=4)
    assert report.quota == 6
    assert report.rounds[0].elected == ["A", "B"]
    assert report.rounds[1].tally == {"C": 7, "D": 4, "E": 4}
    assert report.rounds[1].elected == ["C"]


def test_all_exhausted_round_and_zero_vote_ties():
    # 2 seats, three ballots for A only: quota 2; A's surplus 1 exhausts. Then B and C have
    # no votes in any round: tied for the last seat, the lot elects B with 0 votes.
    report = run("A B C", [("A", 3)], method="stv", seats=2)
    assert tallies(report) == [{"A": 3, "B": 0, "C": 0}, {"B": 0, "C": 0}]
    assert report.rounds[1].exhausted == 1
    assert report.ties[0].method == "lot"
    assert report.winners == ["A", "B"]


def test_more_seats_than_candidates():
    report = run("A B", [("A", 2), ("B", 1)], method="stv", seats=3)
    assert report.winners == ["A", "B"]
    assert len(report.rounds) == 1
    assert "1 seat(s) left unfilled" in report.rounds[0].notes[-1]


def test_stv_zero_ballots():
    report = count(["A", "B", "C"], [], Rules(method="stv", seats=2))
    assert report.quota == 1
    assert report.winners == ["A", "B"]


def test_stv_batch_elimination_keeps_enough_candidates():
    # 2 seats: D (1) and C (2) together are below B (5), leaving A and B for 2 seats.
    assert batch_size([0, 1, 2, 3], [F(9), F(5), F(2), F(1)], 2) == 2
    assert batch_size([0, 1, 2, 3], [F(9), F(5), F(2), F(1)], 3) == 1


# --- rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"seats": 0},
        {"method": "irv", "seats": 2},
        {"method": "borda"},
        {"method": "stv", "quota": "imperiali"},
        {"method": "scottish", "quota": "hare"},
        {"method": "scottish", "decimals": 4},
        {"method": "meek", "quota": "hare"},
        {"method": "irv", "decimals": 4},
        {"overvote": "count"},
        {"duplicates": "keep"},
        {"max_skipped": -1},
        {"method": "stv", "decimals": -1},
    ],
)
def test_bad_rules(kwargs):
    with pytest.raises(RulesError):
        Rules(**kwargs)


@pytest.mark.parametrize(
    ("order", "message"),
    [(("A", "Z"), "unknown"), (("A", "A", "B"), "twice"), (("A",), "leaves out")],
)
def test_bad_tie_order(order, message):
    with pytest.raises(RulesError, match=message):
        run("A B", [("A", 1)], tie_order=order)


def test_duplicate_candidate_is_an_error():
    with pytest.raises(RulesError):
        count(["A", "A"], [], Rules())


# --- Meek and Scottish -----------------------------------------------------------------------


def test_scottish_truncates_to_five_places():
    # 11 votes, 2 seats, quota 4. A's surplus 3 of 7: value 3/7 truncated to 0.42857.
    ballots = [("A B", 4), ("A C", 3), ("B", 1), ("C", 2), ("D B", 1)]
    report = run("A B C D", ballots, method="scottish", seats=2)
    transfer = report.rounds[0].transfers[0]
    assert transfer.to == {"B": F("1.71428"), "C": F("1.28571")}
    assert transfer.lost == F("0.00001")
    # Round 2: B 2.71428, C 3.28571, D 1: D goes, its ballot to B (3.71428).
    assert report.rounds[1].tally == {"B": F("2.71428"), "C": F("3.28571"), "D": 1}
    assert report.rounds[2].tally == {"B": F("3.71428"), "C": F("3.28571")}
    assert report.rounds[2].eliminated == ["C"]
    assert report.winners == ["A", "B"]


def test_meek_simple():
    # 11 votes, 2 seats. Round 1: A 6, B 2, C 3; quota 11/3 (to 9 places) + 1e-9.
    # A is elected; A's keep value falls to about 11/18, so B gets about 2 + 6 × 7/18 ≈ 4.33
    # and passes the quota in the next round.
    report = run("A B C", [("A B", 6), ("B", 2), ("C", 3)], method="meek", seats=2)
    first = report.rounds[0]
    assert first.tally == {"A": 6, "B": 2, "C": 3}
    assert first.threshold == F("3.666666667")
    assert first.elected == ["A"]
    second = report.rounds[1]
    assert second.elected == ["B"]
    assert abs(second.tally["B"] - F(13, 3)) < F(1, 1000)
    assert report.winners == ["A", "B"]


def test_meek_elimination_and_keep_values():
    # 17 votes, 2 seats: quota 17/3 to 9 places + 1e-9 = 5.666666667. A (9) is elected.
    # Round 2: A keeps about 17/27 of each ballot, passing 9 - 17/3 = 10/3 to D: D 13/3.
    # Nobody else reaches the quota; C (3) is the lowest and is eliminated, its ballots go
    # to D: 13/3 + 3 = 22/3 > quota in round 3.
    ballots = [("A D", 9), ("B", 4), ("C D", 3), ("D", 1)]
    report = run("A B C D", ballots, method="meek", seats=2)
    assert report.rounds[0].elected == ["A"]
    second = report.rounds[1]
    assert abs(second.tally["A"] - F(17, 3)) < F(1, 10**5)
    assert abs(second.tally["D"] - F(13, 3)) < F(1, 10**5)
    assert second.eliminated == ["C"]
    assert second.transfers[0].to == {"D": 3}
    assert report.rounds[2].elected == ["D"]
    assert abs(report.rounds[2].tally["D"] - F(22, 3)) < F(1, 10**5)
    assert report.winners == ["A", "D"]


# --- report ----------------------------------------------------------------------------------


def test_json_report():
    ballots = [("A B", 4), ("A C", 3), ("B", 1), ("C", 2), ("D B", 1)]
    report = run("A B C D", ballots, method="stv", seats=2)
    data = json.loads(report.to_json())
    assert data["method"] == "stv"
    assert data["seats"] == 2
    assert data["candidates"] == ["A", "B", "C", "D"]
    assert data["quota"] == 4
    first, second = data["rounds"][:2]
    assert first["round"] == 1
    assert first["tally"] == {"A": 7, "B": 1, "C": 2, "D": 1}
    assert first["threshold"] == 4
    assert first["elected"] == ["A"]
    transfer = first["transfers"][0]
    assert transfer["from"] == "A"
    assert transfer["kind"] == "surplus"
    assert transfer["to_exact"] == {"B": "12/7", "C": "9/7"}
    assert transfer["to"]["B"] == pytest.approx(12 / 7)
    assert second["tally_exact"]["B"] == "19/7"
    assert data["winners"] == report.winners
    assert data["ties"] == []
