"""Ballot files (BLT, CSV) and the tally command."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from deliberate.voting.counting.formats import FormatError, parse_blt, parse_csv
from deliberate.voting.tally import tally_command

FOOD_BLT = """\
5 3
4 1 0
2 2 1 0
8 3 4 0
4 3 5 0
1 4 0
1 5 0
0
"Oranges"
"Pears"
"Chocolate"
"Strawberries"
"Hamburgers"
"Food"
"""


def tally(tmp_path, name: str, text: str, *args: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(tally_command, [str(path), *args])


# --- BLT -------------------------------------------------------------------------------------


def test_parse_blt_with_withdrawn_equal_ranks_skips_and_ids():
    text = """\
# a comment
4 2
-4
3 1 2 0
(b2) 2 2=3 1 0
1 1 - 4 2 0
0
"Ana" "Ben"
"Chloé"
"Dev"
"Board \\"2026\\""
"""
    election = parse_blt(text)
    assert election.candidates == ["Ana", "Ben", "Chloé"]
    assert election.withdrawn == ["Dev"]
    assert election.seats == 2
    assert election.title == 'Board "2026"'
    assert election.ballots == [
        ((("Ana",), ("Ben",)), 3),
        ((("Ben", "Chloé"), ("Ana",)), 2),
        # The withdrawn Dev is removed; the "-" stays a skipped rank.
        ((("Ana",), (), ("Ben",)), 1),
    ]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("", None, "empty"),
        ("3\n", 1, "number of candidates, number of seats"),
        ("2 x\n", 1, "not a whole number"),
        ("2 0\n", 1, "at least one seat"),
        ("2 1\n1 1 2\n0\n", 2, "must end with 0"),
        ("2 1\n1 1 3 0\n0\n", 2, "not between 1 and 2"),
        ("2 1\n-3\n1 1 0\n0\n", 2, "not between -1 and -2"),
        ("2 1\n1.5 1 0\n0\n", 2, "ballot weight"),
        ("2 1\n1 1 a 0\n0\n", 2, "candidate number"),
        ("2 1\n1 1 0\n", None, "not ended by a line holding 0"),
        ('2 1\n1 1 0\n0\n"A"\n', 4, "2 candidate names expected, 1 found"),
        ('2 1\n1 1 0\n0\n"A"\nB\n', 5, "double quotes"),
        ('2 1\n1 1 0\n0\n"A"\n"A"\n"T"\n', 5, "used twice"),
        ('2 1\n1 1 0\n0\n"A"\n"B"\n"T"\n"extra"\n', 7, "after the title"),
    ],
)
def test_blt_errors(text, line, reason):
    with pytest.raises(FormatError) as caught:
        parse_blt(text)
    assert caught.value.line == line
    assert reason in caught.value.reason


def test_tally_blt_text_output(tmp_path):
    result = tally(tmp_path, "food.blt", FOOD_BLT)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("Food\n====\n")
    assert "Method: STV, weighted inclusive Gregory, exact fractions" in out
    assert "Quota: 6 (Droop)" in out
    assert "surplus 6 of Chocolate at 1/2 of each vote: Strawberries +4, Hamburgers +2" in out
    assert "Winners, in order of election: Chocolate, Oranges, Strawberries" in out


def test_tally_blt_json(tmp_path):
    result = tally(tmp_path, "food.blt", FOOD_BLT, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["method"] == "stv"
    assert data["seats"] == 3
    assert data["title"] == "Food"
    assert data["winners"] == ["Chocolate", "Oranges", "Strawberries"]
    assert data["rounds"][1]["tally"] == {
        "Oranges": 4,
        "Pears": 2,
        "Strawberries": 5,
        "Hamburgers": 3,
    }
    assert data["rounds"][0]["transfers"][0]["value_exact"] == "1/2"
    assert data["rounds"][4]["exhausted"] == 3
    assert data["ties"] == []


def test_tally_options_override_the_blt_header(tmp_path):
    result = tally(tmp_path, "food.blt", FOOD_BLT, "--seats", "1", "--json")
    data = json.loads(result.output)
    assert data["method"] == "irv"
    assert data["winners"] == ["Chocolate"]
    result = tally(tmp_path, "food.blt", FOOD_BLT, "--method", "scottish", "--json")
    assert json.loads(result.output)["rules"]["decimals"] == 5


def test_tally_blt_error_exit_status(tmp_path):
    result = tally(tmp_path, "bad.blt", "2 1\n1 1 2\n0\n")
    assert result.exit_code == 2
    assert "bad.blt, line 2: a ballot line must end with 0" in result.output


# --- CSV -------------------------------------------------------------------------------------

CSV = """\
count,rank1,rank2,rank3
4,A,,
3,B,,
2,A|B,C,B
"""


def test_parse_csv():
    election = parse_csv(CSV)
    assert election.candidates == ["A", "B", "C"]
    assert election.ballots == [
        ((("A",), (), ()), 4),
        ((("B",), (), ()), 3),
        ((("A", "B"), ("C",), ("B",)), 2),
    ]
    assert parse_csv("rank1\nB\nA\n").ballots == [((("B",),), 1), ((("A",),), 1)]


def test_parse_csv_declared_candidates():
    election = parse_csv("rank1,rank2\nB,A\n", ["A", "B", "C"])
    assert election.candidates == ["A", "B", "C"]


@pytest.mark.parametrize(
    ("text", "declared", "line", "reason"),
    [
        ("", None, None, "header row"),
        ("rank2,rank1\nA,B\n", None, 1, "the header must be"),
        ("count,rank1,votes\n1,A,B\n", None, 1, "the header must be"),
        ("count\n1\n", None, 1, "no rank columns"),
        ("rank1,rank2\nA,B\nA\n", None, 3, "2 cells expected, 1 found"),
        ("count,rank1\n1,A\nx,B\n", None, 3, "count 'x'"),
        ("count,rank1\n-1,A\n", None, 2, "count '-1'"),
        ("rank1\nA\nZ\n", ["A", "B"], 3, "'Z' is not a declared candidate"),
        ("rank1\nA||B\n", None, 2, "empty name"),
    ],
)
def test_csv_errors(text, declared, line, reason):
    with pytest.raises(FormatError) as caught:
        parse_csv(text, declared)
    assert caught.value.line == line
    assert reason in caught.value.reason


def test_tally_csv_ballot_rules(tmp_path):
    def winner(*args):
        result = tally(tmp_path, "votes.csv", CSV, "--json", *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["winners"]

    assert winner() == ["A"]
    assert winner("--overvote", "skip") == ["B"]
    assert winner("--overvote", "skip", "--duplicates", "exhaust") == ["B"]


def test_tally_csv_tie_order(tmp_path):
    text = "rank1\nA\nA\nB\nC\n"
    result = tally(tmp_path, "t.csv", text, "--json")
    data = json.loads(result.output)
    assert data["rounds"][0]["eliminated"] == ["C"]
    assert data["ties"][0]["method"] == "lot"
    result = tally(tmp_path, "t.csv", text, "--tie-order", "C, B, A")
    assert "round 1: tie between B, C; B eliminated, by lot (tie order)" in result.output


def test_tally_csv_batch_and_max_skipped(tmp_path):
    text = "count,rank1,rank2,rank3,rank4\n10,A,,,\n7,B,,,\n2,C,,,A\n1,D,B,,\n"
    result = tally(tmp_path, "b.csv", text, "--batch-elimination", "--json")
    data = json.loads(result.output)
    assert data["rounds"][0]["eliminated"] == ["C", "D"]
    assert data["rounds"][1]["tally"] == {"A": 12, "B": 8}
    result = tally(tmp_path, "b.csv", text, "--batch-elimination", "--max-skipped", "1", "--json")
    data = json.loads(result.output)
    assert data["rounds"][1]["tally"] == {"A": 10, "B": 8}
    assert data["rounds"][1]["exhausted"] == 2


def test_tally_csv_undeclared_name(tmp_path):
    result = tally(tmp_path, "v.csv", "rank1\nA\nZ\n", "--candidates", "A,B")
    assert result.exit_code == 2
    assert "v.csv, line 3: 'Z' is not a declared candidate" in result.output


def test_tally_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "v.csv"
    path.write_bytes(b"rank1\nA\n\xff\n")
    result = CliRunner().invoke(tally_command, [str(path)])
    assert result.exit_code == 2
    assert "line 3: the file is not valid UTF-8" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seats", "0"], "--seats"),
        (["--tie-order", "A,Z"], "unknown candidate"),
        (["--tie-order", "A,,B"], "empty candidate name"),
        (["--method", "irv", "--seats", "2"], "exactly one seat"),
        (["--method", "scottish", "--quota", "hare"], "Droop"),
        (["--candidates", "A,B,A"], "named twice"),
        (["--method", "borda"], "--method"),
    ],
)
def test_tally_bad_options(tmp_path, args, message):
    result = tally(tmp_path, "v.csv", "rank1\nA\nB\n", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_tally_candidates_option_is_for_csv(tmp_path):
    result = tally(tmp_path, "food.blt", FOOD_BLT, "--candidates", "A,B")
    assert result.exit_code == 2
    assert "CSV" in result.output


def test_tally_missing_file(tmp_path):
    result = CliRunner().invoke(tally_command, [str(tmp_path / "nope.csv")])
    assert result.exit_code == 2


def test_format_detected_from_content(tmp_path):
    result = tally(tmp_path, "food.txt", FOOD_BLT, "--json")
    assert json.loads(result.output)["winners"] == ["Chocolate", "Oranges", "Strawberries"]


# --- cross-check -----------------------------------------------------------------------------


def test_cross_check_agrees(tmp_path):
    state = random.getstate()
    result = tally(tmp_path, "food.blt", FOOD_BLT, "--cross-check")
    assert result.exit_code == 0, result.output
    assert "Cross-check: pyrankvote elects the same" in result.output
    assert "Cross-check: pref-voting elects the same" in result.output
    assert random.getstate() == state
    result = tally(tmp_path, "food.blt", FOOD_BLT, "--cross-check", "--json")
    checks = json.loads(result.output)["cross_check"]
    assert [(c["tool"], c["agree"], c["error"]) for c in checks] == [
        ("pyrankvote", True, None),
        ("pref-voting", True, None),
    ]
    assert checks[1]["version"].startswith("1.18")


def test_cross_check_explains_a_difference(tmp_path):
    # A tie for last place between B and C (2 each) in round 1, decided by the lot A, C, B:
    # we eliminate B, whose ballots exhaust, and A (3) beats C (2). pyrankvote breaks the
    # tie by second preferences (B is second on C's ballots), eliminates C and elects B.
    text = "count,rank1,rank2\n3,A,\n2,B,\n2,C,B\n"
    args = ("--tie-order", "A,C,B", "--cross-check")
    result = tally(tmp_path, "t.csv", text, *args, "--json")
    data = json.loads(result.output)
    assert data["winners"] == ["A"]
    check, pref_voting = data["cross_check"]
    # pref-voting is given the lot: it eliminates B too.
    assert (pref_voting["theirs"], pref_voting["agree"]) == (["A"], True)
    assert check["theirs"] == ["B"]
    assert check["agree"] is False
    assert any("tie between B, C" in reason for reason in check["reasons"])
    text_out = tally(tmp_path, "t.csv", text, *args).output
    assert "instead; our result stands." in text_out


def test_cross_check_reports_a_crash(tmp_path, monkeypatch):
    import pyrankvote

    def crash(*args, **kwargs):
        raise RuntimeError("Illigal state")

    monkeypatch.setattr(pyrankvote, "instant_runoff_voting", crash)
    result = tally(tmp_path, "v.csv", "rank1\nA\nA\nB\n", "--cross-check")
    assert result.exit_code == 0, result.output
    assert "Winners, in order of election: A" in result.output
    assert "pyrankvote could not count these ballots (RuntimeError: Illigal state)" in (
        result.output
    )
    result = tally(tmp_path, "v.csv", "rank1\nA\nA\nB\n", "--cross-check", "--json")
    check = json.loads(result.output)["cross_check"][0]
    assert check["agree"] is None
    assert check["error"] == "RuntimeError: Illigal state"
