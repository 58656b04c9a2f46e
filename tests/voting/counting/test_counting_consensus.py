"""Consensus votes: blocks and the three block rules, stand-asides, reasons, quorum."""

from __future__ import annotations

import json
from fractions import Fraction as F  # noqa: N817 - short for readable expected values

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deliberate.voting.counting.consensus import (
    OUTCOMES,
    POSITIONS,
    ConsensusBallot,
    ConsensusRules,
    count_consensus,
)
from deliberate.voting.counting.model import BallotError, RulesError

B = ConsensusBallot


def ballots(agree=0, reservations=0, stand_aside=0, block=0) -> list[ConsensusBallot]:
    return (
        [B("agree")] * agree
        + [B("agree_with_reservations")] * reservations
        + [B("stand_aside")] * stand_aside
        + [B("block", f"objection {i}") for i in range(block)]
    )


FALLBACK = ConsensusRules(on_block="fallback", fallback=F(3, 4))


# --- outcomes --------------------------------------------------------------------------------


def test_consensus_with_reservations_and_stand_asides():
    cast = [
        B("agree"),
        B("agree", "Long overdue."),
        B("agree_with_reservations", "timing is tight"),
        B("agree_with_reservations", "  Cost is high  "),
        B("agree_with_reservations"),
        B("stand_aside", "Conflict of interest"),
    ]
    result = count_consensus(cast, roll=10, rules=ConsensusRules(quorum=F(1, 2)))
    assert result.outcome == "consensus"
    assert result.adopted
    counts = (result.agree, result.agree_with_reservations, result.stand_aside, result.block)
    assert counts == (2, 3, 1, 0)
    assert result.participation == 6
    assert result.quorum_required == 5
    assert result.support == 5
    assert result.agree_reasons == ("Long overdue.",)
    assert result.reservations == ("Cost is high", "timing is tight")
    assert result.stand_aside_reasons == ("Conflict of interest",)
    assert result.block_reasons == ()
    assert result.block_rule_effect == (
        "No block: consensus holds and the block rule does not apply."
    )


def test_block_means_no_decision():
    result = count_consensus(ballots(agree=9, block=1), roll=10)
    assert result.outcome == "not_adopted"
    assert not result.adopted
    assert result.block_reasons == ("objection 0",)
    assert result.block_rule_effect == "1 block: no decision, as the vote's rule on a block says."


def test_block_sends_to_a_second_round():
    rule = ConsensusRules(on_block="second_round")
    result = count_consensus(ballots(agree=9, block=2), roll=12, rules=rule)
    assert result.outcome == "second_round_needed"
    assert not result.adopted
    assert result.block_rule_effect == (
        "2 blocks: a second round is needed after further debate, as the vote's rule on a "
        "block says."
    )


def test_fallback_supermajority_adopts():
    # 24 of 40 take part; 3 stand aside, so the base is 21; support 15 + 4 = 19 ≥ 3/4 × 21.
    rule = ConsensusRules(on_block="fallback", fallback=F(3, 4), quorum=F(1, 2))
    result = count_consensus(ballots(15, 4, 3, 2), roll=40, rules=rule)
    assert result.outcome == "adopted_by_fallback"
    assert result.adopted
    assert result.support == 19
    assert result.fallback_base == 21
    assert result.block_rule_effect == (
        "2 blocks: the fallback applies; 19 of 21 (agree and agree with reservations, of "
        "those who took part less those who stood aside) is at least 3/4: adopted."
    )


def test_fallback_reached_exactly():
    # 3 of 4 is exactly 3/4.
    result = count_consensus(ballots(agree=2, reservations=1, block=1), roll=4, rules=FALLBACK)
    assert result.outcome == "adopted_by_fallback"


def test_fallback_not_reached():
    # 5 of 7 is less than 3/4.
    result = count_consensus(ballots(agree=5, block=2), roll=7, rules=FALLBACK)
    assert result.outcome == "not_adopted"
    assert result.block_rule_effect == (
        "2 blocks: the fallback applies; 5 of 7 (agree and agree with reservations, of those "
        "who took part less those who stood aside) is less than 3/4: not adopted."
    )


def test_stand_asides_leave_the_fallback_base():
    # 3 agree, 1 block, 10 stand aside: 3 of 4, not 3 of 14.
    result = count_consensus(ballots(agree=3, stand_aside=10, block=1), roll=14, rules=FALLBACK)
    assert result.fallback_base == 4
    assert result.outcome == "adopted_by_fallback"


