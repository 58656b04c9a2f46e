"""Anyone can recount: a closed vote's published ballots and stored result give its count again.

Each vote here is made, cast and closed through the services; its ballots are then published
as the vote publishes them (BLT for ranked votes, CSV for the others) and recounted: by the
`tally` command for ranked votes, by the pure counting functions for the others.
"""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

import pytest

from deliberate.accounts.models import MemberRole
from deliberate.database import utcnow
from deliberate.extensions import db
from deliberate.voting import publish, queries, services
from deliberate.voting.counting.consensus import ConsensusBallot, ConsensusRules, count_consensus
from deliberate.voting.counting.formats import parse_blt
from deliberate.voting.counting.majority import MajorityRules, count_majority
from deliberate.voting.models import Vote
from deliberate.voting.rules import Settings
from deliberate.voting.tally import MATCHES
from tests.factories import make_member

CANDIDATES = ["Ana", "Ben", "Chloé", "Dev", "Eli"]

# 14 ballots, 4 options. Round 1: Chloé and Dev tie at 2 with no earlier round to settle it,
# so the lot decides; drawn in reverse order, it eliminates Chloé (Ben 7), then Dev (Ana 7);
# Ana and Ben tie at 7 and the previous round (Ana 5, Ben 7) eliminates Ana: Ben wins in
# round 4. The declared order as lot would eliminate Dev first, and Ana would win.
IRV_BALLOTS = [
    (["Ana"], 5),
    (["Ben"], 5),
    (["Chloé", "Ben"], 2),
    (["Dev", "Ana"], 2),
]

# 16 ballots, 5 options, 2 seats (Droop quota 6). Ana is elected with a surplus of 1 that goes
# on at 1/7 of each of her ballots; Dev and Eli then tie at 2 in this round and the one before,
# so the lot eliminates one of them, and more rounds follow until the second seat is filled.
STV_BALLOTS = [
    (["Ana", "Ben"], 4),
    (["Ana", "Chloé"], 3),
    (["Ben"], 2),
    (["Chloé", "Ben"], 3),
    (["Dev", "Ben"], 2),
    (["Eli", "Chloé"], 2),
]


@pytest.fixture
def convener(session):
    return make_member("Recount Convener", role=MemberRole.CONVENER)


@pytest.fixture
def voters(session):
    return [make_member() for _ in range(16)]


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["tally", *map(str, args)])


def draw(vote: Vote, order: list[str]) -> None:
    """Fix the lot: the real one is drawn at random when the vote opens; here it is the one
    that breaks the tie against the declared order, so a recount without it would differ."""
    vote.lot = json.dumps(order, ensure_ascii=False)
    db.session.flush()


def ranked_vote(convener, voters, settings, ballots, options=CANDIDATES):
    labels = options[: len({name for ranking, _ in ballots for name in ranking})]
    vote = services.create_vote(
        convener,
        title="Who sits on the press committee?",
        settings=settings,
        options=[services.OptionSpec(label) for label in labels],
        purpose="election" if settings.method == "stv" else "question",
    )
    draw(vote, list(reversed(labels)))
    rankings = [ranking for ranking, n in ballots for _ in range(n)]
    random.Random(7).shuffle(rankings)
    for voter, ranking in zip(voters, rankings, strict=False):
        services.cast_ballot(voter, vote, {"ranking": ranking})
    return services.close_vote(convener, vote)


def publish_files(vote: Vote, tmp_path: Path) -> tuple[Path, Path]:
    """The vote's published ballot file and stored result, written where anyone could."""
    counted = queries.published_counts(vote)
    contents = [content for content, _weight in counted]
    weights = [weight for _content, weight in counted]
    if vote.is_ranked:
        labels = [o.label for o in services.load_options(vote)]
        rankings = [c["ranking"] for c in contents]
        text = publish.ballots_blt(vote.title, labels, vote.seats, rankings, weights=weights)
        ballots = tmp_path / f"vote-{vote.id}.blt"
    else:
        text = publish.ballots_csv(vote.method, contents, weights=weights)
        ballots = tmp_path / f"vote-{vote.id}.csv"
    ballots.write_bytes(text.encode())
    results = tmp_path / f"vote-{vote.id}-results.json"
    results.write_bytes(vote.result_json.encode())
    return ballots, results


