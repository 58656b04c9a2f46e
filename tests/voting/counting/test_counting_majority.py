"""Yes/no/abstain votes: thresholds, abstentions, quorum, hand-computed."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction as F  # noqa: N817 - short for readable expected values

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deliberate.voting.counting.majority import (
    MajorityRules,
    count_majority,
    count_majority_ballots,
)
from deliberate.voting.counting.model import BallotError, RulesError
from deliberate.voting.counting.quorum import mixed, quorum_required


def rules(threshold: str = "simple", **kwargs) -> MajorityRules:
    return MajorityRules(threshold=threshold, **kwargs)


# --- simple majority -------------------------------------------------------------------------


def test_simple_majority_of_yes_and_no():
    # Base 15 + 10 = 25; more than 25/2 means 13 yes at least; abstentions only reported.
    result = count_majority(15, 10, 5, roll=40, rules=rules(quorum=F(1, 2)))
    assert result.participation == 30
    assert result.quorum_required == 20
    assert result.quorum_met
    assert result.base == 25
    assert result.required_exact == F(25, 2)
    assert result.required == 13
    assert result.strict
    assert result.adopted
    assert result.explanation == (
        "Adopted: 15 yes; 13 needed (more than 12 1/2, half of the 25 yes and no votes)."
    )


def test_simple_majority_tie_is_not_adopted():
    result = count_majority(10, 10, 3, roll=30)
    assert result.base == 20
    assert result.required == 11
    assert not result.adopted
    assert result.explanation == (
        "Not adopted: 10 yes, 10 no: a tie; 11 needed (more than 10, half of the 20 yes and "
        "no votes)."
    )


def test_one_vote_more_than_half():
    assert count_majority(11, 10, roll=30).adopted
    assert count_majority(1, 0, roll=30).adopted


def test_abstentions_in_the_base_weigh_like_a_no():
    # 15 yes, 10 no, 6 abstain: 15 > 25/2 without abstentions, 15 < 31/2 with them.
    assert count_majority(15, 10, 6, roll=40).adopted
    counted = count_majority(15, 10, 6, roll=40, rules=rules(abstentions_count=True))
    assert counted.base == 31
    assert counted.required_exact == F(31, 2)
    assert counted.required == 16
    assert not counted.adopted
    assert "of the 31 yes, no and abstain votes" in counted.explanation


# --- two-thirds ------------------------------------------------------------------------------


def test_two_thirds_is_reached_at_exactly_two_thirds():
    # 20 of 30 is exactly 2/3: "at least two-thirds" adopts.
    exact = count_majority(20, 10, 4, roll=40, rules=rules("two_thirds"))
    assert exact.base == 30
    assert exact.share == F(2, 3)
    assert not exact.strict
    assert exact.required_exact == 20
    assert exact.required == 20
    assert exact.adopted
    assert exact.explanation == (
        "Adopted: 20 yes; 20 needed (at least 20, two-thirds of the 30 yes and no votes)."
    )
    assert count_majority(2, 1, roll=3, rules=rules("two_thirds")).adopted


def test_two_thirds_just_short():
    # 19 of 29: two-thirds of 29 is 19 1/3, so 20 are needed.
    result = count_majority(19, 10, roll=40, rules=rules("two_thirds"))
    assert result.required_exact == F(58, 3)
    assert result.required == 20
    assert not result.adopted
    assert "(at least 19 1/3, two-thirds of the 29 yes and no votes)" in result.explanation


def test_two_thirds_with_abstentions_in_the_base():
    # 20 yes, 10 no, 1 abstain: 2/3 of 31 is 20 2/3, so 21 needed.
    result = count_majority(20, 10, 1, roll=40, rules=rules("two_thirds", abstentions_count=True))
    assert result.required_exact == F(62, 3)
    assert result.required == 21
    assert not result.adopted


def test_two_thirds_of_nothing_still_needs_one_yes():
    result = count_majority(0, 0, 5, roll=10, rules=rules("two_thirds"))
    assert result.base == 0
    assert result.required_exact == 0
    assert result.required == 1
    assert not result.adopted
    assert result.explanation == (
        "Not adopted: 0 yes; 1 needed (at least 0, two-thirds of the 0 yes and no votes and "
        "never fewer than one)."
    )


# --- absolute majority -----------------------------------------------------------------------


def test_absolute_majority_is_of_the_roll():
    # Roll 40: more than 20 yes, whoever else voted or not.
    result = count_majority(21, 0, roll=40, rules=rules("absolute"))
    assert result.base == 40
    assert result.required_exact == 20
    assert result.required == 21
    assert result.adopted
    assert result.explanation == (
        "Adopted: 21 yes; 21 needed (more than 20, half of the 40 members on the roll)."
    )
    short = count_majority(20, 1, 2, roll=40, rules=rules("absolute"))
    assert not short.adopted
    # A large majority of those voting is not enough.
    assert not count_majority(15, 1, roll=40, rules=rules("absolute")).adopted
    # An odd roll: more than 41/2 is 21.
    assert count_majority(21, 20, roll=41, rules=rules("absolute")).adopted


def test_absolute_majority_refuses_the_abstention_setting():
    with pytest.raises(RulesError, match="absolute majority"):
        MajorityRules(threshold="absolute", abstentions_count=True)


# --- quorum and turnout ----------------------------------------------------------------------


def test_quorum_is_reached_at_equality():
    # 1/2 of 10 = 5 must take part.
    assert count_majority(5, 0, roll=10, rules=rules(quorum=F(1, 2))).quorum_met
    assert not count_majority(4, 0, roll=10, rules=rules(quorum=F(1, 2))).quorum_met


def test_quorum_rounds_up_to_whole_members():
    # 1/3 of 10 is 3 1/3: 4 members must take part.
    assert quorum_required(F(1, 3), 10) == 4
    short = count_majority(3, 0, roll=10, rules=rules(quorum=F(1, 3)))
    assert short.quorum_required == 4
    assert not short.quorum_met
    assert not short.adopted
    assert short.explanation == (
        "Not adopted: quorum not met (3 of 10 took part; 4 needed, 1/3 of the roll)."
    )
    assert count_majority(3, 0, 1, roll=10, rules=rules(quorum=F(1, 3))).adopted


def test_abstentions_and_blank_papers_count_towards_quorum():
    result = count_majority(3, 1, 0, roll=10, participation=6, rules=rules(quorum=F(3, 5)))
    assert result.blank == 2
    assert result.quorum_required == 6
    assert result.quorum_met
    assert result.adopted


def test_a_no_vote_can_bring_the_quorum():
    # The quorum paradox, shown as it is: 5 yes out of a roll of 12 with a quorum of 1/2 is
    # short of quorum; one member more voting no makes 6 and the motion is adopted 5 to 1.
    half = rules(quorum=F(1, 2))
    assert not count_majority(5, 0, roll=12, rules=half).adopted
    assert count_majority(5, 1, roll=12, rules=half).adopted


def test_quorum_of_the_whole_roll():
    assert count_majority(9, 0, roll=10, rules=rules(quorum=1)).quorum_required == 10
    assert not count_majority(9, 0, roll=10, rules=rules(quorum=1)).adopted
    assert count_majority(9, 0, 1, roll=10, rules=rules(quorum=1)).adopted


@pytest.mark.parametrize("value", [F(1, 2), "1/2", " 0.5 ", Decimal("0.5")])
def test_quorum_spellings(value):
    assert MajorityRules(quorum=value).quorum == F(1, 2)


@pytest.mark.parametrize("value", [0.5, True, "half", "3/2", -1, "1/0", None, [1]])
def test_bad_quorum(value):
    with pytest.raises(RulesError, match="quorum"):
        MajorityRules(quorum=value)


def test_bad_rules():
    with pytest.raises(RulesError, match="unknown threshold"):
        MajorityRules(threshold="three_quarters")
    with pytest.raises(RulesError, match="abstentions_count"):
        MajorityRules(abstentions_count=1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((-1, 0), {"roll": 5}, "yes must not be negative"),
        ((1, True), {"roll": 5}, "no must be a whole number"),
        ((1, 0, 1.0), {"roll": 5}, "abstain must be a whole number"),
        ((3, 3), {"roll": 5}, "6 members took part but the roll has only 5"),
        ((3, 1), {"roll": 5, "participation": 3}, "4 ballots were cast but only 3"),
        ((0, 0), {"roll": -1}, "the roll must not be negative"),
        ((0, 0), {"roll": 5, "participation": "2"}, "participation must be a whole number"),
    ],
)
def test_counts_that_do_not_add_up(args, kwargs, message):
    with pytest.raises(BallotError, match=message):
        count_majority(*args, **kwargs)


def test_empty_roll():
    result = count_majority(0, 0, roll=0)
    assert result.quorum_met
    assert result.required == 1
    assert not result.adopted


# --- ballots and JSON ------------------------------------------------------------------------


def test_from_ballots():
    ballots = ["yes"] * 4 + ["no"] * 2 + ["abstain"]
    result = count_majority_ballots(ballots, roll=10, rules=rules(quorum=F(1, 2)))
    assert (result.yes, result.no, result.abstain, result.participation) == (4, 2, 1, 7)
    assert result == count_majority(4, 2, 1, roll=10, rules=rules(quorum=F(1, 2)))
    with pytest.raises(BallotError, match="'maybe' is not a choice"):
        count_majority_ballots(["yes", "maybe"], roll=10)


def test_json_shape():
    result = count_majority(15, 10, 5, roll=40, rules=rules(quorum=F(1, 2)))
    assert json.loads(result.to_json()) == {
        "kind": "majority",
        "version": 1,
        "threshold": "simple",
        "abstentions_count": False,
        "quorum": "1/2",
        "roll": 40,
        "participation": 30,
        "quorum_required": 20,
        "quorum_met": True,
        "counts": {"yes": 15, "no": 10, "abstain": 5},
        "blank": 0,
        "base": 25,
        "share": "1/2",
        "strict": True,
        "required_exact": "25/2",
        "required": 13,
        "adopted": True,
        "explanation": (
            "Adopted: 15 yes; 13 needed (more than 12 1/2, half of the 25 yes and no votes)."
        ),
    }


def test_result_is_frozen():
    result = count_majority(1, 0, roll=1)
    with pytest.raises(AttributeError):
        result.adopted = False  # type: ignore[misc]


@pytest.mark.parametrize(
    ("value", "text"),
    [(F(0), "0"), (F(12), "12"), (F(25, 2), "12 1/2"), (F(1, 3), "1/3"), (F(62, 3), "20 2/3")],
)
def test_mixed(value, text):
    assert mixed(value) == text


# --- properties ------------------------------------------------------------------------------

SETTINGS = settings(max_examples=300, deadline=None)


@st.composite
def votes(draw):
    yes = draw(st.integers(0, 60))
    no = draw(st.integers(0, 60))
    abstain = draw(st.integers(0, 20))
    blank = draw(st.integers(0, 5))
    absent = draw(st.integers(0, 60))
    threshold = draw(st.sampled_from(["simple", "two_thirds", "absolute"]))
    counted = threshold != "absolute" and draw(st.booleans())
    quorum = draw(st.fractions(min_value=0, max_value=1, max_denominator=12))
    participation = yes + no + abstain + blank
    roll = participation + absent
    rule = MajorityRules(threshold=threshold, abstentions_count=counted, quorum=quorum)
    return yes, no, abstain, participation, roll, rule


@SETTINGS
@given(votes())
def test_threshold_equivalences(vote):
    yes, no, abstain, participation, roll, rule = vote
    result = count_majority(yes, no, abstain, roll=roll, participation=participation, rules=rule)
    q = rule.quorum
    assert result.quorum_met == (participation * q.denominator >= q.numerator * roll)
    assert result.adopted == (result.quorum_met and yes >= result.required)
    # The whole-number requirement is the exact line, met strictly or not, and at least one.
    meets_line = yes > result.required_exact if result.strict else yes >= result.required_exact
    assert (yes >= result.required) == (meets_line and yes >= 1)
    if result.quorum_met:
        if rule.threshold == "simple" and not rule.abstentions_count:
            assert result.adopted == (yes > no)
        elif rule.threshold == "simple":
            assert result.adopted == (yes > no + abstain)
        elif rule.threshold == "two_thirds" and not rule.abstentions_count:
            assert result.adopted == (yes >= 2 * no and yes >= 1)
        elif rule.threshold == "two_thirds":
            assert result.adopted == (yes >= 2 * (no + abstain) and yes >= 1)
        else:
            assert result.adopted == (2 * yes > roll)


@SETTINGS
@given(votes())
def test_one_more_yes_never_hurts_one_more_no_never_helps(vote):
    yes, no, abstain, participation, roll, rule = vote
    before = count_majority(yes, no, abstain, roll=roll, participation=participation, rules=rule)
    more_yes = count_majority(
        yes + 1, no, abstain, roll=roll + 1, participation=participation + 1, rules=rule
    )
    more_no = count_majority(
        yes, no + 1, abstain, roll=roll + 1, participation=participation + 1, rules=rule
    )
    if before.adopted and before.threshold != "absolute":
        assert more_yes.adopted
    # (Only once the quorum is met: a no that brings the quorum can adopt a motion; see
    # test_a_no_vote_can_bring_the_quorum.)
    if not before.adopted and before.quorum_met and before.threshold != "absolute":
        assert not more_no.adopted
    # Against a fixed roll: a no turned into a yes never hurts.
    if no:
        switched = count_majority(
            yes + 1, no - 1, abstain, roll=roll, participation=participation, rules=rule
        )
        assert switched.adopted or not before.adopted


@SETTINGS
@given(votes(), st.randoms(use_true_random=False))
def test_ballots_in_any_order_and_json_round_trip(vote, rnd):
    yes, no, abstain, participation, roll, rule = vote
    ballots = ["yes"] * yes + ["no"] * no + ["abstain"] * abstain
    rnd.shuffle(ballots)
    result = count_majority_ballots(ballots, roll=roll, participation=participation, rules=rule)
    assert result == count_majority(
        yes, no, abstain, roll=roll, participation=participation, rules=rule
    )
    data = json.loads(result.to_json())
    assert data == result.as_dict()
    assert F(data["required_exact"]) == result.required_exact
    assert F(data["quorum"]) == result.quorum
    assert sum(data["counts"].values()) + data["blank"] == data["participation"]
