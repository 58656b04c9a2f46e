"""Every main page, for each role, in the demo organization: no serious or critical axe-core
violation, nothing wider than a 375 px phone, and screenshots at 375 and 1280 px."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from deliberate.decisions.models import Evaluation, MinorityReport
from deliberate.demo import DEMO_PASSWORD, demo_logins, load_demo
from deliberate.extensions import db
from deliberate.voting.models import Vote
from deliberate.voting.vocabulary import VoteState
from tests.browser.conftest import (
    SCREENSHOTS,
    LiveServer,
    People,
    axe_script,
    axe_violations,
    describe,
    live_server,
    overflow,
)

pytestmark = pytest.mark.browser
# `make screenshots` renews the README's screenshots; other runs leave them alone.
UPDATE_SCREENSHOTS = os.environ.get("UPDATE_SCREENSHOTS") == "1"

# The pages every role reads. Paths are filled from the demo's own ids.
PAGES = {
    "home": "/",
    "drafts": "/drafts/",
    "draft": "/drafts/{draft}",
    "compare": "/drafts/{draft}/compare?from=1&to={version}",
    "amendment": "/drafts/{draft}/amendments/5",
    "propose": "/drafts/{draft}/amendments/new",
    "thread": "/debate/draft/{draft}",
    "papers": "/papers/",
    "paper": "/papers/3",
    "tendencies": "/tendencies/",
    "tendency": "/tendencies/1",
    "members": "/members/",
    "votes": "/votes/",
    "vote irv": "/votes/{irv}",
    "results stv": "/votes/{stv}",
    "results majority": "/votes/{majority}",
    "results consensus": "/votes/{consensus}",
    "nominations": "/votes/{nominations}/nominations",
    "help": "/help",
    "archive": "/decisions/",
    "archive search": "/decisions/?q=canvass",
    "record": "/decisions/{record}",
    "evaluation": "/decisions/{evaluated}/evaluation",
    "record print": "/decisions/{record}/print",
    "notifications": "/notifications/",
    "mail settings": "/notifications/settings",
}
ADMIN_PAGES = {
    "admin members": "/admin/members",
    "audit": "/admin/audit/",
    "bodies": "/admin/bodies/",
    "profile": "/members/{admin}",
    "organization settings": "/admin/settings",
    "time zone": "/account/time-zone",
    "mail": "/admin/mail/",
}
# A member reads every page; the other roles, the pages that change with their role.
ROLE_PAGES = {
    "member": list(PAGES),
    "member without tendency": ["home", "tendency", "draft", "vote irv", "papers"],
    "tendency coordinator": ["home", "tendency", "paper", "draft", "record"],
    "convener": [
        "draft",
        "amendment",
        "vote irv",
        "results consensus",
        "nominations",
        "votes",
        "archive",
        "record",
        "evaluation",
    ],
    "admin": ["home", "draft", *ADMIN_PAGES],
}
# Pages whose screenshots the README shows.
README_SHOTS = {"draft", "results stv", "vote irv", "home", "record"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("pages"), "pages", populate=load_demo) as live:
        yield live


@pytest.fixture(scope="module")
def ids(server: LiveServer) -> dict[str, int]:
    with server.setup():
        from deliberate.accounts.models import Member
        from deliberate.drafts.models import Draft

        votes: dict[str, Vote] = {}
        for vote in db.session.scalars(select(Vote).order_by(Vote.id)):
            if vote.by_nomination:
                votes.setdefault("nominations", vote)
            open_irv = vote.method == "irv" and vote.state == VoteState.OPEN
            if open_irv or vote.method != "irv":
                votes.setdefault(str(vote.method), vote)
        # The draft under debate: the one with the most versions.
        draft = db.session.scalars(
            select(Draft).order_by(Draft.current_version_number.desc(), Draft.id)
        ).first()
        admin = db.session.scalar(select(Member).where(Member.email == demo_logins()["admin"]))
        # The record with a minority report (the by-election), and the evaluated one.
        record = db.session.scalar(select(func.min(MinorityReport.record_id)))
        evaluated = db.session.scalar(
            select(func.min(Evaluation.record_id)).where(Evaluation.sealed_at.is_not(None))
        )
        assert draft is not None
        assert admin is not None
        return {
            "draft": draft.id,
            "version": draft.current_version_number,
            "irv": votes["irv"].id,
            "stv": votes["stv"].id,
            "majority": votes["majority"].id,
            "consensus": votes["consensus"].id,
            "nominations": votes["nominations"].id,
            "admin": admin.id,
            "record": record,
            "evaluated": evaluated,
        }


def pages_for(role: str) -> dict[str, str]:
    every = {**PAGES, **ADMIN_PAGES}
    return {name: every[name] for name in ROLE_PAGES[role]}


@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_main_pages_pass_axe_and_fit_a_phone(
    people: People, ids: dict[str, int], role: str, tmp_path: Path
) -> None:
    script = axe_script()
    wide = people.login(demo_logins()[role], DEMO_PASSWORD, viewport=(1280, 900))
    phone = people.login(demo_logins()[role], DEMO_PASSWORD, viewport=(375, 740))
    problems: dict[str, Any] = {}
    for name, path in pages_for(role).items():
        url = path.format(**ids)
        for page, width in ((wide, 1280), (phone, 375)):
            response = page.goto(url)
            assert response is not None
            if response.status != 200:
                problems[f"{name} ({url})"] = f"answers {response.status}"
                continue
            if width == 375 and (extra := overflow(page)) > 0:
                problems[f"{name} at 375 px"] = f"{extra} px too wide"
            shot(page, tmp_path, role, name, width)
        if violations := axe_violations(wide, script):
            problems[f"{name}: axe"] = violations
    assert problems == {}, describe(problems)
    people.watch.assert_clean()


def shot(page: Any, folder: Path, role: str, name: str, width: int) -> None:
    """Screenshots: the README's few are kept in the repository, the rest in `folder`."""
    slug = name.replace(" ", "-")
    if UPDATE_SCREENSHOTS and role == "member" and name in README_SHOTS:
        target = SCREENSHOTS / f"{slug}-{width}.png"
    else:
        target = folder / f"{role.replace(' ', '-')}-{slug}-{width}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=False)


