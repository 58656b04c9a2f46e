"""The certified tabulator's threshold options as vote settings: a fractional Droop quota and
one winner per round for STV, a majority threshold fixed by the first round for instant
runoff. Chosen on the form, stored with the vote (the database refuses what does not go
together), explained on the ballot page, counted at the close, shown with the result and
recounted by `tally --results`."""

from __future__ import annotations

import json
import random
import re

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from deliberate.accounts.models import MemberRole
from deliberate.errors import ValidationError
from deliberate.extensions import db
from deliberate.voting import publish, queries, services
from deliberate.voting.models import Vote
from deliberate.voting.results import engine_rules
from deliberate.voting.rules import Settings, check_settings
from deliberate.voting.tally import MATCHES
from tests.factories import make_member

# 20 voters, 3 seats, Droop quota 6: A 8 and B 6 both reach it in round 1. One a round, A's
# surplus reaches B, whose surplus then goes mostly to D: A, B, D instead of A, B, C.
ONE_A_ROUND = [(["A", "B", "C"], 8), (["B", "D"], 6), (["C"], 3), (["D"], 3)]
# 10 voters, 2 seats: the fractional quota 3.3334 lets A's surplus elect C.
FRACTIONAL = [(["A", "C"], 4), (["B"], 3), (["C"], 3)]
# 9 voters: C's 2 ballots exhaust; the first round's threshold (5) stays, so B goes too.
FIRST_ROUND = [(["A"], 4), (["B"], 3), (["C"], 2)]


@pytest.fixture
def convener(session):
    return make_member("Threshold Convener", role=MemberRole.CONVENER)


@pytest.fixture
def voters(session):
    return [make_member() for _ in range(20)]


def closed_vote(convener, voters, settings, ballots, labels):
    vote = services.create_vote(
        convener,
        title="Who sits on the finance committee?",
        settings=settings,
        options=[services.OptionSpec(label) for label in labels],
        purpose="election" if settings.method == "stv" else "question",
    )
    rankings = [ranking for ranking, n in ballots for _ in range(n)]
    random.Random(3).shuffle(rankings)
    for voter, ranking in zip(voters, rankings, strict=False):
        services.cast_ballot(voter, vote, {"ranking": ranking})
    return services.close_vote(convener, vote)


STV = {"method": "stv", "stv_variant": "stv"}


def test_one_winner_per_round_is_stored_and_counted(convener, voters):
    settings = Settings(**STV, seats=3, one_winner_per_round=True)
    vote = closed_vote(convener, voters, settings, ONE_A_ROUND, ["A", "B", "C", "D"])
    assert vote.one_winner_per_round is True
    count = vote.result["count"]
    assert count["rules"]["one_winner_per_round"] is True
    assert [r["elected"] for r in count["rounds"]] == [["A"], ["B"], [], ["D"]]
    assert count["winners"] == ["A", "B", "D"]
    plain = closed_vote(
        convener, voters, Settings(**STV, seats=3), ONE_A_ROUND, ["A", "B", "C", "D"]
    )
    assert plain.result["count"]["winners"] == ["A", "B", "C"]


def test_a_fractional_quota_is_stored_and_counted(convener, voters):
    settings = Settings(**STV, seats=2, ranked_threshold="fractional")
    vote = closed_vote(convener, voters, settings, FRACTIONAL, ["A", "B", "C"])
    assert vote.ranked_threshold == "fractional"
    count = vote.result["count"]
    assert (count["quota_exact"], count["rules"]["fractional_threshold"]) == ("16667/5000", True)
    assert count["winners"] == ["A", "C"]


def test_a_threshold_fixed_by_the_first_round(convener, voters):
    settings = Settings(method="irv", ranked_threshold="first_round")
    vote = closed_vote(convener, voters, settings, FIRST_ROUND, ["A", "B", "C"])
    count = vote.result["count"]
    assert count["rules"]["first_round_threshold"] is True
    assert [(r["threshold"], r["eliminated"]) for r in count["rounds"]] == [
        (5, ["C"]),
        (5, ["B"]),
        (5, []),
    ]
    assert count["winners"] == ["A"]


def test_the_settings_become_the_engine_s_rules():
    rules = engine_rules(Settings(**STV, seats=2, ranked_threshold="fractional"))
    assert (rules.fractional_threshold, rules.one_winner_per_round) == (True, False)
    rules = engine_rules(Settings(**STV, seats=2, one_winner_per_round=True))
    assert (rules.fractional_threshold, rules.one_winner_per_round) == (False, True)
    rules = engine_rules(Settings(method="irv", ranked_threshold="first_round"))
    assert rules.first_round_threshold is True
    plain = engine_rules(Settings(method="irv"))
    assert (plain.fractional_threshold, plain.first_round_threshold) == (False, False)


