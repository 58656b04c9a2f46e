"""On a 375 px phone a long email address wraps instead of widening the page, and the icon
the pages link is there."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deliberate.accounts.models import MemberRole
from deliberate.accounts.services import create_member
from tests.browser.conftest import PASSWORD, LiveServer, live_server, overflow

pytestmark = pytest.mark.browser

ADMIN = "admin@example.org"
LONG = "a.member.with.a.remarkably.long.address.for.the.tenants.union@branch.example.org"


def populate() -> None:
    create_member(ADMIN, "Ada Admin", PASSWORD, role=MemberRole.ADMIN)
    create_member(LONG, "Lee Long", PASSWORD)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("phone"), "phone", populate=populate) as live:
        yield live


def test_a_long_email_wraps_on_a_phone(people, server):
    page = people.login(ADMIN, viewport=(375, 740))
    page.goto("/members/2")
    email = page.locator(".email", has_text=LONG)
    assert email.count() == 1
    assert overflow(page) == 0
    box = email.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 375
    line_height = page.evaluate(
        "(el) => parseFloat(getComputedStyle(el.parentElement).lineHeight) || 20",
        email.element_handle(),
    )
    assert box["height"] > line_height  # it broke onto a second line
    assert page.locator('link[rel="icon"]').get_attribute("href") == "/static/favicon.svg"
    assert page.request.get(server("/favicon.ico")).ok
