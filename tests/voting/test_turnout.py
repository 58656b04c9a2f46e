"""Conveners see the turnout of an open vote by tendency and, in a roll-call vote, who has
not voted yet: never what anyone voted, and in a secret vote no group smaller than a
published breakdown's, nor anyone's name."""

from __future__ import annotations

import re

import pytest

from deliberate.accounts.models import MemberRole
from deliberate.voting import services
from deliberate.voting.rules import Settings
from tests.factories import make_member, make_tendency


@pytest.fixture
def convener(session):
    return make_member("Rita Convener", role=MemberRole.CONVENER)


@pytest.fixture
def people(session):
    """Twelve in Northside, two in Southside, one with no tendency."""
    north, south = make_tendency("Northside"), make_tendency("Southside")
    return {
        "north": [make_member(f"North {i:02}", tendency=north) for i in range(12)],
        "south": [make_member(f"South {i}", tendency=south) for i in range(2)],
        "none": [make_member("Nadia Nobody")],
    }


def open_vote(convener, secret):
    return services.create_vote(
        convener,
        title="Join the federation?",
        settings=Settings(method="majority", threshold="simple", secret=secret),
    )


def turnout_section(page: str) -> str:
    section = page[page.index('id="turnout-heading"') :]
    return section[: section.index("</section>")]


def turnout_rows(page: str) -> dict[str, tuple[int, int]]:
    section = turnout_section(page)
    return {
        name: (int(roll), int(voted))
        for name, roll, voted in re.findall(
            r'<th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)</td>', section
        )
    }


def test_a_convener_sees_the_turnout_of_a_roll_call_vote_by_tendency(
    client, login_as, convener, people
):
    vote = open_vote(convener, secret=False)
    for voter in [*people["north"][:3], people["south"][0]]:
        services.cast_ballot(voter, vote, {"choice": "yes"})
    login_as(convener)
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    # The convener is on the roll too, with no tendency.
    assert turnout_rows(page) == {
        "no tendency": (2, 0),
        "Northside": (12, 3),
        "Southside": (2, 1),
        "All": (16, 4),
    }
    assert "Who has not voted yet (12)" in page


def test_the_roll_call_list_of_who_has_not_voted_names_them_and_nothing_else(
    client, login_as, convener, people
):
    vote = open_vote(convener, secret=False)
    services.cast_ballot(people["north"][0], vote, {"choice": "no"})
    login_as(convener)
    page = client.get(f"/votes/{vote.id}/not-voted").get_data(as_text=True)
    assert "North 00" not in page
    assert "North 01" in page
    assert "Nadia Nobody" in page
    assert "South 1" in page
    assert ">no<" not in page
    assert "against" not in page


def test_a_secret_vote_shows_only_groups_as_large_as_a_published_breakdown(
    client, login_as, convener, people, app
):
    app.config["SECRET_BREAKDOWN_MIN"] = 10
    vote = open_vote(convener, secret=True)
    for voter in people["north"][:10]:
        services.cast_ballot(voter, vote, {"choice": "yes"})
    login_as(convener)
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert turnout_rows(page) == {"Northside": (12, 10), "others": (4, 0), "All": (16, 10)}
    assert "Southside" not in turnout_section(page)

    # One voter outside Northside: "others" would be a group of one; nothing by tendency.
    services.cast_ballot(people["south"][0], vote, {"choice": "no"})
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert turnout_rows(page) == {}
    assert "11 of 16 have voted." in page
    assert "Nothing is shown by tendency yet: a group shown would have fewer than 10" in page
    assert "Who has not voted yet" not in page


def test_a_secret_vote_names_no_one_who_has_not_voted(client, login_as, convener, people):
    vote = open_vote(convener, secret=True)
    login_as(convener)
    response = client.get(f"/votes/{vote.id}/not-voted")
    assert response.status_code == 404
    assert "conveners included" in response.get_data(as_text=True)
    assert "North 01" not in response.get_data(as_text=True)


def test_members_see_no_turnout_and_are_told_what_conveners_see(client, login_as, convener, people):
    vote = open_vote(convener, secret=False)
    secret = open_vote(convener, secret=True)
    login_as(people["north"][0])
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert 'id="turnout-heading"' not in page
    assert "who on the roll has not voted yet, to remind them" in page
    assert client.get(f"/votes/{vote.id}/not-voted").status_code == 403
    page = client.get(f"/votes/{secret.id}").get_data(as_text=True)
    assert "no one, conveners included, sees who has voted" in page


def test_the_list_is_kept_only_while_the_vote_is_open(client, login_as, convener, people):
    vote = open_vote(convener, secret=False)
    services.close_vote(convener, vote)
    login_as(convener)
    assert client.get(f"/votes/{vote.id}/not-voted").status_code == 404


@pytest.mark.parametrize("page", ["99999999999999999999", "0", "-1", "١٢", "x"])
def test_page_numbers_of_the_list_out_of_range_are_refused(client, login_as, convener, page):
    vote = open_vote(convener, secret=False)
    login_as(convener)
    response = client.get(f"/votes/{vote.id}/not-voted", query_string={"page": page})
    assert response.status_code == 400
    assert "page number must be a whole number from 1 to 10000" in response.get_data(as_text=True)


def test_the_list_comes_a_hundred_names_a_page(client, login_as, convener):
    for i in range(105):
        make_member(f"Member {i:03}")
    vote = open_vote(convener, secret=False)
    login_as(convener)
    first = client.get(f"/votes/{vote.id}/not-voted").get_data(as_text=True)
    second = client.get(f"/votes/{vote.id}/not-voted?page=2").get_data(as_text=True)
    assert "Member 000" in first
    assert "Member 099" in first
    assert "Member 099" not in second
    assert "Member 104" in second
    assert "Rita Convener" in second
    assert "Next →" in first
    assert "Next →" not in second