def tally_args(result: dict) -> list[str]:
    """The `tally` options that say how a stored result was counted, lot included."""
    count = result["count"]
    args = ["--method", count["method"], "--seats", str(result["seats"])]
    if count["rules"]["quota"] is not None:
        args += ["--quota", count["rules"]["quota"]]
    return [*args, "--tie-order", ",".join(result["lot"])]


@pytest.mark.parametrize(
    ("method", "variant", "quota", "ballots", "seats"),
    [
        ("irv", None, "droop", IRV_BALLOTS, 1),
        ("stv", "stv", "droop", STV_BALLOTS, 2),
        ("stv", "stv", "hare", STV_BALLOTS, 2),
        ("stv", "scottish", "droop", STV_BALLOTS, 2),
        ("stv", "meek", "droop", STV_BALLOTS, 2),
    ],
)
def test_tally_recounts_a_ranked_vote_from_its_blt_and_lot(
    app, convener, voters, tmp_path, method, variant, quota, ballots, seats
):
    settings = Settings(method=method, seats=seats, stv_variant=variant, quota=quota)
    vote = ranked_vote(convener, voters, settings, ballots)
    result = vote.result
    stored = result["count"]
    assert len(stored["rounds"]) >= 3
    assert any(t["method"] == "lot" for t in stored["ties"])
    blt, results = publish_files(vote, tmp_path)

    run = cli(app, blt, "--json", "--cross-check", *tally_args(result))
    assert run.exit_code == 0, run.output
    recount = json.loads(run.output)
    assert recount.pop("title") == vote.title
    witnesses = {check["tool"]: check for check in recount.pop("cross_check")}
    assert recount["winners"] == stored["winners"] == result["outcome"]["winners"]
    assert [(r["tally_exact"], r["elected"], r["eliminated"]) for r in recount["rounds"]] == [
        (r["tally_exact"], r["elected"], r["eliminated"]) for r in stored["rounds"]
    ]
    assert recount == stored
    # pyrankvote breaks ties its own way (the cross-check seeds it, and would name the tie as
    # the reason for a different answer); on these ballots it elects the same. pref-voting
    # elects the same too, or says plainly that it has no Hare quota.
    check = witnesses["pyrankvote"]
    assert check["error"] is None
    assert check["agree"] is True, check
    check = witnesses["pref-voting"]
    assert check["error"] is None
    if quota == "hare":
        assert check["not_checked"] == "pref-voting cannot express --quota hare"
        assert check["agree"] is None
    else:
        assert check["agree"] is True, check

    run = cli(app, blt, "--results", results)
    assert run.exit_code == 0, run.output
    assert run.output.endswith(MATCHES + "\n")


def test_a_meeting_s_paper_count_is_recounted_the_same(app, convener, voters, tmp_path):
    # Paper ballots as counted at a meeting: an equal ranking (an overvote, which ends the
    # ballot there), a skipped rank, a blank paper. They are stored as counted, and the lot
    # is drawn at random as for any vote.
    paper = (
        b"5 2\n4 1 2 0\n3 1 3 0\n2 2 0\n3 3 2=4 1 0\n2 4 - 5 0\n2 5 3 0\n1 0\n0\n"
        + "".join(f'"{name}"\n' for name in CANDIDATES).encode()
        + b'"Press committee"\n'
    )
    vote = services.record_in_person_vote(
        convener,
        title="Press committee (congress, day 2)",
        settings=Settings(method="stv", seats=2, stv_variant="stv"),
        counted=services.MeetingCount(ballot_file=paper, filename="count.blt"),
        present=20,
        held_at=utcnow() - timedelta(hours=3),
        options=[services.OptionSpec(name) for name in CANDIDATES],
        purpose="election",
    )
    stored = vote.result["count"]
    assert stored["blank_ballots"] == 1
    blt, results = publish_files(vote, tmp_path)
    assert "\n1 0\n" in blt.read_text(encoding="utf-8")
    run = cli(app, blt, "--results", results, "--json")
    assert run.exit_code == 0, run.output
    recount = json.loads(run.output)
    assert recount.pop("recount") == {"matches": True, "difference": None}
    recount.pop("title")
    assert recount == stored


def test_the_blt_alone_does_not_carry_the_lot(app, convener, voters, tmp_path):
    vote = ranked_vote(convener, voters, Settings(method="irv"), IRV_BALLOTS)
    assert vote.result["outcome"]["winners"] == ["Ben"]
    blt, _ = publish_files(vote, tmp_path)
    run = cli(app, blt, "--json")
    assert run.exit_code == 0, run.output
    assert json.loads(run.output)["winners"] == ["Ana"]


