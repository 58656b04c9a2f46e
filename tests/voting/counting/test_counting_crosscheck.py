"""The cross-checks (pyrankvote and pref-voting): the rules they are given, the rules they
cannot express said plainly, and never a crash, whatever the ballots and the rules."""

from __future__ import annotations

import json
import random
import sys
import warnings

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliberate.voting.counting import Rules, RulesError, count_grouped
from deliberate.voting.counting.ballots import group_ballots
from deliberate.voting.counting.crosscheck import cross_check_pref_voting, cross_checks
from deliberate.voting.tally import tally_command


def tally(tmp_path, text: str, *args: str):
    path = tmp_path / "ballots.csv"
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(tally_command, [str(path), "--cross-check", *args])


def witnesses(result) -> dict[str, dict]:
    assert result.exit_code == 0, result.output
    return {check["tool"]: check for check in json.loads(result.output)["cross_check"]}


def run(names: list[str], ballots, **rules):
    r = Rules(**rules)
    groups = group_ballots(ballots, names, r)
    report = count_grouped(names, groups, r)
    return report, cross_checks(names, groups, report)


OVERVOTE = "count,rank1,rank2\n5,A,\n1,B,\n4,C,\n2,D,B|C\n"


def test_an_overvote_kept_for_later_is_not_given_to_a_witness(tmp_path):
    # Before: pyrankvote was handed the overvote marker as a candidate (an IndexError).
    args = ("--overvote", "exhaust_if_multiple")
    result = tally(tmp_path, OVERVOTE, *args)
    assert result.exit_code == 0, result.output
    assert "Winners, in order of election: C" in result.output
    assert (
        "Cross-check: pyrankvote cannot express --overvote exhaust_if_multiple; "
        "not cross-checked." in result.output
    )
    assert (
        "Cross-check: pref-voting cannot express --overvote exhaust_if_multiple; "
        "not cross-checked." in result.output
    )
    for check in witnesses(tally(tmp_path, OVERVOTE, *args, "--json")).values():
        assert (check["theirs"], check["agree"], check["error"]) == (None, None, None)
        assert check["not_checked"].endswith("cannot express --overvote exhaust_if_multiple")
    # Without an overvote on any ballot the rule changes nothing: both witnesses count.
    plain = "count,rank1,rank2\n5,A,\n1,B,\n4,C,\n2,D,B\n"
    for check in witnesses(tally(tmp_path, plain, *args, "--json")).values():
        assert (check["not_checked"], check["theirs"], check["agree"]) == (None, ["A"], True)


def test_write_ins_are_counted_as_the_rules_say_by_both_witnesses(tmp_path):
    # Before: pyrankvote was given the write-ins as a candidate and elected them.
    text = "count,rank1,rank2\n3,Zed,B\n4,A,\n2,B,\n"
    args = ("--candidates", "A,B", "--write-in", "Write-ins", "--json")
    checks = witnesses(tally(tmp_path, text, *args))
    for check in checks.values():
        assert (check["ours"], check["theirs"], check["agree"]) == (["B"], ["B"], True)
    # The issue's STV count: quota 6 on all 16 votes, the write-ins' ballots to A first.
    stv = "count,rank1,rank2,rank3\n7,A,B,\n5,Smith,A,C\n3,B,,\n1,C,,\n"
    checks = witnesses(
        tally(
            tmp_path, stv, "--seats", "2", "--candidates", "A,B,C", "--write-in", "Smith", "--json"
        )
    )
    pref_voting = checks["pref-voting"]
    assert (pref_voting["theirs"], pref_voting["agree"]) == (["A", "B"], True)
    assert checks["pyrankvote"]["error"] is None
    assert "Smith" not in checks["pyrankvote"]["theirs"]


@pytest.mark.parametrize(
    ("args", "cannot"),
    [
        (("--one-winner-per-round",), "--one-winner-per-round"),
        (("--quota", "hare"), "--quota hare"),
        (("--decimals", "4"), "--decimals 4"),
        (("--fractional-threshold",), "--fractional-threshold with STV"),
        (("--batch-elimination",), "--batch-elimination with STV"),
        (("--method", "meek", "--decimals", "6"), "--decimals 6 with Meek's method"),
    ],
)
def test_pref_voting_says_which_rule_it_cannot_express(tmp_path, args, cannot):
    text = "count,rank1,rank2,rank3\n8,A,B,C\n6,B,D,\n3,C,,\n3,D,,\n"
    result = tally(tmp_path, text, "--seats", "3", *args)
    assert f"Cross-check: pref-voting cannot express {cannot}; not cross-checked." in (
        result.output
    )
    checks = witnesses(tally(tmp_path, text, "--seats", "3", *args, "--json"))
    assert checks["pref-voting"]["agree"] is None
    # pyrankvote is not exact anyway: it counts, and says why it may differ.
    assert checks["pyrankvote"]["theirs"] is not None


