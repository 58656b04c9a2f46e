"""The state rules of drafts and amendments, without an app."""

from __future__ import annotations

from deliberate.drafts import rules
from deliberate.drafts.rules import AmendmentState as A
from deliberate.drafts.rules import DraftState as D


def test_every_state_has_its_transitions_and_final_states_have_none():
    assert set(rules.DRAFT_TRANSITIONS) == set(D)
    assert set(rules.AMENDMENT_TRANSITIONS) == set(A)
    for state in rules.FINAL_DRAFT_STATES:
        assert rules.DRAFT_TRANSITIONS[state] == frozenset()
    for state in (A.REJECTED, A.RULED_OUT, A.WITHDRAWN, A.MERGED):
        assert rules.AMENDMENT_TRANSITIONS[state] == frozenset()
    assert set(rules.AMENDMENT_STATE_LABELS) == {s.value for s in A}
    assert sorted(rules.AMENDMENT_STATE_ORDER) == sorted(A)


def test_sets_derived_from_the_transitions_name_the_expected_states():
    assert {A.PROPOSED, A.TABLED} == rules.ACCEPTABLE_AMENDMENT_STATES
    assert {A.PROPOSED, A.TABLED, A.NEEDS_UPDATE} == rules.RULABLE_OUT_AMENDMENT_STATES
    assert {
        A.PROPOSED,
        A.TABLED,
        A.ACCEPTED,
        A.NEEDS_UPDATE,
    } == rules.WITHDRAWABLE_AMENDMENT_STATES
    assert {A.TABLED} == rules.VOTABLE_AMENDMENT_STATES
    assert {A.ACCEPTED, A.ADOPTED} == rules.MERGEABLE_AMENDMENT_STATES
    assert rules.MERGEABLE_AFTER_VOTE_STATES <= rules.MERGEABLE_AMENDMENT_STATES


def test_open_sets_nest():
    assert rules.COMMITTED_AMENDMENT_STATES <= rules.OPEN_AMENDMENT_STATES
    assert rules.SECONDABLE_AMENDMENT_STATES <= rules.OPEN_AMENDMENT_STATES
    assert rules.OPEN_AMENDMENT_STATES | {A.NEEDS_UPDATE} == rules.LIVE_AMENDMENT_STATES


def test_editable_until_the_first_second_or_while_needing_an_update():
    assert rules.is_editable(A.PROPOSED, 0)
    assert not rules.is_editable(A.PROPOSED, 1)
    assert rules.is_editable(A.NEEDS_UPDATE, 3)
    assert not rules.is_editable(A.TABLED, 0)