def test_a_recount_names_the_first_difference_and_exits_1(app, convener, voters, tmp_path):
    vote = ranked_vote(convener, voters, Settings(method="irv"), IRV_BALLOTS)
    blt, results = publish_files(vote, tmp_path)
    altered = vote.result
    altered["count"]["rounds"][1]["tally_exact"]["Ben"] = "8"
    altered["count"]["winners"] = ["Ana"]
    results.write_bytes(json.dumps(altered, ensure_ascii=False).encode())
    run = cli(app, blt, "--results", results)
    assert run.exit_code == 1
    assert run.output.endswith(
        'The recount differs: count.rounds[1].tally_exact.Ben is "8" in the stored result, '
        '"7" in the recount.\n'
    )
    run = cli(app, blt, "--results", results, "--json")
    assert run.exit_code == 1
    assert json.loads(run.output)["recount"]["matches"] is False
    other = tmp_path / "other.blt"
    other.write_bytes(publish.ballots_blt("Other", ["Ana", "Ben"], 1, [["Ben"]]).encode())
    run = cli(app, other, "--results", results)
    assert run.exit_code == 1
    assert run.output == (
        "The recount differs: the ballot file names Ana, Ben; the stored result's options are "
        "Ana, Ben, Chloé, Dev.\n"
    )


def test_results_takes_the_rules_from_the_stored_result_only(app, convener, voters, tmp_path):
    vote = ranked_vote(convener, voters, Settings(method="irv"), IRV_BALLOTS)
    blt, results = publish_files(vote, tmp_path)
    run = cli(app, blt, "--results", results, "--method", "irv", "--tie-order", "Ana,Ben")
    assert run.exit_code == 2
    assert "leave out --method, --tie-order" in run.output
    run = cli(app, blt, "--results", blt)
    assert run.exit_code == 2
    assert "not a stored vote result" in run.output


def test_options_with_commas_are_recounted_with_the_stored_lot(app, convener, voters, tmp_path):
    options = ["Amendment 3, as seconded", "Amendment 4", "No change", "Amendment 5"]
    ballots = [
        ([options[0]], 5),
        ([options[1]], 5),
        ([options[2], options[1]], 2),
        ([options[3], options[0]], 2),
    ]
    vote = ranked_vote(convener, voters, Settings(method="irv"), ballots, options=options)
    blt, results = publish_files(vote, tmp_path)
    # --tie-order splits on commas, so it cannot name these options; --results can.
    run = cli(app, blt, "--tie-order", ",".join(vote.result["lot"]))
    assert run.exit_code == 2
    run = cli(app, blt, "--results", results, "--json")
    assert run.exit_code == 0, run.output
    assert json.loads(run.output)["recount"] == {"matches": True, "difference": None}


def test_a_majority_vote_is_recounted_from_its_csv(app, convener, voters, tmp_path):
    settings = Settings(method="majority", threshold="two_thirds", quorum_percent=50)
    vote = services.create_vote(convener, title="Raise the dues?", settings=settings)
    choices = ["yes"] * 6 + ["no"] * 3 + ["abstain"] * 2
    for voter, choice in zip(voters, choices, strict=False):
        services.cast_ballot(voter, vote, {"choice": choice})
    result = services.close_vote(convener, vote).result
    ballots, results = publish_files(vote, tmp_path)

    method, groups = publish.parse_ballots_csv(ballots.read_bytes().decode())
    assert (method, groups) == ("majority", [(6, ("yes",)), (3, ("no",)), (2, ("abstain",))])
    counts = {choice: n for n, (choice,) in groups}
    recount = count_majority(
        counts["yes"],
        counts["no"],
        counts["abstain"],
        roll=result["participation"]["roll"],
        participation=result["participation"]["voted"],
        rules=MajorityRules(threshold="two_thirds", quorum=Fraction(1, 2)),
    )
    assert recount.as_dict() == result["count"]
    assert recount.adopted is result["outcome"]["adopted"] is True

    run = cli(app, ballots, "--results", results)
    assert run.exit_code == 0, run.output
    assert run.output.startswith("Yes 6, no 3, abstain 2.\nAdopted")
    assert run.output.endswith(MATCHES + "\n")


