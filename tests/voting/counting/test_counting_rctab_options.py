"""The certified tabulator's (RCTab's) remaining options and the way it reports a round, each
on a ballot set small enough to count by hand: undeclared write-ins eliminated before anyone
is elected, continuing until two candidates remain (with batch elimination too), an exact
final tie, the fractional threshold, the threshold fixed by the first round and one winner per
round.

Ballots are written as strings: "A B C" ranks A, B, C.
"""

from __future__ import annotations

from fractions import Fraction as F  # noqa: N817 - short for readable expected values

import pytest

from deliberate.voting.counting import Rules, RulesError, count
from deliberate.voting.counting.report import render_text


def run(candidates: str, ballots: list[tuple[str, int]], **rules):
    return count(candidates.split(), [(b.split(), n) for b, n in ballots], Rules(**rules))


def rounds(report):
    """Each round as (votes, elected, eliminated), votes as the tabulator reports them."""
    return [(r.votes, r.elected, r.eliminated) for r in report.rounds]


# --- undeclared write-ins ------------------------------------------------------------------


def test_write_ins_are_eliminated_before_anyone_is_elected():
    # Quota floor(16/3)+1 = 6. A has 7 in round 1, but the write-ins go first: their 5 ballots
    # reach A (12), whose surplus 6 moves at 1/2: 3.5 to B, 2.5 to C; B reaches 6.5.
    ballots = [("A B", 7), ("Smith A C", 5), ("B", 3), ("C", 1)]
    report = run("A B C Smith", ballots, method="stv", seats=2, write_in="Smith")
    assert rounds(report) == [
        ({"A": 7, "B": 3, "C": 1, "Smith": 5}, [], ["Smith"]),
        ({"A": 12, "B": 3, "C": 1}, ["A"], []),
        ({"A": 6, "B": F(13, 2), "C": F(7, 2)}, ["B"], []),
    ]
    surplus = report.rounds[1].transfers[0]
    assert (surplus.amount, surplus.value) == (6, F(1, 2))
    assert surplus.to == {"B": F(7, 2), "C": F(5, 2)}
    assert report.winners == ["A", "B"]


def test_write_ins_go_first_in_irv_and_meek_too():
    # A has a majority (6 of 11) in round 1; the write-ins still go first, and A is elected
    # in round 2 (6 to B's 5). Meek's method, too, removes them before anything else.
    ballots = [("A", 6), ("W B", 4), ("B", 1)]
    irv = run("A B W", ballots, write_in="W")
    assert [r.eliminated for r in irv.rounds] == [["W"], []]
    assert irv.rounds[0].elected == []
    assert irv.winners == ["A"]
    meek = run("A B C W", [("W C", 5), ("A", 3), ("B", 4)], method="meek", seats=1, write_in="W")
    assert meek.rounds[0].eliminated == ["W"]
    assert "W" not in meek.winners
    assert meek.winners == ["C"]


# --- continuing until two candidates remain -------------------------------------------------


def test_continue_until_two_elects_in_the_round_of_the_majority_and_keeps_the_threshold():
    # Threshold floor(18/2)+1 = 10: A is elected in round 1; C goes in round 2 and its
    # ballots reach A; round 3 is the head-to-head, A 13 – B 5, and decides nothing.
    ballots = [("A", 10), ("B", 5), ("C A", 3)]
    report = run("A B C", ballots, continue_until_two=True)
    assert [(r.tally, r.threshold, r.elected, r.eliminated) for r in report.rounds] == [
        ({"A": 10, "B": 5, "C": 3}, 10, ["A"], []),
        ({"A": 10, "B": 5, "C": 3}, 10, [], ["C"]),
        ({"A": 13, "B": 5}, 10, [], []),
    ]
    assert report.rounds[1].transfers[0].to == {"A": 3}
    assert "head-to-head" in report.rounds[2].notes[0]
    assert report.winners == ["A"]
    # Without the option the count stops at the majority.
    assert len(run("A B C", ballots).rounds) == 1
    # Two candidates from the start: the head-to-head is the first round; nothing follows.
    assert len(run("A B", [("A", 3), ("B", 2)], continue_until_two=True).rounds) == 1


def test_continue_until_two_with_batch_elimination_stops_at_two():
    # A is elected in round 1 (6 of 9, threshold 5). B and C together (3) are below A, but
    # the batch stops at two continuing candidates: only C goes, then A 6 – B 3.
    ballots = [("A", 6), ("B", 2), ("C B", 1)]
    report = run("A B C", ballots, continue_until_two=True, batch_elimination=True)
    assert rounds(report) == [
        ({"A": 6, "B": 2, "C": 1}, ["A"], []),
        ({"A": 6, "B": 2, "C": 1}, [], ["C"]),
        ({"A": 6, "B": 3}, [], []),
    ]
    assert report.winners == ["A"]


def test_continue_until_two_text_report():
    report = run("A B C", [("A", 10), ("B", 5), ("C A", 3)], continue_until_two=True)
    text = render_text(report)
    assert "Round 1: elected A" in text
    assert "Round 2: eliminated C" in text
    assert "Round 3: no change" in text


# --- an exact final tie ---------------------------------------------------------------------


