"""Vote pages: conveners put questions to a vote, members cast, everyone reads the result."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from deliberate.accounts.models import MemberRole
from deliberate.extensions import db
from deliberate.voting import services
from deliberate.voting.models import Ballot, Participation, Vote
from deliberate.voting.rules import Settings
from deliberate.voting.vocabulary import VoteState
from tests.factories import make_member, make_tendency


@pytest.fixture
def convener(session):
    return make_member("Rita Convener", role=MemberRole.CONVENER)


@pytest.fixture
def member(session):
    return make_member("Sam Member", tendency=make_tendency("Northside"))


def ranked_vote(convener, secret=True):
    options = [services.OptionSpec(name) for name in ("Ana", "Ben", "Chloé")]
    return services.create_vote(
        convener,
        title="Who chairs the convention?",
        settings=Settings(method="irv", secret=secret),
        options=options,
    )


def test_a_convener_puts_a_question_to_a_vote(client, login_as, convener, member):
    login_as(convener)
    page = client.get("/votes/new")
    assert page.status_code == 200
    assert "These settings are fixed when the vote opens" in page.get_data(as_text=True)
    response = client.post(
        "/votes/new",
        data={
            "title": "Join the tenants' federation?",
            "method": "majority",
            "threshold": "two_thirds",
            "quorum_percent": "10",
            "secret": "y",
            "replaceable": "y",
            "body_id": "",
            "stv_variant": "stv",
            "quota": "droop",
            "block_rule": "no_decision",
            "seats": "1",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    vote = db.session.scalar(select(Vote))
    assert vote.title == "Join the tenants' federation?"
    assert vote.state == VoteState.OPEN
    assert vote.threshold == "two_thirds"
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "two-thirds: at least two-thirds of the votes cast" in detail
    assert "Quorum: 10% of the roll must take part." in detail


def test_a_member_cannot_make_a_vote(client, login_as, member):
    login_as(member)
    assert client.get("/votes/new").status_code == 403
    response = client.post("/votes/new", data={"title": "x", "method": "majority"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_bad_settings_are_refused_with_a_message(client, login_as, convener):
    login_as(convener)
    response = client.post(
        "/votes/new",
        data={
            "title": "Who chairs?",
            "method": "irv",
            "options": "Ana\nana",
            "quorum_percent": "0",
            "body_id": "",
            "stv_variant": "stv",
            "quota": "droop",
            "threshold": "simple",
            "block_rule": "no_decision",
            "seats": "1",
        },
    )
    assert response.status_code == 400
    assert "is listed twice" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_a_ranked_ballot_is_reviewed_then_cast_with_a_receipt(client, login_as, convener, member):
    vote = ranked_vote(convener)
    login_as(member)
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert 'name="rank_1"' in page
    assert re.search(r"Voted so far: <span data-voted>0</span> of \d+ members? on the roll", page)
    review = client.post(f"/votes/{vote.id}/cast", data={"rank_2": "1", "rank_3": "2"})
    text = review.get_data(as_text=True)
    assert review.status_code == 200
    assert re.search(r"<ol><li>Ben</li><li>Chloé</li></ol>", text)
    assert "Not ranked: Ana." in text
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    cast = client.post(
        f"/votes/{vote.id}/cast", data={"rank_2": "1", "rank_3": "2", "confirm": "1"}
    )
    body = cast.get_data(as_text=True)
    assert cast.status_code == 200
    code = re.search(r'data-receipt-code="([^"]+)"', body).group(1)
    ballot = db.session.scalar(select(Ballot))
    assert json.loads(ballot.content) == {"ranking": ["Ben", "Chloé"]}
    assert ballot.receipt_hash == services.receipt_hash(vote.id, code)
    again = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "You have voted." in again


def test_bad_ballots_are_refused_and_change_nothing(client, login_as, convener, member):
    vote = ranked_vote(convener)
    login_as(member)
    for data, message in [
        ({"rank_1": "1", "rank_2": "1", "confirm": "1"}, "Rank 1 is given twice"),
        ({"rank_1": "2", "confirm": "1"}, "without gaps"),
        ({"rank_1": "x", "confirm": "1"}, "must be a whole number"),
        ({"confirm": "1"}, "Rank at least one option"),
    ]:
        response = client.post(f"/votes/{vote.id}/cast", data=data)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 0


def test_a_member_not_on_the_roll_is_refused(client, login_as, convener):
    vote = ranked_vote(convener)
    late = make_member("Late Joiner")
    login_as(late)
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "You are not on the roll of this vote" in page
    response = client.post(f"/votes/{vote.id}/cast", data={"rank_1": "1", "confirm": "1"})
    assert response.status_code == 403


def test_closing_shows_rounds_chart_and_the_published_ballots(client, login_as, convener):
    voters = [make_member() for _ in range(5)]
    vote = ranked_vote(convener)
    for voter, ranking in zip(
        voters, [["Ana"], ["Ana"], ["Ben", "Ana"], ["Chloé", "Ben"], ["Chloé"]], strict=True
    ):
        services.cast_ballot(voter, vote, {"ranking": ranking})
    login_as(voters[0])
    assert client.get(f"/votes/{vote.id}/results.json").status_code == 404
    assert client.post(f"/votes/{vote.id}/close").status_code == 403
    login_as(convener)
    closed = client.post(f"/votes/{vote.id}/close")
    assert closed.status_code == 303
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "Round by round" in page
    assert "<svg" in page
    assert "“Ana” wins." in page
    assert "Valid ballots: 5." in page
    # The rounds read from the winner down: the winner, the runner-up, the first one out.
    table = page[page.index('<table class="list rounds">') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r'<th scope="row">([^<]+)</th>', table)
    assert rows == ["Ana", "Chloé", "Ben", "Exhausted"]
    blt = client.get(f"/votes/{vote.id}/ballots.blt")
    assert blt.status_code == 200
    assert blt.get_data(as_text=True).startswith("3 1\n")
    stored = client.get(f"/votes/{vote.id}/results.json").get_json()
    assert stored["schema"] == "deliberate.vote-result/1"
    assert stored["outcome"]["winners"] == ["Ana"]
    receipts = client.get(f"/votes/{vote.id}/receipts").get_data(as_text=True)
    hashes = re.findall(r"<code>([0-9a-f]{64})</code>", receipts)
    assert len(hashes) == 5
    assert hashes == sorted(hashes)
    cast = client.post(f"/votes/{vote.id}/cast", data={"rank_1": "1", "confirm": "1"})
    assert cast.status_code == 409
    assert "This vote is closed" in cast.get_data(as_text=True)


def test_roll_call_results_name_each_voter_by_tendency(client, login_as, convener, member):
    settings = Settings(method="majority", threshold="simple", secret=False)
    vote = services.create_vote(convener, title="Roll call", settings=settings)
    services.cast_ballot(member, vote, {"choice": "no"})
    services.close_vote(convener, vote)
    login_as(member)
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "Who voted what" in page
    assert re.search(r"<td>Sam Member</td><td>Northside</td>\s*<td>no</td>", page)
    assert client.get(f"/votes/{vote.id}/receipts").status_code == 404
    csv_file = client.get(f"/votes/{vote.id}/ballots.csv").get_data(as_text=True)
    assert csv_file == "count,choice\n1,no\n"


def test_a_block_sends_the_question_to_a_linked_second_round(client, login_as, convener, member):
    voters = [make_member() for _ in range(3)]
    settings = Settings(method="consensus", block_rule="second_round")
    vote = services.create_vote(convener, title="Meet in the hall?", settings=settings)
    services.cast_ballot(voters[0], vote, {"position": "block", "reason": "No ramp."})
    services.cast_ballot(voters[1], vote, {"position": "agree"})
    login_as(member)
    assert client.post(f"/votes/{vote.id}/second-round").status_code == 403
    login_as(convener)
    early = client.post(f"/votes/{vote.id}/second-round")
    assert early.status_code == 409
    client.post(f"/votes/{vote.id}/close")
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "Blocked: a second round is needed after further debate." in page
    assert "Hold the second round" in page
    response = client.post(f"/votes/{vote.id}/second-round")
    assert response.status_code == 303
    second = db.session.scalar(select(Vote).where(Vote.previous_vote_id == vote.id))
    assert response.headers["Location"].endswith(f"/votes/{second.id}")
    assert second.state == VoteState.OPEN
    assert (second.title, second.method, second.block_rule) == (
        "Meet in the hall?",
        "consensus",
        "second_round",
    )
    assert "This is the second round of" in client.get(f"/votes/{second.id}").get_data(as_text=True)
    assert client.post(f"/votes/{vote.id}/second-round").status_code == 409
    assert f"/votes/{second.id}" in client.get(f"/votes/{vote.id}").get_data(as_text=True)
