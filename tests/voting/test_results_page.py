"""The results page reads on a phone: the outcome first, a chart drawn for the width, and
every box that scrolls sideways reachable from the keyboard."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from deliberate.accounts.models import MemberRole
from deliberate.voting import services
from deliberate.voting.rules import Settings
from tests.factories import make_member, make_tendency
from tests.layout import assert_tables_boxed, scroll_boxes


@pytest.fixture
def convener(session):
    return make_member("Rita Convener", role=MemberRole.CONVENER)


def close_ranked(convener, method="irv", seats=1, secret=True):
    north = make_tendency("Northside")
    voters = [make_member(tendency=north) for _ in range(6)]
    vote = services.create_vote(
        convener,
        title="Who chairs the convention?",
        settings=Settings(
            method=method,
            secret=secret,
            seats=seats,
            quorum_percent=50,
            stv_variant="stv" if method == "stv" else None,
        ),
        purpose="election" if method == "stv" else "question",
        options=[services.OptionSpec(name) for name in ("Ana", "Ben", "Chloé")],
    )
    rankings = [["Ana"], ["Ana", "Ben"], ["Ben", "Ana"], ["Chloé", "Ben"], ["Ben"], ["Ben"]]
    for voter, ranking in zip(voters, rankings, strict=True):
        services.cast_ballot(voter, vote, {"ranking": ranking})
    services.close_vote(convener, vote)
    return vote, voters


def test_the_outcome_comes_before_the_rules_and_the_rounds(client, login_as, convener):
    vote, voters = close_ranked(convener)
    login_as(voters[0])
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    outcome = page.index("“Ben” wins.")
    margin = page.index("In the last round (round 2), “Ben” had 4 votes to 2 for “Ana”")
    quorum = page.index("Quorum of 50%: <strong>met</strong>")
    rounds = page.index("<caption>Round by round</caption>")
    rules = page.index("How this vote works")
    assert outcome < margin < quorum < rounds < rules


@pytest.mark.parametrize(
    ("method", "seats", "said"),
    [
        ("stv", 2, "The quota was 3. Elected: “Ben” in round"),
        ("schulze", 1, "Against the runner-up"),
    ],
)
def test_the_outcome_says_by_how_much(client, login_as, convener, method, seats, said):
    vote, voters = close_ranked(convener, method=method, seats=seats)
    login_as(voters[0])
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert said in page
    assert page.index(said) < page.index("How this vote works")


def test_a_yes_no_result_says_how_many_yes_votes_were_needed(client, login_as, convener):
    voters = [make_member() for _ in range(3)]
    vote = services.create_vote(
        convener,
        title="Join the federation?",
        settings=Settings(method="majority", threshold="simple"),
    )
    for voter, choice in zip(voters, ["yes", "yes", "no"], strict=True):
        services.cast_ballot(voter, vote, {"choice": choice})
    services.close_vote(convener, vote)
    login_as(voters[0])
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "Adopted by 2 to 1." in page
    assert "2 votes for; 2 were needed." in page


def charts(page: str) -> list[ET.Element]:
    found = re.findall(r"<svg .*?</svg>", page, flags=re.S)
    return [ET.fromstring(svg) for svg in found]  # noqa: S314 - our own output


@pytest.mark.parametrize("method", ["irv", "majority"])
def test_the_chart_is_drawn_for_a_phone_as_well(client, login_as, convener, method):
    if method == "irv":
        vote, voters = close_ranked(convener)
    else:
        voters = [make_member() for _ in range(2)]
        vote = services.create_vote(
            convener, title="Join?", settings=Settings(method="majority", threshold="simple")
        )
        services.cast_ballot(voters[0], vote, {"choice": "yes"})
        services.close_vote(convener, vote)
    login_as(voters[0])
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    drawn = {svg.get("class"): svg for svg in charts(page)}
    assert set(drawn) == {"chart chart-wide", "chart chart-narrow"}
    narrow = drawn["chart chart-narrow"]
    # Drawn 320 units wide, text at the page's body size: shown at its size in a phone's column.
    assert narrow.get("width") == "320"
    assert narrow.get("font-size") == "16"
    for text in narrow.iter("{http://www.w3.org/2000/svg}text"):
        assert int(text.get("font-size", "16")) >= 16


@pytest.mark.parametrize("secret", [True, False])
def test_every_table_of_the_results_scrolls_in_a_named_focusable_box(
    client, login_as, convener, secret
):
    vote, voters = close_ranked(convener, method="schulze", secret=secret)
    login_as(voters[0])
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert len(scroll_boxes(page)) >= 2
    assert_tables_boxed(page)


def test_the_members_administration_and_the_import_report_scroll_in_named_boxes(client, login_as):
    admin = make_member("Ada Admin", role=MemberRole.ADMIN)
    login_as(admin)
    page = client.get("/admin/members").get_data(as_text=True)
    labels = [box.get("aria-label") for box in scroll_boxes(page)]
    assert labels == ["Members", "Open invitations"]
    assert_tables_boxed(page)
