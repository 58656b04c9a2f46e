"""The mission, end to end in a real browser, with one browser context per person.

An admin invites members, who accept and join tendencies; a convener drafts a situational
objective and opens the amendment window; members propose and second amendments, two of them
competing; a coordinator publishes a position paper; members debate on a paragraph; the
convener puts an amendment to a yes/no vote, the competing pair to a ranked vote and the text
to a consensus vote on its adoption; members cast (ranking by dragging and by keyboard); the
convener closes the votes and the draft shows the merged text.

The `mission` fixture walks all of that once per module; each test reads where it left the
organization and goes on from there: the last test continues to the decision record, sealed,
with members' commitments and a registered disagreement, found in the archive and exported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from deliberate.accounts.models import MemberRole
from tests.browser.conftest import LiveServer, People, live_server
from tests.factories import PASSWORD, join, make_member, make_tendency

pytestmark = pytest.mark.browser

TEXT = """We organize the tenants of Eastside building by building.

Each building elects a delegate to the tenants' assembly.

The assembly meets every month and decides the campaign's demands.

We evaluate this objective at the end of January."""
NEW_PASSWORD = "the newcomer's own password"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    def officers() -> None:
        make_member("Ada Admin", role=MemberRole.ADMIN, email="admin@example.org")
        make_member("Carl Convener", role=MemberRole.CONVENER, email="convener@example.org")
        red = make_tendency("Red Current", "Build **power** where we live.")
        green = make_tendency("Green Current", "The assembly decides.")
        join(make_member("Rosa Red", email="rosa@example.org"), red, coordinator=True)
        join(make_member("Gus Green", email="gus@example.org"), green, coordinator=True)

    with live_server(tmp_path_factory.mktemp("mission"), "mission", populate=officers) as live:
        yield live


@dataclass
class Mission:
    """Where the walk has left the organization: who is logged in where, and the draft."""

    people: People
    pages: dict[str, Any] = field(default_factory=dict)
    draft_url: str = ""
    votes: dict[str, str] = field(default_factory=dict)

    def as_(self, who: str) -> Any:
        return self.pages[who]


def submit(page: Any, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


def flash(page: Any) -> str:
    return page.locator(".flash").all_inner_texts().__str__()


def invite_and_join(mission: Mission) -> None:
    """The admin invites four people; they accept, and join a tendency (two through the
    invitation, two by asking the coordinator, who approves)."""
    people = mission.people
    admin = mission.pages["admin"] = people.login("admin@example.org", PASSWORD)
    newcomers = {
        "mei": ("Mei Lin", "Red Current"),
        "ben": ("Ben Okafor", "Green Current"),
        "ivy": ("Ivy Park", ""),
        "sam": ("Sam Cruz", ""),
    }
    links = {}
    for key, (name, tendency) in newcomers.items():
        admin.goto("/admin/invitations/new")
        admin.get_by_label("Email").fill(f"{key}@example.org")
        admin.get_by_label(re.compile("^Name")).fill(name)
        if tendency:
            admin.get_by_label("Tendency").select_option(label=tendency)
        submit(admin, "Create invitation")
        links[key] = admin.get_by_label("Invitation link").input_value()
        assert links[key].startswith("http")
    for key, link in links.items():
        name = newcomers[key][0]
        page = people.new_page()
        page.goto(link)
        page.get_by_label("Your name as members will see it").fill(name)
        page.get_by_label("New password").fill(NEW_PASSWORD)
        page.get_by_label("Repeat the password").fill(NEW_PASSWORD)
        submit(page, "Join")
        assert "/login" not in page.url
        mission.pages[key] = page
    for key, tendency in (("ivy", "Red Current"), ("sam", "Green Current")):
        page = mission.pages[key]
        page.goto("/tendencies/")
        page.get_by_role("link", name=tendency).first.click()
        submit(page, "Ask to join")
    for coordinator, email, asker in (
        ("rosa", "rosa@example.org", "Ivy Park"),
        ("gus", "gus@example.org", "Sam Cruz"),
    ):
        page = mission.pages[coordinator] = people.login(email, PASSWORD)
        page.goto("/")
        page.get_by_role("link", name=re.compile("Current")).first.click()
        request = page.locator("li", has_text=asker)
        request.get_by_role("button", name="Approve").click()
        page.wait_for_load_state()
        assert asker in page.locator("main").inner_text()


def draft_and_open_window(mission: Mission) -> None:
    convener = mission.pages["convener"] = mission.people.login("convener@example.org", PASSWORD)
    convener.goto("/drafts/new")
    convener.get_by_label("Title").fill("Eastside tenants first")
    convener.get_by_label("Kind").select_option(label="Situational objective")
    convener.get_by_label("Valid from").fill("2026-12-01")
    convener.get_by_label("Valid until").fill("2027-01-31")
    convener.get_by_label("Evaluation date").fill("2027-02-15")
    convener.get_by_label(re.compile("^Text")).fill(TEXT)
    submit(convener, "Create version 1")
    mission.draft_url = convener.url.split("#")[0].replace(mission.people.server.url, "")
    convener.get_by_label("Deadline (UTC)").fill("2030-01-01T12:00")
    submit(convener, "Open amendments")
    assert "Amendments are open until" in convener.locator("main").inner_text()


def propose(page: Any, draft_url: str, paragraph: int, text: str, title: str) -> str:
    page.goto(draft_url)
    page.get_by_role("link", name=f"amend ¶{paragraph}").click()
    page.get_by_label(re.compile("^New text")).fill(text)
    page.get_by_label("Title").fill(title)
    page.get_by_label(re.compile("^Rationale")).fill(f"Because {title.lower()}.")
    submit(page, "Propose")
    return page.url


def second(page: Any, url: str, label: str) -> None:
    page.goto(url)
    submit(page, f"Second {label}")


def amend(mission: Mission) -> None:
    """Three amendments, each seconded twice; two change ¶3 and so compete."""
    p = mission.pages
    a1 = propose(
        p["mei"], mission.draft_url, 2, "Each building elects two delegates.", "Two delegates"
    )
    a2 = propose(
        p["ben"], mission.draft_url, 3, "The assembly meets every week.", "Weekly assembly"
    )
    a3 = propose(
        p["ivy"],
        mission.draft_url,
        3,
        "The assembly meets every fortnight.",
        "Fortnightly assembly",
    )
    for who in ("ben", "sam"):
        second(p[who], a1, "A1")
    for who in ("mei", "sam"):
        second(p[who], a2, "A2")
        second(p[who], a3, "A3")
    mission.votes["a1"] = a1
    convener = p["convener"]
    convener.goto(mission.draft_url)
    # Both change ¶3: the draft groups them as competing on its own.
    assert "Competing group" in convener.locator("#amendments").inner_text()


def paper_and_debate(mission: Mission) -> None:
    rosa = mission.pages["rosa"]
    rosa.goto(mission.draft_url)
    rosa.get_by_role("link", name="Write a paper of Red Current").click()
    rosa.get_by_label("Title").fill("Delegates keep the assembly close")
    rosa.get_by_label("Text (Markdown)").fill("Red Current backs **two delegates** per building.")
    submit(rosa, "Save")
    submit(rosa, "Publish")
    mei = mission.pages["mei"]
    mei.goto(mission.draft_url)
    mei.locator("#p2").get_by_role("link", name="Comment on ¶2").click()
    mei.get_by_label(re.compile("^Your comment")).fill("Two delegates share the work.")
    submit(mei, "Post")
    # Back on the draft, at the new comment, which its paragraph's margin counts.
    assert urlsplit(mei.url).path == mission.draft_url
    assert "Two delegates share the work." in mei.locator("main").inner_text()
    assert "1 comment on ¶2" in mei.locator("#p2").inner_text()


def make_vote(convener: Any, link: str, method: str | None = None, **settings: str) -> str:
    """Follow a convener's "put to a vote" link, choose the method and make the vote (it
    opens at once); the vote's address."""
    convener.get_by_role("link", name=link).first.click()
    if method:
        convener.get_by_label("Method").select_option(method)
    for label, value in settings.items():
        convener.get_by_label(label.replace("_", " ")).fill(value)
    submit(convener, "Make the vote")
    assert "Close the vote and count it" in convener.locator("main").inner_text()
    return urlsplit(convener.url).path