def test_blank_papers_stay_in_the_fallback_base():
    # 3 agree, 1 block, one more member took part without a position: 3 of 5.
    result = count_consensus(ballots(agree=3, block=1), roll=10, participation=5, rules=FALLBACK)
    assert result.blank == 1
    assert result.fallback_base == 5
    assert result.outcome == "not_adopted"


def test_fallback_of_one_is_never_reached_with_a_block():
    rule = ConsensusRules(on_block="fallback", fallback=1)
    assert count_consensus(ballots(agree=99, block=1), roll=100, rules=rule).outcome == (
        "not_adopted"
    )


def test_quorum_not_met_decides_nothing_even_with_a_block():
    rule = ConsensusRules(on_block="second_round", quorum=F(1, 2))
    result = count_consensus(ballots(agree=3, block=1), roll=10, rules=rule)
    assert result.quorum_required == 5
    assert result.outcome == "quorum_not_met"
    assert not result.adopted
    assert result.block_rule_effect == (
        "Quorum not met (4 of 10 took part, 5 needed): nothing is decided and the block rule "
        "does not apply."
    )
    # Stand-asides take part: one more reaches the quorum.
    more = count_consensus(ballots(agree=3, stand_aside=1, block=1), roll=10, rules=rule)
    assert more.outcome == "second_round_needed"


def test_nobody_agreeing_is_not_consensus():
    result = count_consensus(ballots(stand_aside=5), roll=5)
    assert result.outcome == "not_adopted"
    assert result.block_rule_effect == (
        "No block, but nobody agreed: not adopted; the block rule does not apply."
    )
    assert count_consensus([], roll=0).outcome == "not_adopted"


# --- ballots and rules -----------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n", None])
def test_block_needs_a_reason(reason):
    with pytest.raises(BallotError, match="a block needs a reason"):
        ConsensusBallot("block", reason)  # type: ignore[arg-type]


def test_bad_ballots():
    with pytest.raises(BallotError, match="'veto' is not a position"):
        ConsensusBallot("veto", "no")
    with pytest.raises(BallotError, match="a reason must be text"):
        ConsensusBallot("agree", 3)  # type: ignore[arg-type]
    with pytest.raises(BallotError, match="is not a consensus ballot"):
        count_consensus([("agree", "")], roll=3)  # type: ignore[list-item]
    with pytest.raises(BallotError, match="the roll has only 1"):
        count_consensus(ballots(agree=2), roll=1)
    with pytest.raises(BallotError, match="2 ballots were cast but only 1"):
        count_consensus(ballots(agree=2), roll=3, participation=1)


def test_a_reason_is_stripped_and_empty_means_none():
    assert ConsensusBallot("stand_aside", "  busy \n").reason == "busy"
    assert ConsensusBallot("agree", None).reason == ""  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"on_block": "veto"}, "unknown block rule"),
        ({"on_block": "fallback"}, "needs a fallback share"),
        ({"on_block": "fallback", "fallback": F(1, 2)}, "more than 1/2"),
        ({"on_block": "fallback", "fallback": 0.75}, "exact fraction"),
        ({"on_block": "fallback", "fallback": F(5, 4)}, "between 0 and 1"),
        ({"on_block": "no_decision", "fallback": F(3, 4)}, "only to the fallback block rule"),
        ({"quorum": "2"}, "the quorum must be between 0 and 1"),
    ],
)
def test_bad_rules(kwargs, message):
    with pytest.raises(RulesError, match=message):
        ConsensusRules(**kwargs)


def test_fallback_spelled_as_text():
    assert ConsensusRules(on_block="fallback", fallback="3/4").fallback == F(3, 4)
    assert ConsensusRules(on_block="fallback", fallback=" 0.75").fallback == F(3, 4)


def test_reasons_sorted_case_insensitively_duplicates_kept():
    cast = [B("stand_aside", r) for r in ["beta", "Alpha", "alpha", "beta", "Gamma"]]
    result = count_consensus(cast, roll=5)
    assert result.stand_aside_reasons == ("Alpha", "alpha", "beta", "beta", "Gamma")


