"""The tally command's counting options: Schulze, tie-break rules and the RCTab options; and
the engine run on its own, from any directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from deliberate.voting.tally import first_difference, tally_command

WIKIPEDIA_45 = """\
count,rank1,rank2,rank3,rank4,rank5
5,A,C,B,E,D
5,A,D,E,C,B
8,B,E,D,A,C
3,C,A,B,E,D
7,C,A,E,B,D
2,C,B,A,D,E
7,D,C,E,B,A
8,E,B,A,D,C
"""


def tally(tmp_path, text: str, *args: str, name: str = "ballots.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(tally_command, [str(path), *args])


def test_schulze_text_report(tmp_path):
    result = tally(tmp_path, WIKIPEDIA_45, "--method", "schulze")
    assert result.exit_code == 0, result.output
    assert "Method: Condorcet–Schulze" in result.output
    assert "Pairwise: voters ranking the row above the column" in result.output
    assert "Strongest paths" in result.output
    assert "Ranking: E > A > C > B > D" in result.output
    assert "Winner: E" in result.output


def test_schulze_json_and_cross_check(tmp_path):
    result = tally(tmp_path, WIKIPEDIA_45, "--method", "schulze", "--json", "--cross-check")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["method"] == "schulze"
    assert data["ranking"] == ["E", "A", "C", "B", "D"]
    assert data["pairwise"]["B"]["D"] == 33
    assert data["strongest_paths"]["E"]["D"] == 31
    assert data["rules"]["quota"] is None
    pyrankvote, pref_voting = data["cross_check"]
    assert (pyrankvote["tool"], pyrankvote["agree"]) == ("pyrankvote", None)
    assert "no Condorcet method" in pyrankvote["not_checked"]
    # pref-voting's Schulze, with winning votes, finds the same winner.
    assert (pref_voting["tool"], pref_voting["theirs"]) == ("pref-voting", ["E"])
    assert pref_voting["agree"] is True


def test_schulze_ignores_a_blt_header_asking_for_several_seats(tmp_path):
    blt = '3 2\n4 1 2 3 0\n3 2 3 1 0\n2 3 1 2 0\n0\n"A"\n"B"\n"C"\n"Three"\n'
    result = tally(tmp_path, blt, "--method", "schulze", "--json", name="e.blt")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["seats"], data["winners"]) == (1, ["A"])
    refused = tally(tmp_path, blt, "--method", "schulze", "--seats", "2", name="e.blt")
    assert refused.exit_code == 2
    assert "one winner" in refused.output


def test_tie_break_option(tmp_path):
    # Round 2: A 10, B 6, C 6; earlier rounds eliminate C, the lot alone (C, B, A, D) B.
    text = "count,rank1,rank2\n10,A,\n6,B,\n5,C,\n1,D,C\n3,D,\n"
    args = ("--tie-order", "C,B,A,D", "--json")
    default = json.loads(tally(tmp_path, text, *args).output)
    assert default["rounds"][1]["eliminated"] == ["C"]
    lot = json.loads(tally(tmp_path, text, *args, "--tie-break", "lot").output)
    assert lot["rounds"][1]["eliminated"] == ["B"]
    assert lot["rules"]["tie_break"] == "lot"
    assert lot["ties"][0]["method"] == "lot"


def test_rctab_options(tmp_path):
    # Zed is not declared: with --write-in it counts for the write-ins, eliminated first.
    text = "count,rank1,rank2\n3,Zed,B\n4,A,\n2,B,\n"
    refused = tally(tmp_path, text, "--candidates", "A,B")
    assert refused.exit_code == 2
    assert "not a declared candidate" in refused.output
    result = tally(tmp_path, text, "--candidates", "A,B", "--write-in", "Write-ins", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["candidates"] == ["A", "B", "Write-ins"]
    assert data["rounds"][0]["tally"] == {"A": 4, "B": 2, "Write-ins": 3}
    assert data["rounds"][0]["eliminated"] == ["Write-ins"]
    assert data["winners"] == ["B"]
    assert data["rules"]["write_in"] == "Write-ins"

    excluded = json.loads(tally(tmp_path, text, "--exclude", "Zed", "--json").output)
    assert excluded["rules"]["excluded"] == ["Zed"]
    assert excluded["rounds"][0]["tally"] == {"A": 4, "B": 5}
    unknown = tally(tmp_path, text, "--exclude", "Nobody")
    assert unknown.exit_code == 2
    assert "not standing" in unknown.output

    majority = "count,rank1,rank2\n6,A,\n2,B,\n1,C,B\n1,D,B\n"
    two = json.loads(tally(tmp_path, majority, "--continue-until-two", "--json").output)
    assert [r["elected"] for r in two["rounds"]] == [["A"], [], [], []]
    assert two["rounds"][-1]["tally"] == {"A": 6, "B": 4}
    assert two["winners"] == ["A"]

    overvote = "count,rank1,rank2\n5,A,\n1,B,\n4,C,\n2,D,B|C\n"
    ours = json.loads(
        tally(tmp_path, overvote, "--overvote", "exhaust_if_multiple", "--json").output
    )
    assert ours["winners"] == ["C"]
    assert ours["rules"]["overvote"] == "exhaust_if_multiple"


def test_threshold_options(tmp_path):
    # 10 votes, 2 seats: Droop quota 4, fractional 3.3334 (A's surplus then elects C).
    text = "count,rank1,rank2\n4,A,C\n3,B,\n3,C,\n"
    seats = ("--seats", "2", "--candidates", "A,B,C")
    plain = json.loads(tally(tmp_path, text, *seats, "--json").output)
    assert (plain["quota"], plain["winners"]) == (4, ["A", "B"])  # B, C tied: the lot
    result = tally(tmp_path, text, *seats, "--fractional-threshold", "--json")
    data = json.loads(result.output)
    assert (data["quota_exact"], data["winners"]) == ("16667/5000", ["A", "C"])
    assert data["rules"]["fractional_threshold"] is True
    shown = tally(tmp_path, text, *seats, "--fractional-threshold").output
    assert "Quota: 3.3334 (Droop, fractional)" in shown

    # IRV: 2 ballots exhaust when C goes; the first round's threshold (5) stays.
    irv = "count,rank1\n4,A\n3,B\n2,C\n"
    fixed = json.loads(tally(tmp_path, irv, "--first-round-threshold", "--json").output)
    assert [r["threshold"] for r in fixed["rounds"]] == [5, 5, 5]
    assert [r["eliminated"] for r in fixed["rounds"]] == [["C"], ["B"], []]

    one = "count,rank1,rank2,rank3\n8,A,B,C\n6,B,D,\n3,C,,\n3,D,,\n"
    together = json.loads(tally(tmp_path, one, "--seats", "3", "--json").output)
    assert together["winners"] == ["A", "B", "C"]
    apart = json.loads(
        tally(tmp_path, one, "--seats", "3", "--one-winner-per-round", "--json").output
    )
    assert [r["elected"] for r in apart["rounds"]] == [["A"], ["B"], [], ["D"]]
    assert apart["winners"] == ["A", "B", "D"]

    refused = tally(tmp_path, irv, "--one-winner-per-round")
    assert refused.exit_code == 2
    assert "one winner per round applies to stv" in refused.output


def test_continue_until_two_and_the_final_tie_on_the_command_line(tmp_path):
    text = "count,rank1,rank2\n10,A,\n5,B,\n3,C,A\n"
    data = json.loads(tally(tmp_path, text, "--continue-until-two", "--json").output)
    assert [(r["tally"], r["elected"], r["eliminated"]) for r in data["rounds"]] == [
        ({"A": 10, "B": 5, "C": 3}, ["A"], []),
        ({"A": 10, "B": 5, "C": 3}, [], ["C"]),
        ({"A": 13, "B": 5}, [], []),
    ]
    assert [r["threshold"] for r in data["rounds"]] == [10, 10, 10]
    batch = "count,rank1,rank2\n6,A,\n2,B,\n1,C,B\n"
    data = json.loads(
        tally(tmp_path, batch, "--continue-until-two", "--batch-elimination", "--json").output
    )
    assert data["rounds"][-1]["tally"] == {"A": 6, "B": 3}
    tie = json.loads(tally(tmp_path, "rank1\nA\nA\nB\nB\n", "--tie-break", "lot", "--json").output)
    assert [(r["elected"], r["eliminated"]) for r in tie["rounds"]] == [(["A"], [])]
    assert [(t["purpose"], t["method"]) for t in tie["ties"]] == [("election", "lot")]


def test_scottish_text_report_shows_each_sub_stage(tmp_path):
    text = "count,rank1,rank2,rank3\n8,A,C,D\n4,A,D,\n7,B,,\n2,C,D,\n4,D,,\n1,E,C,D\n"
    result = tally(tmp_path, text, "--method", "scottish", "--seats", "2")
    assert result.exit_code == 0, result.output
    assert "sub-stage 1 of 2: ballots at value 1.00000" in result.output
    assert "sub-stage 2 of 2: ballots at value 0.25000" in result.output


def test_a_recount_ignores_fields_the_stored_result_did_not_have_yet():
    stored = {"rounds": [{"tally": {"A": 3}}], "winners": ["A"]}
    recount = {"rounds": [{"tally": {"A": 3}, "votes": {"A": 3}}], "winners": ["A"]}
    assert first_difference(stored, recount) is None
    stored["rounds"][0]["tally"] = {"A": 2}
    assert first_difference(stored, recount) == (
        "count.rounds[0].tally.A is 2 in the stored result, 3 in the recount"
    )
    assert first_difference({"extra": 1, "winners": []}, {"winners": []}) == (
        "count.extra is in the stored result, not in the recount"
    )


def _clean_environment() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if name not in {"PYTHONPATH", "FLASK_APP", "DELIBERATE_ENV", "DATABASE_URL"}
    }


def test_flask_tally_and_the_console_script_work_from_any_directory(tmp_path):
    ballots = tmp_path / "ballots.csv"
    ballots.write_text(WIKIPEDIA_45, encoding="utf-8")
    script = Path(sys.executable).with_name("deliberate-tally")
    for command in (
        [sys.executable, "-m", "flask", "--app", "deliberate", "tally"],
        [str(script)],
    ):
        result = subprocess.run(  # noqa: S603 - our own interpreter and console script
            [*command, "ballots.csv", "--method", "schulze"],
            cwd=tmp_path,
            env=_clean_environment(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert "Winner: E" in result.stdout, output
    # The console script creates no database or instance folder where it runs.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ballots.csv"]