def test_a_paragraph_costs_few_tab_stops_and_names_its_links(
    people: People, ids: dict[str, int]
) -> None:
    """On the draft, a paragraph without amendments is one stop to amend it and one to comment,
    each link naming the paragraph; the skip link comes first and leads to the content."""
    page = people.login(demo_logins()["member"], DEMO_PASSWORD)
    page.goto(f"/drafts/{ids['draft']}")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to the content"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "content"
    stops = page.evaluate(
        """() => Array.from(document.querySelectorAll('.draft-text .para')).map(p =>
            Array.from(p.querySelectorAll('a[href], button, summary'))
              .filter(e => e.tabIndex >= 0 && !e.closest('details:not([open]) > :not(summary)'))
              .filter(e => !e.classList.contains('mark'))
              .map(e => e.textContent.replace(/\\s+/g, ' ').trim()))"""
    )
    assert stops, "the draft shows its paragraphs"
    for number, names in enumerate(stops, start=1):
        assert len(names) <= 2, (number, names)
        assert all(f"¶{number}" in name for name in names), (number, names)


def test_needs_you_on_a_phone_leads_to_the_task_and_forgets_it_once_done(
    people: People,
) -> None:
    """At 375 px the member's home page lists what waits for her and the navigation counts
    it, with no serious axe violation and nothing too wide; the commitment's link leads to
    the record's entry form, and once her entry is recorded the item and one of the count
    are gone. (Last in this module: it changes the demo's data.)"""
    script = axe_script()
    page = people.login(demo_logins()["member"], DEMO_PASSWORD, viewport=(375, 740))
    page.goto("/")
    needs = page.locator("#needs")
    assert "Decisions awaiting your commitment" in needs.inner_text()
    before = int(page.locator(".needs-link .badge").inner_text())
    assert before >= 2
    assert overflow(page) <= 0
    assert axe_violations(page, script) == []
    needs.get_by_role("link", name="Northgate", exact=False).first.click()
    page.wait_for_load_state()
    assert page.url.endswith("#your-entry")
    entry = page.locator("#your-entry")
    entry.get_by_label("I commit to act on this decision", exact=False).check()
    entry.get_by_role("button", name="Record my entry").click()
    page.wait_for_load_state()
    page.goto("/")
    assert "Decisions awaiting your commitment" not in page.locator("#needs").inner_text()
    assert int(page.locator(".needs-link .badge").inner_text()) == before - 1
    page.goto("/drafts/")
    assert int(page.locator(".needs-link .badge").inner_text()) == before - 1
    assert axe_violations(page, script) == []
    people.watch.assert_clean()