def cast(page: Any, vote_url: str, choose: Any) -> str:
    """Fill the ballot with `choose(page)`, review it, confirm it; the receipt code, if any."""
    page.goto(vote_url)
    choose(page)
    submit(page, "Review my ballot")
    assert "This is what will be recorded" in page.locator("h1").inner_text()
    submit(page, "Confirm and cast my ballot")
    assert "Your ballot is in" in page.locator("h1").inner_text()
    receipt = page.get_by_label("Receipt code")
    return str(receipt.input_value()) if receipt.count() else ""


def choice(label: str) -> Any:
    return lambda page: page.get_by_label(label, exact=True).check()


def rank_by_keyboard(page: Any) -> None:
    """Rank Fortnightly first and Weekly second with the move buttons, keyboard only."""
    fortnightly = page.locator(".rank-item", has_text="Fortnightly")
    fortnightly.get_by_role("button", name="Rank it").focus()
    page.keyboard.press("Enter")
    weekly = page.locator(".rank-item", has_text="Weekly")
    weekly.get_by_role("button", name="Rank it").focus()
    page.keyboard.press("Enter")
    assert fortnightly.locator("input").input_value() == "1"
    assert weekly.locator("input").input_value() == "2"


def rank_by_dragging(page: Any) -> None:
    """Rank both, then drag Fortnightly above Weekly."""
    for label in ("Weekly", "Fortnightly"):
        page.locator(".rank-item", has_text=label).get_by_role("button", name="Rank it").click()
    page.locator(".rank-item", has_text="Fortnightly").drag_to(
        page.locator(".rank-item", has_text="Weekly")
    )
    assert page.locator(".rank-item", has_text="Fortnightly").locator("input").input_value() == "1"


