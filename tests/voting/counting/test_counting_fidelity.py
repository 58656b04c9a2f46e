"""Round reports as the certified tabulators and the reference counts show them, and the
options they offer (tie-break rules, continuing until two remain, excluded candidates,
undeclared write-ins, the overvote rule "exhaust if multiple continuing"). Hand-computed.

Ballots are written as strings: "A B C" ranks A, B, C; "A|B C" has an overvote of A and B at
the first rank.
"""

from __future__ import annotations

import json
from fractions import Fraction as F  # noqa: N817 - short for readable expected values

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deliberate.voting.counting import Rules, RulesError, count


def ballot(text: str) -> list[list[str]]:
    return [[] if pos == "_" else pos.split("|") for pos in text.split()]


def run(candidates: str, ballots: list[tuple[str, int]], **rules):
    return count(candidates.split(), [(ballot(b), n) for b, n in ballots], Rules(**rules))


FOOD = [
    ("Oranges", 4),
    ("Pears Oranges", 2),
    ("Chocolate Strawberries", 8),
    ("Chocolate Hamburgers", 4),
    ("Strawberries", 1),
    ("Hamburgers", 1),
]
FOOD_NAMES = "Oranges Pears Chocolate Strawberries Hamburgers"


# --- rounds as the references report them ----------------------------------------------------


def test_elected_candidates_stay_in_later_rounds_at_the_quota():
    report = run(FOOD_NAMES, FOOD, method="stv", seats=3)
    # Chocolate (12) keeps the quota, 6, once its surplus is gone; Oranges keeps 6 too.
    assert [r.votes for r in report.rounds] == [
        {"Oranges": 4, "Pears": 2, "Chocolate": 12, "Strawberries": 1, "Hamburgers": 1},
        {"Oranges": 4, "Pears": 2, "Chocolate": 6, "Strawberries": 5, "Hamburgers": 3},
        {"Oranges": 6, "Chocolate": 6, "Strawberries": 5, "Hamburgers": 3},
        {"Oranges": 6, "Chocolate": 6, "Strawberries": 5, "Hamburgers": 3},
        {"Oranges": 6, "Chocolate": 6, "Strawberries": 5},
    ]
    data = json.loads(report.to_json())
    first, second, _, fourth, _ = data["rounds"]
    # The transfer round shows the surplus moved and its transfer value.
    assert (first["surplus"], first["transfer_value_exact"]) == (6, "1/2")
    assert second["surplus"] is None
    assert second["transfer_value"] is None
    assert second["votes"]["Chocolate"] == 6
    # Exhausted per round: Hamburgers' 3 ballots have no further preference.
    assert fourth["exhausted_in_round"] == 3
    assert fourth["exhausted_exact"] == "0"
    assert data["rounds"][4]["exhausted"] == 3
    assert all(r["lost_in_round"] == 0 for r in data["rounds"])


def test_lost_to_fractions_per_round():
    # 3 seats, 10 votes, Droop quota 3. A has 7: surplus 4, value 4/7, truncated to 2 places
    # (0.57): 3 ballots "A B" give B 1.71 and 4 ballots "A C" give C 2.28; 0.01 is lost.
    report = run(
        "A B C D", [("A B", 3), ("A C", 4), ("B", 1), ("D", 2)], method="stv", seats=3, decimals=2
    )
    data = json.loads(report.to_json())
    first = data["rounds"][0]
    assert first["transfer_value_exact"] == "4/7"
    assert first["transfers"][0]["to_exact"] == {"B": "171/100", "C": "57/25"}
    assert first["lost_in_round_exact"] == "1/100"
    assert data["rounds"][1]["lost_exact"] == "1/100"


def test_scottish_exclusion_moves_in_sub_stages_by_transfer_value():
    # 26 votes, 2 seats, quota floor(26/3)+1 = 9.
    # Round 1: A 12, B 7, C 2, D 4, E 1; A's surplus 3 at 3/12 = 0.25: C +2, D +1.
    # Round 2: B 7, C 4, D 5, E 1: E goes, its ballot to C at value 1.
    # Round 3: B 7, C 5, D 5: C goes (fewer than D in round 2). C's ballots move in two
    # sub-stages, highest value first though received last: value 1 (C D ×2 and E C D ×1),
    # D +3; then value 0.25 (A C D ×8), D +2.
    # Round 4: B 7, D 10: D reaches the quota.
    ballots = [("A C D", 8), ("A D", 4), ("B", 7), ("C D", 2), ("D", 4), ("E C D", 1)]
    report = run("A B C D E", ballots, method="scottish", seats=2)
    assert report.quota == 9
    third = report.rounds[2]
    assert third.eliminated == ["C"]
    assert [(t.value, t.amount, t.to) for t in third.transfers] == [
        (1, 3, {"D": 3}),
        (F(1, 4), 2, {"D": 2}),
    ]
    assert "sub-stage 1 of 2: ballots at value 1.00000" in " ".join(third.notes)
    assert report.rounds[3].tally == {"B": 7, "D": 10}
    assert report.winners == ["A", "D"]
    # WIGM moves the same ballots in one transfer at their own values: same figures.
    wigm = run("A B C D E", ballots, method="stv", seats=2)
    assert [(t.value, t.amount) for t in wigm.rounds[2].transfers] == [(None, 5)]
    assert wigm.rounds[3].tally == report.rounds[3].tally


