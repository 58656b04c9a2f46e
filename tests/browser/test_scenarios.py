"""Shorter stories in a real browser: a secret ballot's receipt found in the published list,
a block in a consensus vote and its fallback, an expired invitation, a member refused a
convener's action, and the XSS corpus written through the forms and read in real pages."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from deliberate.accounts.models import MemberRole
from deliberate.accounts.services import invite_member
from tests.browser.conftest import (
    LiveServer,
    People,
    axe_script,
    axe_violations,
    live_server,
)
from tests.browser.test_mission import cast, choice, submit
from tests.factories import PASSWORD, join, make_member, make_tendency
from tests.security.test_xss import PAYLOADS

pytestmark = pytest.mark.browser

MEMBERS = ("ana", "ben", "cy", "dee")
EXPIRED: dict[str, str] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    def organization() -> None:
        admin = make_member("Ada Admin", role=MemberRole.ADMIN, email="admin@example.org")
        make_member("Carl Convener", role=MemberRole.CONVENER, email="convener@example.org")
        tendency = make_tendency("Red Current")
        for name in MEMBERS:
            join(make_member(name.title(), email=f"{name}@example.org"), tendency)
        _, token = invite_member(admin, "late@example.org", valid_for=timedelta(seconds=-1))
        EXPIRED["token"] = token

    with live_server(tmp_path_factory.mktemp("stories"), "stories", organization) as live:
        yield live


def new_question(convener: Any, title: str, method: str, **fields: str) -> str:
    """A free question put to every member; the vote's address."""
    convener.goto("/votes/new")
    convener.get_by_label("Method").select_option(method)
    convener.get_by_label("Question").fill(title)
    for label, value in fields.items():
        field = convener.get_by_label(label)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    submit(convener, "Make the vote")
    assert "Close the vote and count it" in convener.locator("main").inner_text()
    return str(convener.url).split("#")[0].removeprefix(convener.url.split("/votes")[0])


def test_a_secret_ballots_receipt_is_in_the_published_list(people: People) -> None:
    convener = people.login("convener@example.org", PASSWORD)
    vote = new_question(convener, "Do we march on Saturday?", "majority")
    ana = people.login("ana@example.org", PASSWORD)
    ana.goto(vote)
    assert axe_violations(ana, axe_script()) == []  # the majority ballot
    code = cast(ana, vote, choice("Yes, for"))
    assert code
    cast(people.login("ben@example.org", PASSWORD), vote, choice("No, against"))
    convener.goto(vote)
    submit(convener, "Close the vote and count it")
    ana.goto(vote)
    ana.get_by_role("link", name="the published receipts, to check your ballot").click()
    digest = hashlib.sha256(f"deliberate-receipt:{vote.rsplit('/', 1)[1]}:{code}".encode())
    row = ana.locator("tr", has_text=digest.hexdigest())
    assert row.count() == 1
    # The receipt proves that the ballot was counted, not what it says.
    assert "yes" not in row.inner_text().lower()
    people.watch.assert_clean()


def test_a_shared_browser_forgets_receipts_at_logout(people: People) -> None:
    convener = people.login("convener@example.org", PASSWORD)
    vote = new_question(convener, "Do we repaint the hall?", "majority")
    ana = people.login("ana@example.org", PASSWORD)
    code = cast(ana, vote, choice("Yes, for"))
    kept = "() => Object.keys(localStorage).filter((k) => k.startsWith('deliberate-receipt-'))"
    keys = ana.evaluate(kept)
    assert len(keys) == 1
    assert ana.evaluate(f"() => localStorage.getItem({keys[0]!r})") == code
    ana.goto(vote)
    assert ana.get_by_label("Your receipt code").input_value() == code
    submit(ana, "Log out")
    assert ana.evaluate(kept) == []
    # The next member on the same browser finds no code, hers or anyone's.
    ana.get_by_label("Email").fill("ben@example.org")
    ana.get_by_label("Password").fill(PASSWORD)
    ana.get_by_role("button", name="Log in").click()
    ana.wait_for_load_state()
    ana.goto(vote)
    assert ana.evaluate(kept) == []
    people.watch.assert_clean()