def vote_on_amendments(mission: Mission) -> None:
    """A yes/no vote on A1 and a ranked vote on the competing pair; everyone casts; the
    convener closes both and the winners are merged into the text."""
    p = mission.pages
    convener = p["convener"]
    convener.goto(mission.votes["a1"])
    a1_vote = make_vote(convener, "Put this amendment to a vote")
    convener.goto(mission.draft_url)
    group_vote = make_vote(convener, "Put them to a ranked vote")
    voters = ("mei", "ben", "ivy", "sam", "rosa", "gus")
    for who in voters:
        cast(p[who], a1_vote, choice("Yes, for" if who != "gus" else "No, against"))
    for who in voters:
        cast(
            p[who],
            group_vote,
            rank_by_keyboard if who in ("mei", "ivy", "rosa") else rank_by_dragging,
        )
    for vote in (a1_vote, group_vote):
        convener.goto(vote)
        submit(convener, "Close the vote and count it")
        assert "Close the vote and count it" not in convener.locator("main").inner_text()
    mission.votes.update(a1=a1_vote, group=group_vote)


def adopt_by_consensus(mission: Mission) -> None:
    p = mission.pages
    convener = p["convener"]
    convener.goto(mission.draft_url)
    # Closing the window is confirmed: the button shows once its consequence is read.
    panel = convener.locator("#convene")
    panel.get_by_text("Convener actions").click()
    panel.get_by_text("Close amendments now…").click()
    submit(convener, "Close amendments now")
    adoption = make_vote(convener, re.compile("to its adoption vote"), method="consensus")
    for who, position in (
        ("mei", "Agree"),
        ("ben", "Agree with reservations"),
        ("ivy", "Agree"),
        ("sam", "Stand aside"),
        ("rosa", "Agree"),
    ):
        cast(p[who], adoption, choice(position))
    convener.goto(adoption)
    submit(convener, "Close the vote and count it")
    mission.votes["adoption"] = adoption


