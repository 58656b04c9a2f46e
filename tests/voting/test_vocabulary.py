"""The words of a vote are defined once, and every layer reads the same ones: a setting a
convener may choose is one the counting engine counts by, and the stored strings stay."""

from __future__ import annotations

import pytest

from deliberate.voting import vocabulary as v
from deliberate.voting.counting import CountMethod, CountQuota, Rules
from deliberate.voting.counting.consensus import ConsensusBallot, ConsensusRules
from deliberate.voting.counting.majority import MajorityRules
from deliberate.voting.results import engine_rules
from deliberate.voting.rules import Settings, check_settings


@pytest.mark.parametrize("variant", list(v.StvVariant))
@pytest.mark.parametrize("quota", list(v.Quota))
def test_every_stv_election_a_convener_may_set_up_is_one_the_engine_counts(variant, quota):
    settings = Settings(
        method=v.VoteMethod.STV,
        options=("Ana", "Ben", "Chloé"),
        seats=2,
        stv_variant=variant,
        quota=quota,
    )
    try:
        check_settings(settings)
    except Exception:  # a combination the rules refuse (Scottish or Meek with Hare)
        assert quota != v.Quota.DROOP
        return
    rules = engine_rules(settings)
    assert rules.method == CountMethod(variant)
    assert rules.quota in set(CountQuota)


@pytest.mark.parametrize("method", list(v.SINGLE_WINNER_METHODS))
@pytest.mark.parametrize("tie_break", list(v.TieBreak))
def test_every_single_winner_vote_is_counted_by_its_own_method(method, tie_break):
    settings = Settings(method=method, options=("Ana", "Ben"), tie_break=tie_break)
    rules = engine_rules(check_settings(settings))
    assert (rules.method, rules.tie_break) == (method, tie_break)
    assert isinstance(Rules(method=rules.method, tie_break=tie_break), Rules)


def test_the_unranked_counts_take_every_word_a_ballot_or_a_vote_may_hold():
    for threshold in v.Threshold:
        MajorityRules(threshold=threshold)
    for rule in v.BlockRule:
        ConsensusRules(on_block=rule, fallback="3/4" if rule == v.BlockRule.FALLBACK else None)
    for position in v.ConsensusPosition:
        ConsensusBallot(position, "a reason")


def test_the_stored_words_are_unchanged():
    """Columns, CHECK constraints, ballots and published results hold these strings."""
    assert [str(m) for m in v.VoteMethod] == ["majority", "irv", "stv", "consensus", "schulze"]
    assert [str(s) for s in v.StvVariant] == ["stv", "scottish", "meek"]
    assert [str(p) for p in v.ConsensusPosition] == [
        "agree",
        "agree_with_reservations",
        "stand_aside",
        "block",
    ]
    assert [str(c) for c in v.MajorityChoice] == ["yes", "no", "abstain"]
    assert [str(t) for t in v.RankedThreshold] == ["standard", "fractional", "first_round"]


def test_a_refusal_of_the_engine_lists_the_words_as_they_are_written():
    with pytest.raises(ValueError, match=r"expected one of \('irv', 'stv', 'scottish'"):
        Rules(method="borda")
    with pytest.raises(ValueError, match=r"expected one of \('simple', 'two_thirds', 'absolute'\)"):
        MajorityRules(threshold="half")
    with pytest.raises(ValueError, match=r"expected one of \('agree', 'agree_with_reservations'"):
        ConsensusBallot("maybe")