def test_a_consensus_vote_is_recounted_from_its_csv(app, convener, voters, tmp_path):
    settings = Settings(method="consensus", block_rule="fallback", fallback=Fraction(3, 4))
    vote = services.create_vote(convener, title="Adopt the tenants' plan?", settings=settings)
    positions = [
        ("agree", ""),
        ("agree", ""),
        ("agree", '=HYPERLINK("http://example.org", "more")'),
        ("agree", "+1, and soon"),
        ("agree_with_reservations", "-- slower, please"),
        ("agree_with_reservations", "'Slow' is not a plan."),
        ("agree_with_reservations", "@branch-east: read the annex"),
        ("stand_aside", "Not my branch."),
        ("block", "=cmd|' /C calc'!A0 is what this plan amounts to."),
    ]
    for voter, (position, reason) in zip(voters, positions, strict=False):
        services.cast_ballot(voter, vote, {"position": position, "reason": reason})
    result = services.close_vote(convener, vote).result
    assert result["count"]["outcome"] == "adopted_by_fallback"
    ballots, results = publish_files(vote, tmp_path)
    text = ballots.read_bytes().decode()
    assert '\n1,agree,"\'=HYPERLINK(""http' in text
    assert "\n1,agree_with_reservations,''Slow' is not a plan.\n" in text
    assert "\n1,block,'=cmd" in text

    method, groups = publish.parse_ballots_csv(text)
    assert method == "consensus"
    recount = count_consensus(
        [ConsensusBallot(position, reason) for n, (position, reason) in groups for _ in range(n)],
        roll=result["participation"]["roll"],
        participation=result["participation"]["voted"],
        rules=ConsensusRules(on_block="fallback", fallback=Fraction(3, 4)),
    )
    assert recount.as_dict() == result["count"]

    run = cli(app, ballots, "--results", results)
    assert run.exit_code == 0, run.output
    assert run.output.endswith(MATCHES + "\n")


# --- what is published --------------------------------------------------------------------


def test_the_blt_groups_identical_ballots_in_a_canonical_order():
    options = [f"Option {i}" for i in range(1, 12)]
    cast = (
        [["Option 1", "Option 10"]] * 2
        + [["Option 3"]] * 3
        + [["Option 1", "Option 2"]] * 2
        + [["Option 11", "Option 1"]]
        + [["Option 2"]]
        + [[]]
    )
    text = publish.ballots_blt("Order", options, 1, cast)
    shuffled = list(cast)
    random.Random(3).shuffle(shuffled)
    assert publish.ballots_blt("Order", options, 1, shuffled) == text
    assert publish.ballots_blt("Order", options, 1, reversed(cast)) == text
    assert text.splitlines()[:8] == [
        "11 1",
        "3 3 0",
        "2 1 2 0",
        "2 1 10 0",
        "1 0",
        "1 2 0",
        "1 11 1 0",
        "0",
    ]


def test_the_blt_keeps_names_and_title_exactly():
    options = ['The "red" line', "C:\\branches\\", '\\"', "# not a comment", "Zoë, for now"]
    title = 'Which line? "Quoted" \\ and\nsplit'
    text = publish.ballots_blt(title, options, 2, [[options[1], options[0]], [options[4]]])
    election = parse_blt(text)
    assert election.candidates == options
    assert election.title == 'Which line? "Quoted" \\ and split'
    assert election.seats == 2
    assert election.ballots == [
        (((options[1],), (options[0],)), 1),
        (((options[4],),), 1),
    ]


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralized():
    reasons = ["=1+1", "+SUM(A1)", "-2", "@me", "\tx", "\rx", "'kept'", "plain", "a=b"]
    ballots = [{"position": "stand_aside", "reason": r} for r in reasons]
    text = publish.ballots_csv("consensus", ballots)
    cells = [row[2] for row in csv.reader(io.StringIO(text, newline=""))][1:]
    assert "'=1+1" in cells
    assert "'+SUM(A1)" in cells
    assert "'-2" in cells
    assert "'@me" in cells
    assert "''kept'" in cells
    assert "'\rx" in cells
    assert '\n"1","stand_aside","\'\rx"\n' in text
    assert "plain" in cells
    assert "a=b" in cells
    assert not any(cell[:1] in "=+-@" for cell in cells if cell)
    method, groups = publish.parse_ballots_csv(text)
    assert method == "consensus"
    assert sorted(reason for _, (_, reason) in groups) == sorted(reasons)
    majority = publish.ballots_csv("majority", [{"choice": c} for c in ["no", "yes", "no"]])
    assert majority == "count,choice\n2,no\n1,yes\n"