@pytest.mark.parametrize(
    ("method", "quota", "seats"),
    [
        ("irv", "droop", 1),
        ("stv", "droop", 2),
        ("stv", "droop_exact", 2),
        ("scottish", "droop", 2),
        ("meek", "droop", 2),
        ("schulze", "droop", 1),
    ],
)
def test_pref_voting_counts_each_method_it_can_express(method, quota, seats):
    # Food election (the pyrankvote and OpenSTV example), every method.
    names = ["Oranges", "Pears", "Chocolate", "Strawberries", "Hamburgers"]
    ballots = [
        (["Oranges"], 4),
        (["Pears", "Oranges"], 2),
        (["Chocolate", "Strawberries"], 8),
        (["Chocolate", "Hamburgers"], 4),
        (["Strawberries"], 1),
        (["Hamburgers"], 1),
    ]
    report, (_, check) = run(names, ballots, method=method, quota=quota, seats=seats)
    assert (check.not_checked, check.error) == (None, None)
    assert sorted(check.theirs or []) == sorted(report.winners)
    assert check.agree is True


def test_the_lot_is_given_to_pref_voting():
    # Round 1: A 3, B 2, C 2: the lot decides whether B or C goes, and so who wins.
    ballots = [(["A"], 3), (["B"], 2), (["C", "B"], 2)]
    for lot, winner in ((("A", "C", "B"), "A"), (("A", "B", "C"), "B")):
        report, (_, check) = run(["A", "B", "C"], ballots, tie_order=lot, tie_break="lot")
        assert report.winners == [winner]
        assert (check.theirs, check.agree) == ([winner], True)


def test_a_failing_or_missing_witness_is_reported(monkeypatch):
    import pref_voting.proportional_methods as methods

    def crash(*args, **kwargs):
        warnings.warn("not vetted", UserWarning, stacklevel=1)
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(methods, "stv_wig", crash)
    ballots = [(["A", "B"], 3), (["B"], 2), (["C"], 2)]
    report, (_, check) = run(["A", "B", "C"], ballots, method="stv", seats=2)
    assert check.error == "ZeroDivisionError: float division by zero"
    assert check.agree is None
    assert "could not count these ballots (ZeroDivisionError" in check.describe()

    monkeypatch.setitem(sys.modules, "pref_voting.profiles_with_ties", None)
    check = cross_check_pref_voting(["A", "B", "C"], {(0, 1): 3, (1,): 2, (2,): 2}, report)
    assert check.not_checked == "pref-voting is not installed"


# --- never a crash ----------------------------------------------------------------------------

NAMES = ["A", "B", "C", "D", "W"]


@st.composite
def raw_ballots(draw):
    """Ballots with every kind of position: a name, an overvote, a skipped rank, a repeat."""
    position = st.one_of(
        st.sampled_from(NAMES),
        st.lists(st.sampled_from(NAMES), min_size=2, max_size=3, unique=True),
        st.just([]),
    )
    return draw(
        st.lists(
            st.tuples(st.lists(position, max_size=5), st.integers(min_value=0, max_value=6)),
            max_size=10,
        )
    )


