"""The ranked ballot and the receipts in a real browser: each amendment's change beside its
option, options in the voter's own order, a rank typed twice said at once, a summary that
follows each keystroke, buttons named for their option, the ballot on a 375 px phone; and a
receipt found in the published list by the browser that kept it, or by a code copied by hand."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from deliberate.accounts.models import MemberRole
from deliberate.drafts.models import CompetitionGroup
from deliberate.drafts.voting import put_group_to_vote
from deliberate.extensions import db
from deliberate.voting import services
from deliberate.voting.rules import Settings
from tests.browser.conftest import (
    LiveServer,
    People,
    axe_script,
    axe_violations,
    live_server,
    overflow,
)
from tests.browser.test_mission import cast, choice, submit
from tests.drafts.factories import make_draft, propose, table
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.browser

BUILT: dict[str, Any] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    def organization() -> None:
        convener = make_member("Carl Convener", role=MemberRole.CONVENER, email="c@example.org")
        for name in ("ana", "ben"):
            make_member(name.title(), email=f"{name}@example.org")
        draft = make_draft(convener)
        weekly = propose(
            make_member(), draft, title="Weekly", new_text="The branch reports every week."
        )
        fortnightly = propose(
            make_member(),
            draft,
            title="Fortnightly",
            new_text="The branch reports every fortnight, in writing.",
        )
        extra = propose(make_member(), draft, title="Quarterly", new_text="Every quarter.")
        for amendment in (weekly, fortnightly, extra):
            table(amendment)
        db.session.refresh(weekly)
        group = db.session.get_one(CompetitionGroup, weekly.competition_group_id)
        vote = put_group_to_vote(convener, group, Settings(method="irv", shuffled=True))
        BUILT["ranked"] = f"/votes/{vote.id}"
        BUILT["labels"] = [o.label for o in services.load_options(vote)]
        question = services.create_vote(
            convener,
            title="Do we march on Saturday?",
            settings=Settings(method="majority", threshold="simple"),
        )
        BUILT["question"] = f"/votes/{question.id}"

    with live_server(tmp_path_factory.mktemp("ballot"), "ballot", organization) as live:
        yield live


def summary(page: Any) -> str:
    return " ".join(str(page.locator(".rank-summary").text_content()).split())


def test_the_ranked_ballot_says_what_it_records_as_it_is_typed(people: People) -> None:
    ana = people.login("ana@example.org", PASSWORD, viewport=(375, 740))
    ana.goto(BUILT["ranked"])
    weekly, fortnightly, quarterly, _no_change = BUILT["labels"]
    # Each amendment's change is beside its option, with a link to its page.
    option = ana.locator(".rank-item", has=ana.get_by_label(fortnightly, exact=True))
    assert "every fortnight, in writing" in option.locator(".option-text").inner_text()
    assert option.get_by_role("link", name="A2 in full").count() == 1
    assert "random order of your own" in ana.locator(".ballot").inner_text()
    assert overflow(ana) == 0
    assert axe_violations(ana, axe_script()) == []
    # The buttons name their option.
    assert ana.get_by_role("button", name=f"Rank it: {weekly}", exact=True).count() == 1
    # The summary follows each keystroke, before the field is left.
    ana.get_by_label(weekly, exact=True).press_sequentially("1")
    assert summary(ana) == f"Your ballot: 1. {weekly}"
    assert ana.get_by_role("button", name=f"Remove: {weekly}", exact=True).count() == 1
    # The same rank twice is said at once, and the ballot is not sent for review.
    ana.get_by_label(fortnightly, exact=True).press_sequentially("1")
    problem = ana.locator(".rank-problem")
    assert problem.is_visible()
    assert "Rank 1 is given twice" in problem.inner_text()
    ana.get_by_label(fortnightly, exact=True).blur()
    assert ana.get_by_label(weekly, exact=True).input_value() == "1"
    assert ana.get_by_label(fortnightly, exact=True).input_value() == "1"
    assert overflow(ana) == 0
    assert axe_violations(ana, axe_script()) == []
    submit(ana, "Review my ballot")
    assert ana.url.endswith(BUILT["ranked"])
    assert ana.get_by_label(fortnightly, exact=True).get_attribute("aria-invalid") == "true"
    # Corrected, the ballot goes to review, where each amendment shows its change again.
    ana.get_by_label(fortnightly, exact=True).fill("2")
    ana.get_by_label(quarterly, exact=True).fill("3")
    ana.get_by_label(quarterly, exact=True).blur()
    assert not problem.is_visible()
    assert summary(ana) == f"Your ballot: 1. {weekly} 2. {fortnightly} 3. {quarterly}"
    submit(ana, "Review my ballot")
    assert "This is what will be recorded" in ana.locator("h1").inner_text()
    review = ana.locator(".ballot-summary").inner_text()
    assert "every fortnight, in writing" in review
    assert overflow(ana) == 0
    assert axe_violations(ana, axe_script()) == []
    people.watch.assert_clean()


def test_the_options_keep_one_order_for_a_voter_and_differ_between_voters(
    people: People,
) -> None:
    def order(page: Any) -> list[str]:
        page.goto(BUILT["ranked"])
        labels = page.locator(".rank-item").evaluate_all("l => l.map(i => i.dataset.label)")
        return [str(label) for label in labels]

    ana = people.login("ana@example.org", PASSWORD)
    ben = people.login("ben@example.org", PASSWORD)
    assert order(ana) == order(ana)
    assert sorted(order(ana)) == sorted(order(ben)) == sorted(BUILT["labels"])
    people.watch.assert_clean()


def test_the_receipts_page_finds_the_kept_receipt_or_a_hand_copied_code(
    people: People, server: LiveServer
) -> None:
    ana = people.login("ana@example.org", PASSWORD)
    code = cast(ana, BUILT["question"], choice("Yes, for"))
    assert len(code) == 24
    ben = people.login("ben@example.org", PASSWORD)
    cast(ben, BUILT["question"], choice("No, against"))
    convener = people.login("c@example.org", PASSWORD)
    convener.goto(BUILT["question"])
    submit(convener, "Close the vote and count it")
    receipts = BUILT["question"] + "/receipts"
    # The browser that cast the ballot kept its receipt: the page marks its row.
    ana.goto(receipts)
    expect(ana.locator(".receipt-found")).to_contain_text("Your ballot is this row")
    mine = ana.locator("tr.your-receipt")
    expect(mine).to_have_count(1)
    assert "Your ballot is this row" in mine.inner_text()
    assert axe_violations(ana, axe_script()) == []
    # Ben's browser kept his own receipt: another row.
    ben.goto(receipts)
    expect(ben.locator(".receipt-found")).to_contain_text("Your ballot is this row")
    hash_of = "tr.your-receipt td:first-child code"
    assert ben.locator(hash_of).inner_text() != ana.locator(hash_of).inner_text()
    # Elsewhere, a code copied by hand (small letters, spaces, O for 0, l for 1) is found.
    convener.goto(receipts)
    expect(convener.locator(".receipt-found")).to_contain_text("kept no receipt")
    copied = code.lower().replace("-", " ").replace("0", "O").replace("1", "l")
    convener.get_by_label("A receipt code").fill(copied)
    submit(convener, "Check this code")
    expect(convener.locator(".receipt-found")).to_contain_text("is marked below")
    assert convener.locator(hash_of).inner_text() == ana.locator(hash_of).inner_text()
    convener.get_by_label("A receipt code").fill("0000-0000-0000-0000-0000")
    submit(convener, "Check this code")
    expect(convener.locator(".receipt-found")).to_contain_text("not among the published")
    expect(convener.locator("tr.your-receipt")).to_have_count(0)
    people.watch.assert_clean()
