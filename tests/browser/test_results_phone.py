"""The results on a 375 px phone: the outcome in the first screen, the chart's words at the
body's size, and every box that scrolls reachable from the keyboard (axe passes, on the
results, the members' administration and a body's import report)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from deliberate.bodies.models import Body
from deliberate.demo import DEMO_PASSWORD, demo_logins, load_demo
from deliberate.extensions import db
from deliberate.voting.models import Vote
from deliberate.voting.vocabulary import VoteState
from tests.browser.conftest import LiveServer, People, axe_script, axe_violations, live_server

pytestmark = pytest.mark.browser
PHONE = (375, 740)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("phone"), "phone", populate=load_demo) as live:
        yield live


@pytest.fixture(scope="module")
def ids(server: LiveServer) -> dict[str, int]:
    with server.setup():
        closed = {
            str(vote.method): vote.id
            for vote in db.session.scalars(
                select(Vote).where(Vote.state == VoteState.CLOSED).order_by(Vote.id.desc())
            )
        }
        body = db.session.scalars(select(Body).order_by(Body.id)).first()
        assert body is not None
        return {**closed, "body": body.id}


RESULTS = ["stv", "majority", "consensus"]


@pytest.mark.parametrize("method", RESULTS)
def test_the_outcome_is_in_the_first_screen_of_a_phone(
    people: People, ids: dict[str, int], method: str
) -> None:
    page = people.login(demo_logins()["member"], DEMO_PASSWORD, viewport=PHONE)
    page.goto(f"/votes/{ids[method]}")
    for selector in (".results p.outcome", ".results p:has-text('uorum')"):
        box = page.locator(selector).first.bounding_box()
        assert box is not None, selector
        assert box["y"] + box["height"] <= PHONE[1], (
            f"{selector} ends at {box['y'] + box['height']}"
        )
    rules = page.locator("#rules-heading").bounding_box()
    outcome = page.locator(".results p.outcome").bounding_box()
    assert rules is not None
    assert outcome is not None
    assert outcome["y"] < rules["y"]
    people.watch.assert_clean()


MEASURE_CHART = """() => {
  const body = parseFloat(getComputedStyle(document.body).fontSize);
  const shown = [...document.querySelectorAll('figure.chart svg')]
    .filter(svg => svg.getBoundingClientRect().width > 0);
  return shown.map(svg => {
    const box = svg.getBoundingClientRect();
    const scale = box.width / svg.viewBox.baseVal.width;
    const texts = [...svg.querySelectorAll('text')].map(t => ({
      text: t.textContent,
      px: parseFloat(getComputedStyle(t).fontSize) * scale,
      right: t.getBoundingClientRect().right - box.right,
    }));
    return {cls: svg.getAttribute('class'), width: box.width, scale, body, texts};
  });
}"""


@pytest.mark.parametrize("method", ["stv", "majority"])
def test_the_chart_reads_at_375_px(people: People, ids: dict[str, int], method: str) -> None:
    page = people.login(demo_logins()["member"], DEMO_PASSWORD, viewport=PHONE)
    page.goto(f"/votes/{ids[method]}")
    charts: list[dict[str, Any]] = page.evaluate(MEASURE_CHART)
    assert [chart["cls"] for chart in charts] == ["chart chart-narrow"]
    chart = charts[0]
    assert chart["width"] <= PHONE[0]
    small = [t for t in chart["texts"] if t["px"] < chart["body"] - 0.01]
    assert small == [], f"labels below the body's {chart['body']} px: {small[:5]}"
    cut = [t for t in chart["texts"] if t["right"] > 1]
    assert cut == [], f"labels running past the chart: {cut[:5]}"
    # On a wide screen, the wide chart.
    wide = people.login(demo_logins()["member"], DEMO_PASSWORD)
    wide.goto(f"/votes/{ids[method]}")
    assert [c["cls"] for c in wide.evaluate(MEASURE_CHART)] == ["chart chart-wide"]
    people.watch.assert_clean()


def test_the_keyboard_reaches_the_rounds_and_scrolls_them(
    people: People, ids: dict[str, int]
) -> None:
    page = people.login(demo_logins()["member"], DEMO_PASSWORD, viewport=PHONE)
    page.goto(f"/votes/{ids['stv']}")
    region = page.get_by_role("region", name="Round by round")
    assert region.evaluate("box => box.scrollWidth > box.clientWidth")
    region.focus()
    assert region.evaluate("box => box === document.activeElement")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # Arrow keys scroll the focused box (smoothly: wait for it to move).
    region.evaluate(
        """box => new Promise((done, fail) => {
          const start = Date.now();
          const check = () => box.scrollLeft > 0 ? done() :
            Date.now() - start > 3000 ? fail(new Error('did not scroll')) :
            requestAnimationFrame(check);
          check();
        })"""
    )


def test_axe_passes_at_375_px_on_results_members_and_an_import_report(
    people: People, ids: dict[str, int]
) -> None:
    script = axe_script()
    problems: dict[str, Any] = {}
    member = people.login(demo_logins()["member"], DEMO_PASSWORD, viewport=PHONE)
    for method in ("stv", "majority", "consensus"):
        member.goto(f"/votes/{ids[method]}")
        if violations := axe_violations(member, script):
            problems[f"results {method}"] = violations
    member.goto("/votes/")
    if violations := axe_violations(member, script):
        problems["votes"] = violations
    admin = people.login(demo_logins()["admin"], DEMO_PASSWORD, viewport=PHONE)
    admin.goto("/admin/members")
    if violations := axe_violations(admin, script):
        problems["admin members"] = violations
    admin.goto(f"/admin/bodies/{ids['body']}/import")
    emails = "\n".join(["email", "mei.lin@demo.deliberate.example", "nobody-at-all@example.org"])
    admin.set_input_files(
        "input[type=file]",
        files=[{"name": "body.csv", "mimeType": "text/csv", "buffer": emails.encode()}],
    )
    admin.get_by_role("button", name="Import").click()
    admin.wait_for_load_state()
    assert admin.locator("table.import-results").count() == 1
    if violations := axe_violations(admin, script):
        problems["body import report"] = violations
    assert problems == {}, problems
    assert admin.get_by_role("region", name="The import, row by row").count() == 1
    people.watch.assert_clean()


def test_a_box_that_fits_its_width_costs_no_tab_stop(people: People, ids: dict[str, int]) -> None:
    page = people.login(demo_logins()["member"], DEMO_PASSWORD)
    page.goto(f"/votes/{ids['stv']}")
    rounds = "document.querySelector('[aria-label=\"Round by round\"]')"
    page.wait_for_function(f"() => !{rounds}.hasAttribute('tabindex')")
    assert page.evaluate(f"() => {rounds}.scrollWidth <= {rounds}.clientWidth + 1")
    # Narrowed to a phone, the same box scrolls, and takes the focus again.
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.wait_for_function(f"() => {rounds}.tabIndex === 0 && {rounds}.hasAttribute('tabindex')")
    people.watch.assert_clean()