def test_json_shape():
    cast = [
        *ballots(agree=15, stand_aside=2, block=0),
        B("agree_with_reservations", "the budget"),
        B("stand_aside", "away in May"),
        B("block", "It breaks our bylaws"),
        B("block", "against the program"),
    ]
    rule = ConsensusRules(on_block="fallback", fallback="3/4", quorum=F(1, 2))
    data = json.loads(count_consensus(cast, roll=40, rules=rule).to_json())
    assert data == {
        "kind": "consensus",
        "version": 1,
        "on_block": "fallback",
        "fallback": "3/4",
        "quorum": "1/2",
        "roll": 40,
        "participation": 21,
        "quorum_required": 20,
        "quorum_met": True,
        "counts": {"agree": 15, "agree_with_reservations": 1, "stand_aside": 3, "block": 2},
        "blank": 0,
        "support": 16,
        "fallback_base": 18,
        "reasons": {
            "agree": [],
            "agree_with_reservations": ["the budget"],
            "stand_aside": ["away in May"],
            "block": ["against the program", "It breaks our bylaws"],
        },
        "outcome": "adopted_by_fallback",
        "adopted": True,
        "block_rule_effect": (
            "2 blocks: the fallback applies; 16 of 18 (agree and agree with reservations, of "
            "those who took part less those who stood aside) is at least 3/4: adopted."
        ),
    }
    plain = json.loads(count_consensus([B("agree")], roll=1).to_json())
    assert plain["fallback"] is None
    assert plain["on_block"] == "no_decision"


# --- properties ------------------------------------------------------------------------------

SETTINGS = settings(max_examples=200, deadline=None)
REASONS = st.sampled_from(["", "a", "B", "b", "cost", "Cost", " spaced "])


@st.composite
def consensus_votes(draw):
    cast = []
    for _ in range(draw(st.integers(0, 25))):
        position = draw(st.sampled_from(POSITIONS))
        reason = draw(REASONS)
        if position == "block" and not reason.strip():
            reason = "objection"
        cast.append(B(position, reason))
    blank = draw(st.integers(0, 3))
    absent = draw(st.integers(0, 20))
    on_block = draw(st.sampled_from(["no_decision", "second_round", "fallback"]))
    fallback = None
    if on_block == "fallback":
        fallback = draw(st.sampled_from([F(2, 3), F(3, 4), F(4, 5), F(9, 10), F(1)]))
    quorum = draw(st.fractions(min_value=0, max_value=1, max_denominator=10))
    rule = ConsensusRules(on_block=on_block, fallback=fallback, quorum=quorum)
    participation = len(cast) + blank
    return cast, participation, participation + absent, rule


@SETTINGS
@given(consensus_votes(), st.randoms(use_true_random=False))
def test_outcome_rules_and_order_independence(vote, rnd):
    cast, participation, roll, rule = vote
    result = count_consensus(cast, roll=roll, participation=participation, rules=rule)
    shuffled = list(cast)
    rnd.shuffle(shuffled)
    assert count_consensus(shuffled, roll=roll, participation=participation, rules=rule) == result
    assert result.outcome in OUTCOMES
    assert result.outcome == "quorum_not_met" or result.quorum_met
    assert (result.outcome == "consensus") == (
        result.quorum_met and result.block == 0 and result.support >= 1
    )
    if result.outcome == "adopted_by_fallback":
        assert rule.on_block == "fallback"
        assert result.block > 0
        assert F(result.support, result.fallback_base) >= result.fallback
    if result.outcome == "second_round_needed":
        assert rule.on_block == "second_round"
        assert result.block > 0
    assert result.block == len(result.block_reasons)
    positions = (result.agree, result.agree_with_reservations, result.stand_aside, result.block)
    assert sum(positions) + result.blank == result.participation


@SETTINGS
@given(consensus_votes(), st.data())
def test_lifting_a_block_never_hurts(vote, data):
    cast, participation, roll, rule = vote
    blocks = [i for i, b in enumerate(cast) if b.position == "block"]
    if not blocks:
        return
    i = data.draw(st.sampled_from(blocks))
    new_position = data.draw(st.sampled_from(["agree", "agree_with_reservations"]))
    lifted = [*cast[:i], B(new_position), *cast[i + 1 :]]
    before = count_consensus(cast, roll=roll, participation=participation, rules=rule)
    after = count_consensus(lifted, roll=roll, participation=participation, rules=rule)
    assert after.adopted or not before.adopted


@SETTINGS
@given(consensus_votes())
def test_json_round_trip(vote):
    cast, participation, roll, rule = vote
    result = count_consensus(cast, roll=roll, participation=participation, rules=rule)
    data = json.loads(result.to_json())
    assert data == result.as_dict()
    assert data["adopted"] == result.adopted
    for position in POSITIONS:
        reasons = data["reasons"][position]
        assert reasons == sorted(reasons, key=lambda t: (t.casefold(), t))
        assert all(r and r == r.strip() for r in reasons)