OPTIONS = ("Ana", "Ben", "Chloé")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({**STV, "stv_variant": "scottish", "ranked_threshold": "fractional"}, "weighted"),
        ({**STV, "stv_variant": "meek", "one_winner_per_round": True}, "weighted"),
        ({**STV, "quota": "hare", "ranked_threshold": "fractional"}, "Droop"),
        ({**STV, "ranked_threshold": "first_round"}, "instant runoff"),
        ({"method": "irv", "ranked_threshold": "fractional"}, "STV"),
        ({"method": "irv", "one_winner_per_round": True}, "STV"),
        ({"method": "schulze", "ranked_threshold": "first_round"}, "instant runoff"),
        ({**STV, "ranked_threshold": "other"}, "threshold"),
    ],
)
def test_settings_that_do_not_go_together_are_refused(changes, message):
    with pytest.raises(ValidationError, match=message):
        check_settings(Settings(**{"options": OPTIONS, **changes}))


def test_the_database_refuses_them_too(convener):
    vote = services.create_vote(
        convener,
        title="Committee",
        settings=Settings(**STV, seats=1, one_winner_per_round=True),
        options=[services.OptionSpec(name) for name in OPTIONS],
        purpose="election",
    )
    for change in (
        {"stv_variant": "meek"},
        {"ranked_threshold": "first_round"},
        {"ranked_threshold": "sideways"},
    ):
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.execute(update(Vote).where(Vote.id == vote.id).values(**change))
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            update(Vote)
            .where(Vote.id == vote.id)
            .values(one_winner_per_round=False, ranked_threshold="fractional", quota="hare")
        )


def test_a_recount_follows_the_stored_settings(app, convener, voters, tmp_path):
    settings = Settings(**STV, seats=3, one_winner_per_round=True)
    vote = closed_vote(convener, voters, settings, ONE_A_ROUND, ["A", "B", "C", "D"])
    counted = queries.published_counts(vote)
    text = publish.ballots_blt(
        vote.title,
        [o.label for o in services.load_options(vote)],
        vote.seats,
        [content["ranking"] for content, _ in counted],
        weights=[weight for _, weight in counted],
    )
    ballots, results = tmp_path / "vote.blt", tmp_path / "vote-results.json"
    ballots.write_text(text, encoding="utf-8")
    results.write_text(vote.result_json or "", encoding="utf-8")
    run = app.test_cli_runner().invoke(args=["tally", str(ballots), "--results", str(results)])
    assert run.exit_code == 0, run.output
    assert run.output.endswith(MATCHES + "\n")
    assert "One winner per round" in run.output


# --- the form and the pages --------------------------------------------------------------------

FORM = {
    "title": "Who sits on the finance committee?",
    "options": "A\nB\nC\nD",
    "quorum_percent": "0",
    "secret": "y",
    "replaceable": "y",
    "body_id": "",
    "threshold": "simple",
    "block_rule": "no_decision",
    "tie_break": "earlier_rounds",
    "irv_threshold": "standard",
}


def test_a_convener_chooses_the_stv_options_on_the_form(client, login_as, convener):
    login_as(convener)
    page = client.get("/votes/new?purpose=election").get_data(as_text=True)
    assert "One winner per round" in page
    assert "Droop, fractional" in page
    response = client.post(
        "/votes/new?purpose=election",
        data={
            **FORM,
            "method": "stv",
            "seats": "2",
            "stv_variant": "stv",
            "quota": "droop_fractional",
            "one_winner_per_round": "y",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    vote = db.session.scalar(select(Vote))
    assert (vote.quota, vote.ranked_threshold, vote.one_winner_per_round) == (
        "droop",
        "fractional",
        True,
    )
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "fractional Droop quota (votes ÷ (seats + 1) to 4 decimal places, plus 0.0001)" in (
        detail
    )
    assert "One candidate is elected per round" in detail


def test_a_convener_chooses_the_irv_threshold_on_the_form(client, login_as, convener):
    login_as(convener)
    response = client.post(
        "/votes/new",
        data={
            **FORM,
            "method": "irv",
            "seats": "1",
            "stv_variant": "stv",
            "quota": "droop",
            "irv_threshold": "first_round",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    vote = db.session.scalar(select(Vote))
    assert (vote.ranked_threshold, vote.one_winner_per_round) == ("first_round", False)
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "more than half of the first round" in detail


def test_a_refused_combination_stands_beside_its_field(client, login_as, convener):
    login_as(convener)
    response = client.post(
        "/votes/new?purpose=election",
        data={
            **FORM,
            "method": "stv",
            "seats": "2",
            "stv_variant": "scottish",
            "quota": "droop_fractional",
            "one_winner_per_round": "y",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    quota = page[page.index('name="quota"') :]
    assert quota.index("The fractional quota is counted by weighted inclusive Gregory") < (
        quota.index("</div>")
    )
    one = page[page.index('name="one_winner_per_round"') :]
    assert one.index("One winner per round is counted by weighted inclusive Gregory") < (
        one.index("</div>")
    )
    assert re.search(r'<option [^>]*selected[^>]*value="droop_fractional"', page)  # kept
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_the_results_page_shows_the_options(client, login_as, convener, voters):
    settings = Settings(**STV, seats=3, one_winner_per_round=True, ranked_threshold="fractional")
    vote = closed_vote(convener, voters, settings, ONE_A_ROUND, ["A", "B", "C", "D"])
    login_as(convener)
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "Quota: 5.0001 (fractional Droop)" in page
    assert "one winner per round" in page
    assert json.loads(vote.result_json or "")["count"]["rules"]["one_winner_per_round"] is True
