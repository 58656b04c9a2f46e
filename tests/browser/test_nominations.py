"""Candidates stand in a real browser: a convener announces an election by nomination, a
member stands with a statement, another is nominated and accepts, the convener opens the
election, and a voter reads the statements on the ballot and the review, at desktop and phone
widths, with axe-core finding nothing serious."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from deliberate.accounts.models import MemberRole
from tests.browser.conftest import LiveServer, People, axe_script, axe_violations, live_server
from tests.browser.test_mission import submit
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.browser

STATEMENT = "I will publish the accounts **every month**."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    def organization() -> None:
        make_member("Carl Convener", role=MemberRole.CONVENER, email="convener@example.org")
        for name in ("Ana", "Ben", "Cy"):
            make_member(f"{name} Member", email=f"{name.lower()}@example.org")

    with live_server(tmp_path_factory.mktemp("nominations"), "nominations", organization) as live:
        yield live


def announce(convener: Any) -> str:
    """The convener makes an election whose candidates stand by nomination; its address."""
    convener.goto("/votes/new?purpose=election")
    convener.get_by_label("Method").select_option("irv")
    convener.get_by_label("Question").fill("Elect the treasurer")
    convener.get_by_label("Candidates stand by nomination", exact=False).check()
    submit(convener, "Make the vote")
    assert "Nominations: stand, nominate" in convener.locator("main").inner_text()
    return str(convener.url).removeprefix(convener.url.split("/votes")[0])


def no_violations(page: Any) -> None:
    assert axe_violations(page, axe_script()) == [], page.url


@pytest.mark.parametrize("width", [1280, 375])
def test_candidates_stand_and_the_ballot_shows_their_statements(people: People, width: int) -> None:
    viewport = (width, 900)
    convener = people.login("convener@example.org", PASSWORD, viewport)
    vote = announce(convener)
    nominations = f"{vote}/nominations"

    ana = people.login("ana@example.org", PASSWORD, viewport)
    ana.goto(nominations)
    no_violations(ana)
    ana.get_by_label("Who stands").select_option(label="Myself (Ana Member)")
    ana.get_by_label("Your statement", exact=False).fill(STATEMENT)
    submit(ana, "Nominate")
    assert "You stand in this election." in ana.locator("main").inner_text()
    ana.get_by_label("Who stands").select_option(label="Ben Member")
    submit(ana, "Nominate")
    assert "awaiting acceptance" in ana.locator("main").inner_text()

    ben = people.login("ben@example.org", PASSWORD, viewport)
    ben.goto(nominations)
    no_violations(ben)  # the accept form with its statement field
    ben.get_by_label("Statement (Markdown", exact=False).fill("Ben's *short* statement.")
    submit(ben, "Accept and stand")
    assert ben.locator(".nomination-accepted").count() == 2

    convener.goto(nominations)
    submit(convener, "Open the election with these candidates")
    assert "The election is open" in convener.locator("main").inner_text()

    cy = people.login("cy@example.org", PASSWORD, viewport)
    cy.goto(vote)
    ana_item = cy.locator(".rank-item", has_text="Ana Member")
    statement = ana_item.locator(".candidate-statement")
    assert not statement.locator(".markdown").is_visible()  # folded on the ballot
    statement.locator("summary").click()
    assert statement.locator("strong").inner_text() == "every month"
    assert ana_item.get_by_role("link", name="About Ana Member").count() == 1
    no_violations(cy)
    ana_item.locator("input.rank-number").fill("1")
    submit(cy, "Review my ballot")
    review = cy.locator(".ballot-summary")
    review.locator(".candidate-statement summary").first.click()
    assert "every month" in review.inner_text()
    no_violations(cy)
    assert cy.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    people.watch.assert_clean()