def test_a_block_falls_back_to_the_stated_supermajority(people: People) -> None:
    convener = people.login("convener@example.org", PASSWORD)
    vote = new_question(
        convener,
        "Do we join the coalition?",
        "consensus",
        **{
            "What a block does": "fallback",
            "Fallback supermajority (two-thirds, three-quarters, 3/5 or 60 %)": "three-quarters",
        },
    )
    ballot = people.login("dee@example.org", PASSWORD)
    ballot.goto(vote)
    assert "at least three-quarters" in ballot.locator("main").inner_text()
    assert axe_violations(ballot, axe_script()) == []  # the consensus ballot
    ballot.get_by_label("Block", exact=True).check()
    ballot.get_by_label("Reason (required for a block; welcome for the others)").fill(
        "The coalition backs the landlords' candidate."
    )
    submit(ballot, "Review my ballot")
    submit(ballot, "Confirm and cast my ballot")
    for name in ("ana", "ben", "cy"):
        cast(people.login(f"{name}@example.org", PASSWORD), vote, choice("Agree"))
    convener.goto(vote)
    submit(convener, "Close the vote and count it")
    page = convener.locator("main").inner_text()
    assert "The coalition backs the landlords' candidate." in page
    outcome = convener.locator(".outcome").first.inner_text()
    assert outcome == "Blocked, then adopted by the fallback supermajority."
    people.watch.assert_clean()


def test_an_expired_invitation_says_so(people: People) -> None:
    page = people.new_page()
    page.goto(f"/invitations/{EXPIRED['token']}")
    assert page.locator("h1").inner_text() == "Invitation expired"
    assert page.get_by_label("New password").count() == 0


def test_a_member_trying_a_conveners_action_is_refused_clearly(people: People) -> None:
    member = people.login("cy@example.org", PASSWORD)
    response = member.goto("/drafts/new")
    assert response is not None
    assert response.status == 403
    assert member.locator(".error-message").inner_text().strip()
    assert member.get_by_role("link", name="Back to the start page").count() == 1


def test_the_xss_corpus_runs_nothing_in_real_pages(people: People) -> None:
    """Every payload, written as comments, a draft's text and a display name, is read back
    in the pages: no dialog, no script error, no request to another origin."""
    convener = people.login("convener@example.org", PASSWORD)
    convener.goto("/drafts/new")
    convener.get_by_label("Title").fill("<script>alert('title')</script> draft")
    convener.get_by_label("Text (Markdown; a blank line starts a new paragraph)").fill(
        "\n\n".join(payload.replace("\n", " ") for payload in PAYLOADS[:120])
    )
    submit(convener, "Create version 1")
    draft = convener.url.split("#")[0]
    writers = [people.login(f"{name}@example.org", PASSWORD) for name in MEMBERS]
    chunks = [PAYLOADS[i : i + 30] for i in range(0, len(PAYLOADS), 30)]
    for number, chunk in enumerate(chunks):
        page = writers[number % len(writers)]
        page.goto(draft)
        page.get_by_label("Your comment", exact=False).last.fill("\n\n".join(chunk))
        submit(page, "Post")
    rename = writers[0]
    rename.goto("/account/name")
    rename.get_by_label("Your name as members see it").fill('"><img src=x onerror=alert(1)>')
    submit(rename, "Save")
    for path in (draft, "/drafts/", "/members/", "/"):
        convener.goto(path)
        convener.wait_for_timeout(100)
    convener.goto(draft.replace("/drafts/", "/debate/draft/"))
    assert convener.locator("li.comment").count() == len(chunks)
    people.watch.assert_clean()