def test_meek_rounds_record_iterations_and_keep_values():
    report = run(FOOD_NAMES, FOOD, method="meek", seats=3)
    first, second = report.rounds[:2]
    assert first.elected == ["Chocolate"]
    assert (first.iterations, first.keep) == (0, {})
    assert second.iterations is not None
    assert second.iterations >= 1
    assert second.keep is not None
    # Chocolate keeps about quota/12 of each of its ballots: 5.000000001/12.
    assert abs(second.keep["Chocolate"] - F(5, 12)) < F(1, 10**6)
    data = json.loads(report.to_json())
    assert data["rounds"][1]["iterations"] == second.iterations
    assert data["rounds"][1]["keep_exact"]["Chocolate"] == str(second.keep["Chocolate"])
    # WIGM rounds carry no Meek fields.
    assert (
        "iterations"
        not in json.loads(run(FOOD_NAMES, FOOD, method="stv", seats=3).to_json())["rounds"][0]
    )


# --- tie-break rules -------------------------------------------------------------------------


def test_tie_break_lot_only_does_not_look_back():
    # Round 2: A 10, B 6, C 6. Earlier rounds: C had fewer in round 1, so C goes. With the lot
    # only (RCTab's useCandidateOrder) the candidate later in the order, C, goes too; with the
    # lot reversed, B goes.
    ballots = [("A", 10), ("B", 6), ("C", 5), ("D C", 1), ("D", 3)]
    look_back = run("A B C D", ballots, tie_order=("C", "B", "A", "D"))
    assert look_back.rounds[1].eliminated == ["C"]
    assert look_back.ties[0].method == "previous round"
    lot_only = run("A B C D", ballots, tie_order=("C", "B", "A", "D"), tie_break="lot")
    assert lot_only.rounds[1].eliminated == ["B"]
    assert (lot_only.ties[0].method, lot_only.ties[0].decided_by_round) == ("lot", None)
    assert json.loads(lot_only.to_json())["rules"]["tie_break"] == "lot"


def test_unknown_tie_break_rule_is_refused():
    with pytest.raises(RulesError, match="tie-break"):
        Rules(tie_break="coin")


# --- RCTab options ---------------------------------------------------------------------------


def test_continue_until_two_candidates_remain():
    # A has 6 of 10 in round 1 (threshold 6) and is elected there. Going on, the threshold
    # kept: D goes (tie with C broken by the lot, D later in the order) to B; then C to B;
    # the head-to-head A 6 – B 4 decides nothing.
    ballots = [("A", 6), ("B", 2), ("C B", 1), ("D B", 1)]
    plain = run("A B C D", ballots)
    assert len(plain.rounds) == 1
    assert plain.winners == ["A"]
    report = run("A B C D", ballots, continue_until_two=True)
    assert [r.tally for r in report.rounds] == [
        {"A": 6, "B": 2, "C": 1, "D": 1},
        {"A": 6, "B": 2, "C": 1, "D": 1},
        {"A": 6, "B": 3, "C": 1},
        {"A": 6, "B": 4},
    ]
    assert [(r.elected, r.eliminated) for r in report.rounds] == [
        (["A"], []),
        ([], ["D"]),
        ([], ["C"]),
        ([], []),
    ]
    assert [r.threshold for r in report.rounds] == [6, 6, 6, 6]
    assert report.winners == ["A"]
    with pytest.raises(RulesError):
        Rules(method="stv", seats=2, continue_until_two=True)


def test_excluded_candidates_are_removed_from_every_ballot():
    # Without exclusion: A 2, B 3, C 4 → A goes → C wins. With B excluded (withdrawn after
    # printing), the "B A" ballots count for A: A 5 of 9 wins in round 1.
    ballots = [("B A", 3), ("A", 2), ("C", 4)]
    assert run("A B C", ballots).winners == ["C"]
    report = run("A B C", ballots, excluded=("B",))
    assert report.rounds[0].tally == {"A": 5, "C": 4}
    assert report.winners == ["A"]
    assert json.loads(report.to_json())["rules"]["excluded"] == ["B"]
    with pytest.raises(RulesError, match="not standing"):
        run("A B C", ballots, excluded=("Z",))


def test_excluded_candidate_in_stv_and_meek():
    ballots = [("B A", 3), ("A", 2), ("C", 4), ("D C", 1)]
    for method in ("stv", "scottish", "meek"):
        report = run("A B C D", ballots, method=method, seats=2, excluded=("B",))
        assert "B" not in report.rounds[0].tally
        assert report.winners == ["A", "C"]


