"""The list of votes says where the member stands in each, names methods in words, and costs
the same number of queries however many votes there are."""

from __future__ import annotations

import re

import pytest

from deliberate.accounts.models import MemberRole
from deliberate.extensions import db
from deliberate.voting import services
from deliberate.voting.rules import Settings
from tests.factories import make_member


@pytest.fixture
def convener(session):
    return make_member("Rita Convener", role=MemberRole.CONVENER)


def question(convener, title, **settings):
    options = [services.OptionSpec(name) for name in ("Ana", "Ben", "Chloé")]
    method = settings.pop("method", "irv")
    return services.create_vote(
        convener,
        title=title,
        settings=Settings(method=method, **settings),
        options=options if method != "majority" else (),
        purpose="election" if method == "stv" else "question",
    )


def row_of(page: str, title: str) -> str:
    match = re.search(rf"<tr><td><a [^>]*>{re.escape(title)}</a>.*?</tr>", page, flags=re.S)
    assert match, f"{title} is not listed"
    return match.group(0)


def test_each_vote_says_whether_you_voted_may_vote_or_are_not_on_the_roll(
    client, login_as, convener
):
    member = make_member("Sam Member")
    voted = question(convener, "Who chairs?")
    question(convener, "Which date?", method="majority", threshold="simple")
    services.cast_ballot(member, voted, {"ranking": ["Ana"]})
    done = question(convener, "Which hall?", method="stv", seats=2, stv_variant="stv")
    services.close_vote(convener, done)
    late = make_member("Late Joiner")  # joins after they opened: on no roll

    login_as(member)
    page = client.get("/votes/").get_data(as_text=True)
    assert "You voted" in row_of(page, "Who chairs?")
    assert "You may vote" in row_of(page, "Which date?")
    assert "You did not vote" in row_of(page, "Which hall?")
    assert "Ranked choice, one winner" in row_of(page, "Who chairs?")
    assert "Yes or no" in row_of(page, "Which date?")
    assert "Ranked choice, 2 seats" in row_of(page, "Which hall?")
    for code in ("irv", "stv", "majority"):
        assert f"<td>{code}</td>" not in page

    login_as(late)
    page = client.get("/votes/").get_data(as_text=True)
    assert "You are not on the roll" in row_of(page, "Who chairs?")
    assert "You are not on the roll" in row_of(page, "Which hall?")


def test_the_list_costs_the_same_queries_for_3_and_30_votes(
    client, login_as, convener, count_queries
):
    member = make_member("Sam Member")
    counts = []
    made = 0
    for total in (3, 30):
        while made < total:
            vote = question(convener, f"Question {made}")
            if made % 3 == 0:
                services.cast_ballot(member, vote, {"ranking": ["Ben"]})
            if made % 2 == 0:
                services.close_vote(convener, vote)
            made += 1
        login_as(member)
        db.session.commit()
        with count_queries() as statements:
            assert client.get("/votes/").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
