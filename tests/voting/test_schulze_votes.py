"""Schulze as a vote method and the tie-break rule as a vote setting: made on the form,
stored, counted at close, shown, and recounted from what the vote publishes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from deliberate.accounts.models import MemberRole
from deliberate.database import utcnow
from deliberate.errors import ValidationError
from deliberate.extensions import db
from deliberate.voting import services
from deliberate.voting.models import Vote
from deliberate.voting.rules import Settings
from deliberate.voting.tally import MATCHES, tally_command
from tests.factories import make_member

NAMES = ("Ana", "Ben", "Chloé")


@pytest.fixture
def convener(session):
    return make_member("Schulze Convener", role=MemberRole.CONVENER)


@pytest.fixture
def voters(session):
    return [make_member() for _ in range(5)]


def schulze_vote(convener, **changes):
    return services.create_vote(
        convener,
        title="Which plan?",
        settings=Settings(method="schulze", **changes),
        options=[services.OptionSpec(name) for name in NAMES],
    )


def test_a_schulze_vote_is_counted_with_its_matrix(convener, voters):
    vote = schulze_vote(convener)
    # Ben beats Ana 3 to 2 and Chloé 3 to 2: the Condorcet winner. Ana and Ben have two first
    # preferences each; Ana beats Chloé 3 to 2.
    for voter, ranking in zip(
        voters,
        [["Ana", "Ben"], ["Ana", "Chloé", "Ben"], ["Ben"], ["Ben", "Ana"], ["Chloé", "Ben"]],
        strict=True,
    ):
        services.cast_ballot(voter, vote, {"ranking": ranking})
    result = services.close_vote(convener, vote).result
    count = result["count"]
    assert count["method"] == "schulze"
    assert count["pairwise"]["Ben"] == {"Ana": 3, "Chloé": 3}
    assert count["pairwise"]["Ana"] == {"Ben": 2, "Chloé": 3}
    assert count["ranking"] == ["Ben", "Ana", "Chloé"]
    assert result["outcome"]["winners"] == ["Ben"]
    assert result["outcome"]["summary"] == "“Ben” wins."


def test_schulze_fills_one_seat(convener):
    options = [services.OptionSpec(name) for name in NAMES]
    with pytest.raises(ValidationError, match="one seat"):
        services.create_vote(
            convener,
            title="Committee",
            settings=Settings(method="schulze", seats=2),
            options=options,
            purpose="election",
        )


def test_the_tie_break_rule_is_stored_and_counted_by(convener, voters):
    vote = services.create_vote(
        convener,
        title="Who chairs?",
        settings=Settings(method="irv", tie_break="lot"),
        options=[services.OptionSpec(name) for name in NAMES],
    )
    assert vote.tie_break == "lot"
    assert services.settings_of(vote, services.load_options(vote)).tie_break == "lot"
    services.cast_ballot(voters[0], vote, {"ranking": ["Ana"]})
    result = services.close_vote(convener, vote).result
    assert result["count"]["rules"]["tie_break"] == "lot"
    with pytest.raises(ValidationError, match="ties are settled"):
        services.create_vote(
            convener,
            title="Who chairs?",
            settings=Settings(method="irv", tie_break="coin"),
            options=[services.OptionSpec(name) for name in NAMES],
        )


def test_a_schulze_vote_recounts_from_what_it_publishes(
    client, login_as, convener, voters, tmp_path
):
    vote = schulze_vote(convener, tie_break="lot")
    for voter, ranking in zip(voters, [["Ana"], ["Ben"], ["Chloé"], ["Ana"], ["Ben"]], strict=True):
        services.cast_ballot(voter, vote, {"ranking": ranking})
    services.close_vote(convener, vote)
    login_as(convener)
    blt = client.get(f"/votes/{vote.id}/ballots.blt")
    assert blt.status_code == 200
    results = client.get(f"/votes/{vote.id}/results.json")
    (tmp_path / "vote.blt").write_bytes(blt.data)
    (tmp_path / "result.json").write_bytes(results.data)
    # Ana and Ben tie at the top: the lot (drawn at opening) places them, and says so.
    stored = json.loads(results.data)
    assert stored["count"]["ties"][0]["method"] == "lot"
    outcome = CliRunner().invoke(
        tally_command,
        [str(tmp_path / "vote.blt"), "--results", str(tmp_path / "result.json")],
    )
    assert outcome.exit_code == 0, outcome.output
    assert MATCHES in outcome.output


def test_the_form_makes_a_schulze_vote_and_the_page_shows_the_matrix(
    client, login_as, convener, voters
):
    login_as(convener)
    form = client.get("/votes/new").get_data(as_text=True)
    assert "Condorcet–Schulze" in form
    assert 'name="tie_break"' in form
    response = client.post(
        "/votes/new",
        data={
            "title": "Which plan?",
            "method": "schulze",
            "options": "Ana\nBen\nChloé",
            "quorum_percent": "0",
            "secret": "y",
            "replaceable": "y",
            "body_id": "",
            "stv_variant": "stv",
            "quota": "droop",
            "threshold": "simple",
            "block_rule": "no_decision",
            "seats": "1",
            "tie_break": "lot",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    vote = db.session.scalar(select(Vote).where(Vote.title == "Which plan?"))
    assert (vote.method, vote.tie_break) == ("schulze", "lot")
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Every pair of options is compared" in detail
    assert "Ties are settled by the lot drawn at opening." in detail
    services.cast_ballot(voters[0], vote, {"ranking": ["Chloé", "Ana"]})
    services.close_vote(convener, vote)
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "Pairwise: voters who ranked the row above the column" in page
    assert "Strongest paths" in page
    assert "Ranking: Chloé &gt; Ana &gt; Ben." in page


def test_a_meeting_records_a_schulze_count_from_its_paper_ballots(convener):
    # 3 rank Ana > Ben > Chloe, 2 Ben > Chloe, 2 Chloe > Ben: Ben beats Ana 4 to 3 and
    # Chloe 5 to 2; Chloe beats Ana 4 to 3 (Ana is left off four ballots).
    paper = b'3 3\n3 1 2 3 0\n2 2 3 0\n2 3 2 0\n0\n"Ana"\n"Ben"\n"Chloe"\n"Chair"\n'
    vote = services.record_in_person_vote(
        convener,
        title="Chair (congress, day 1)",
        settings=Settings(method="schulze"),
        counted=services.MeetingCount(ballot_file=paper, filename="count.blt"),
        present=10,
        held_at=utcnow() - timedelta(hours=1),
        options=[services.OptionSpec(name) for name in ("Ana", "Ben", "Chloe")],
    )
    count = vote.result["count"]
    assert count["pairwise"]["Ben"] == {"Ana": 4, "Chloe": 5}
    assert count["pairwise"]["Chloe"]["Ana"] == 4
    assert count["ranking"] == ["Ben", "Chloe", "Ana"]
    assert vote.result["outcome"]["winners"] == ["Ben"]