def test_undeclared_write_ins_are_eliminated_first_and_never_elected():
    # Round 1: A 4, B 2, W 3: the write-ins go first although B has fewer: B 5 wins.
    ballots = [("W B", 3), ("A", 4), ("B", 2)]
    assert run("A B W", ballots).winners == ["A"]
    report = run("A B W", ballots, write_in="W")
    assert report.rounds[0].eliminated == ["W"]
    assert report.rounds[1].tally == {"A": 4, "B": 5}
    assert report.winners == ["B"]
    # A majority of write-ins elects nobody: they are eliminated and A wins 3 to 1.
    many = run("A B W", [("W", 6), ("A", 3), ("B", 1)], write_in="W")
    assert many.rounds[0].elected == []
    assert many.rounds[0].eliminated == ["W"]
    assert many.winners == ["A"]
    stv = run("A B W", [("W A", 5), ("A", 3), ("B", 4)], method="stv", seats=1, write_in="W")
    assert stv.winners == ["A"]


def test_overvote_exhausts_only_if_several_are_continuing():
    # "D B|C": when D goes, B is already out, so the ballots go to C (RCTab's "exhaust if
    # multiple continuing"): A 5, C 6 → C wins. Exhausting at every overvote, A wins.
    ballots = [("A", 5), ("B", 1), ("C", 4), ("D B|C", 2)]
    assert run("A B C D", ballots).winners == ["A"]
    assert run("A B C D", ballots, overvote="skip").winners == ["A"]
    report = run("A B C D", ballots, overvote="exhaust_if_multiple")
    assert [r.eliminated for r in report.rounds[:2]] == [["B"], ["D"]]
    assert report.rounds[1].transfers[0].to == {"C": 2}
    assert report.rounds[2].tally == {"A": 5, "C": 6}
    assert report.winners == ["C"]
    # With B still in when D goes, B and C are both continuing: the two ballots exhaust.
    ballots = [("A", 5), ("B", 3), ("C", 4), ("D B|C", 2)]
    report = run("A B C D", ballots, overvote="exhaust_if_multiple")
    assert report.rounds[0].eliminated == ["D"]
    assert report.rounds[0].transfers[0].exhausted == 2
    assert report.winners == ["A"]
    with pytest.raises(RulesError):
        Rules(method="meek", seats=2, overvote="exhaust_if_multiple")


# --- properties ------------------------------------------------------------------------------


@st.composite
def elections(draw):
    n = draw(st.integers(min_value=2, max_value=5))
    names = ["Ana", "Ben", "Chloé", "Dev", "Eli"][:n]
    ballots = []
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        order = draw(st.permutations(names))
        length = draw(st.integers(min_value=1, max_value=n))
        ballots.append((list(order[:length]), draw(st.integers(min_value=1, max_value=15))))
    return names, ballots


@settings(max_examples=60, deadline=None)
@given(elections(), st.integers(min_value=1, max_value=3))
def test_scottish_sub_stages_change_no_figure(election, seats):
    # Scottish STV is WIGM at 5 decimal places: splitting an exclusion into sub-stages by
    # transfer value reports more transfers but moves the same votes.
    names, ballots = election
    scottish = count(names, ballots, Rules(method="scottish", seats=seats))
    wigm = count(names, ballots, Rules(method="stv", seats=seats, decimals=5))
    assert [r.votes for r in scottish.rounds] == [r.votes for r in wigm.rounds]
    assert [r.exhausted for r in scottish.rounds] == [r.exhausted for r in wigm.rounds]
    assert scottish.winners == wigm.winners
    for ours, theirs in zip(scottish.rounds, wigm.rounds, strict=True):
        assert sum(t.amount for t in ours.transfers) == sum(t.amount for t in theirs.transfers)


@settings(max_examples=60, deadline=None)
@given(elections(), st.integers(min_value=1, max_value=3))
def test_the_new_options_change_nothing_when_they_have_nothing_to_do(election, seats):
    names, ballots = election
    method = "irv" if seats == 1 else "stv"
    plain = count(names, ballots, Rules(method=method, seats=seats)).as_dict()
    # No overvote on these ballots: the overvote rule does not matter.
    dynamic = count(
        names, ballots, Rules(method=method, seats=seats, overvote="exhaust_if_multiple")
    ).as_dict()
    assert dynamic["rounds"] == plain["rounds"]
    # Without ties, the tie-break rule does not matter.
    lot = count(names, ballots, Rules(method=method, seats=seats, tie_break="lot")).as_dict()
    if not plain["ties"]:
        assert lot["rounds"] == plain["rounds"]
        assert lot["winners"] == plain["winners"]
    # Every vote is somewhere at the start of each round: with a candidate, exhausted or lost.
    for r in plain["rounds"]:
        total = sum(F(v) for v in r["votes_exact"].values())
        total += F(r["exhausted_exact"]) + F(r["lost_exact"])
        assert total == plain["valid_votes"]