@pytest.mark.parametrize("tie_break", ["lot", "earlier_rounds"])
def test_an_exact_final_tie_is_an_election_tie_in_that_round(tie_break):
    report = run("A B", [("A", 2), ("B", 2)], tie_break=tie_break)
    assert rounds(report) == [({"A": 2, "B": 2}, ["A"], [])]
    [tie] = report.ties
    assert (tie.round, tie.purpose, tie.candidates, tie.chosen, tie.method) == (
        1,
        "election",
        ["A", "B"],
        "A",
        "lot",
    )
    assert report.winners == ["A"]
    # The lot says who: B first in the tie order wins the same tie.
    assert run("A B", [("A", 2), ("B", 2)], tie_break=tie_break, tie_order=("B", "A")).winners == [
        "B"
    ]


def test_an_exact_tie_for_the_last_stv_seat_is_an_election_tie():
    # Quota floor(10/3)+1 = 4: A elected in round 1 with no surplus; B and C tie at 3 for the
    # last seat: B, first in the lot, is elected in round 2.
    report = run("A B C", [("A", 4), ("B", 3), ("C", 3)], method="stv", seats=2)
    assert rounds(report) == [
        ({"A": 4, "B": 3, "C": 3}, ["A"], []),
        ({"A": 4, "B": 3, "C": 3}, ["B"], []),
    ]
    assert [(t.round, t.purpose, t.chosen) for t in report.ties] == [(2, "election", "B")]


# --- thresholds -----------------------------------------------------------------------------


def test_fractional_threshold():
    # 10 votes, 2 seats: the Droop quota is 4; the fractional threshold 10/3 truncated to
    # 4 places plus 0.0001 = 3.3334. A's surplus 0.6666 then reaches C, who is elected.
    ballots = [("A C", 4), ("B", 3), ("C", 3)]
    droop = run("A B C", ballots, method="stv", seats=2)
    assert droop.quota == 4
    assert droop.winners == ["A", "B"]  # B and C tie at 3; B first in the lot
    report = run("A B C", ballots, method="stv", seats=2, fractional_threshold=True)
    assert report.quota == F("3.3334")
    assert rounds(report) == [
        ({"A": 4, "B": 3, "C": 3}, ["A"], []),
        ({"A": F("3.3334"), "B": 3, "C": F("3.6666")}, ["C"], []),
    ]
    assert report.rounds[0].transfers[0].value == F("0.6666") / 4
    assert report.winners == ["A", "C"]
    assert report.as_dict()["rules"]["fractional_threshold"] is True
    # The places follow --decimals when given.
    six = run("A B C", ballots, method="stv", seats=2, decimals=6, fractional_threshold=True)
    assert six.quota == F("3.333334")


def test_fractional_threshold_in_irv_is_half_the_continuing_votes_plus_a_ten_thousandth():
    report = run("A B C", [("A", 5), ("B", 4), ("C B", 2)], fractional_threshold=True)
    assert [r.threshold for r in report.rounds] == [F("5.5001"), F("5.5001")]
    assert report.winners == ["B"]


def test_threshold_fixed_by_the_first_round():
    # 2 ballots exhaust when C goes: the majority of the continuing votes is then 4 (A wins
    # in round 2); fixed by the first round it stays 5, so B goes too and A wins alone.
    ballots = [("A", 4), ("B", 3), ("C", 2)]
    moving = run("A B C", ballots)
    assert [(r.threshold, r.elected) for r in moving.rounds] == [(5, []), (4, ["A"])]
    report = run("A B C", ballots, first_round_threshold=True)
    assert [(r.threshold, r.elected, r.eliminated) for r in report.rounds] == [
        (5, [], ["C"]),
        (5, [], ["B"]),
        (5, ["A"], []),
    ]
    assert report.winners == ["A"]
    assert report.as_dict()["rules"]["first_round_threshold"] is True


def test_one_winner_per_round():
    # Quota floor(20/4)+1 = 6; A 8 and B 6 both reach it in round 1. Together: A's surplus
    # skips B to C (5), D goes, C is elected. One a round: A's surplus 2 reaches B (8), whose
    # surplus 2 moves at 1/4: 1.5 to D from B's own ballots, 0.5 to C from A's; C goes.
    ballots = [("A B C", 8), ("B D", 6), ("C", 3), ("D", 3)]
    together = run("A B C D", ballots, method="stv", seats=3)
    assert together.rounds[0].elected == ["A", "B"]
    assert together.winners == ["A", "B", "C"]
    report = run("A B C D", ballots, method="stv", seats=3, one_winner_per_round=True)
    assert rounds(report) == [
        ({"A": 8, "B": 6, "C": 3, "D": 3}, ["A"], []),
        ({"A": 6, "B": 8, "C": 3, "D": 3}, ["B"], []),
        ({"A": 6, "B": 6, "C": F(7, 2), "D": F(9, 2)}, [], ["C"]),
        ({"A": 6, "B": 6, "D": F(9, 2)}, ["D"], []),
    ]
    assert report.winners == ["A", "B", "D"]
    assert report.as_dict()["rules"]["one_winner_per_round"] is True


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"method": "stv", "seats": 2, "quota": "hare", "fractional_threshold": True}, "Droop"),
        ({"method": "meek", "seats": 2, "fractional_threshold": True}, "irv and stv"),
        ({"method": "scottish", "seats": 2, "fractional_threshold": True}, "irv and stv"),
        ({"method": "stv", "seats": 2, "first_round_threshold": True}, "irv"),
        ({"method": "irv", "one_winner_per_round": True}, "stv"),
        ({"method": "meek", "seats": 2, "one_winner_per_round": True}, "stv"),
    ],
)
def test_options_that_do_not_apply_are_refused(rules, message):
    with pytest.raises(RulesError, match=message):
        Rules(**rules)