@pytest.fixture(scope="module")
def mission(browser: Any, server: LiveServer) -> Iterator[Mission]:
    from tests.browser.conftest import Watch

    people = People(browser=browser, server=server, watch=Watch(origin=server.url))
    walk = Mission(people=people)
    invite_and_join(walk)
    draft_and_open_window(walk)
    amend(walk)
    paper_and_debate(walk)
    vote_on_amendments(walk)
    adopt_by_consensus(walk)
    yield walk
    people.close()


def test_mission_to_the_merged_text(mission: Mission) -> None:
    """Everyone sees the text the votes made: A1 merged, the winner of the competing pair
    merged, and the version adopted by consensus."""
    ivy = mission.as_("ivy")
    ivy.goto(mission.draft_url)
    text = ivy.locator(".draft-text").inner_text()
    assert "Each building elects two delegates." in text
    assert "The assembly meets every fortnight." in text
    assert "every week" not in text
    assert "every month" not in text
    assert "ADOPTED" in ivy.locator(".draft-head").inner_text().upper()
    for vote, outcome in (("a1", "adopted"), ("group", "Fortnightly"), ("adoption", "consensus")):
        ivy.goto(mission.votes[vote])
        assert outcome.lower() in ivy.locator(".outcome").first.inner_text().lower(), vote
    mission.people.watch.assert_clean()


def test_mission_to_the_sealed_record_commitments_and_the_archive(mission: Mission) -> None:
    """The adoption's record appears; the convener writes and seals it; members commit, one
    registering a disagreement; the archive finds it by a word of that disagreement; its JSON
    export downloads."""
    p = mission.pages
    convener = p["convener"]
    convener.goto(mission.votes["adoption"])
    convener.get_by_role("link", name="The decision record of this vote").click()
    convener.wait_for_load_state()
    record_url = convener.url
    assert "being written by the conveners" in convener.locator("main").inner_text().lower()
    convener.get_by_role("link", name="Write the statements").click()
    convener.get_by_label(re.compile("^Outcome statement")).fill(
        "The tenants' objective is **adopted** by consensus."
    )
    convener.get_by_label(re.compile("^Unity in action")).fill(
        "Every member visits the buildings of their street before the assembly."
    )
    submit(convener, "Save the record")
    convener.get_by_label(re.compile("seal it")).check()
    submit(convener, "Seal the record")
    assert "sealed" in flash(convener)
    assert "Sealed as link" in convener.locator("main").inner_text()

    mei = p["mei"]
    mei.goto(record_url)
    assert "You have not recorded your commitment yet" in mei.locator("main").inner_text()
    submit(mei, "Record my entry")
    assert "Your entry is recorded" in flash(mei)
    sam = p["sam"]
    sam.goto(record_url)
    sam.get_by_label(re.compile("^Registered disagreement")).fill(
        "Street visits exhaust the **volunteers** before winter."
    )
    submit(sam, "Record my entry")
    text = sam.locator("main").inner_text()
    assert "2 members commit to act on this decision" in text
    assert "Street visits exhaust the volunteers before winter." in text

    ivy = mission.as_("ivy")
    ivy.goto(mission.people.server.url + "/decisions/?q=volunteers")
    found = ivy.locator(".archive-record")
    assert found.count() == 1
    assert "volunteers" in found.locator("mark").first.inner_text().lower()
    found.get_by_role("link").first.click()
    ivy.wait_for_load_state()
    with ivy.expect_download() as download:
        ivy.get_by_role("link", name="JSON", exact=True).click()
    document = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert document["id"] == int(record_url.rstrip("/").rsplit("/", 1)[1])
    assert document["state"] == "sealed"
    assert document["commitments"]["overall"]["commitments"] == 2
    mission.people.watch.assert_clean()