@st.composite
def any_rules(draw):
    method = draw(st.sampled_from(["irv", "stv", "scottish", "meek", "schulze"]))
    one_seat = method in ("irv", "schulze")
    options = {
        "method": method,
        "seats": 1 if one_seat else draw(st.integers(min_value=1, max_value=4)),
        "quota": draw(st.sampled_from(["droop", "droop_exact", "hare"])),
        "decimals": draw(st.sampled_from([None, None, 2, 5, 9])),
        "batch_elimination": draw(st.booleans()),
        "overvote": draw(st.sampled_from(["exhaust", "skip", "exhaust_if_multiple"])),
        "max_skipped": draw(st.sampled_from([None, 0, 1])),
        "duplicates": draw(st.sampled_from(["skip", "exhaust"])),
        "tie_order": tuple(draw(st.permutations(NAMES))),
        "tie_break": draw(st.sampled_from(["earlier_rounds", "lot"])),
        "continue_until_two": draw(st.booleans()),
        "excluded": tuple(draw(st.lists(st.sampled_from(NAMES[:4]), max_size=2, unique=True))),
        "write_in": draw(st.sampled_from([None, "W"])),
        "fractional_threshold": draw(st.booleans()),
        "first_round_threshold": draw(st.booleans()),
        "one_winner_per_round": draw(st.booleans()),
    }
    try:
        return Rules(**options)
    except RulesError:
        # Options that do not go together: drop the ones the method does not take.
        for name in (
            "decimals",
            "write_in",
            "batch_elimination",
            "continue_until_two",
            "fractional_threshold",
            "first_round_threshold",
            "one_winner_per_round",
        ):
            options[name] = Rules.__dataclass_fields__[name].default
        if method in ("scottish", "meek"):
            options["quota"] = "droop"
        if method in ("meek", "schulze") and options["overvote"] == "exhaust_if_multiple":
            options["overvote"] = "skip"
        return Rules(**options)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(raw_ballots(), any_rules())
def test_a_cross_check_never_raises_and_always_answers(ballots, rules):
    groups = group_ballots(ballots, NAMES, rules)
    report = count_grouped(NAMES, groups, rules)
    state = random.getstate()
    checks = cross_checks(NAMES, groups, report)
    assert random.getstate() == state
    assert [c.tool for c in checks] == ["pyrankvote", "pref-voting"]
    for check in checks:
        # Exactly one answer: winners, a plain "cannot", or the witness's own failure.
        answered = [check.theirs is not None, check.not_checked is not None]
        assert answered.count(True) + (check.error is not None) == 1, check
        assert (check.agree is not None) == (check.theirs is not None)
        assert check.describe().startswith("Cross-check: ")
        json.dumps(check.as_dict())
    # And the same answer every time.
    again = cross_checks(NAMES, groups, report)
    assert [c.as_dict() for c in again] == [c.as_dict() for c in checks]


@st.composite
def expressible(draw):
    """Ballots without overvotes kept for later, and rules pref-voting can express."""
    n = draw(st.integers(min_value=3, max_value=4))
    names = [*NAMES[:n], "W"]
    ballots = [
        (draw(st.permutations(names))[: draw(st.integers(1, n + 1))], draw(st.integers(1, 12)))
        for _ in range(draw(st.integers(min_value=1, max_value=12)))
    ]
    method = draw(st.sampled_from(["irv", "stv", "scottish", "meek", "schulze"]))
    options: dict = {"method": method, "tie_order": tuple(draw(st.permutations(names)))}
    options["excluded"] = tuple(draw(st.lists(st.sampled_from(names[:2]), max_size=1)))
    if method != "schulze":
        options["write_in"] = draw(st.sampled_from([None, "W"]))
    if method in ("stv", "scottish", "meek"):
        options["seats"] = draw(st.integers(min_value=1, max_value=3))
    if method == "stv":
        options["quota"] = draw(st.sampled_from(["droop", "droop_exact"]))
    if method == "irv":
        for name in (
            "continue_until_two",
            "first_round_threshold",
            "fractional_threshold",
            "batch_elimination",
        ):
            options[name] = draw(st.booleans())
        options["tie_break"] = draw(st.sampled_from(["earlier_rounds", "lot"]))
    return names, ballots, Rules(**options)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(expressible())
def test_pref_voting_elects_the_same_where_it_can_express_the_rules(election):
    # Where the count had no tie, the winners are the same; Meek's method may differ only
    # in a near-tie, for the arithmetic (floating point there, 9 decimal places here).
    names, ballots, rules = election
    groups = group_ballots(ballots, names, rules)
    report = count_grouped(names, groups, rules)
    check = cross_check_pref_voting(names, groups, report)
    assert (check.not_checked, check.error) == (None, None)
    if report.ties:
        return
    if rules.method == "meek" and not check.agree:
        assert any("floating point" in reason for reason in check.reasons)
        return
    assert check.agree, (report.winners, check.theirs)
