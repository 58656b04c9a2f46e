"""The home page."""

from __future__ import annotations

from deliberate.accounts.models import MemberStatus
from deliberate.tendencies.services import request_to_join
from tests.drafts.factories import make_draft
from tests.factories import make_member, make_tendency


def test_anonymous_visitors_see_the_welcome(client, session):
    page = client.get("/").get_data(as_text=True)
    assert "Log in" in page
    assert "Under deliberation" not in page


def test_members_see_drafts_and_tendencies(client, login_as, session):
    make_draft(title="Rent strike resolution")
    tendency = make_tendency("Harbour Caucus")
    login_as(make_member(tendency=tendency))
    page = client.get("/").get_data(as_text=True)
    assert "Rent strike resolution" in page
    assert "Harbour Caucus" in page
    assert "you are in" in page


def test_coordinators_see_waiting_join_requests(client, login_as, session):
    tendency = make_tendency("Harbour Caucus")
    coordinator = make_member(tendency=tendency, coordinator=True)
    request_to_join(make_member(), tendency)
    login_as(coordinator)
    assert "asks to join Harbour Caucus" in client.get("/").get_data(as_text=True)
    login_as(make_member(tendency=tendency))
    assert "asks to join" not in client.get("/").get_data(as_text=True)


def test_the_member_count_agrees_with_the_directory(client, login_as, session):
    reader = make_member("Reader")
    make_member("Suspended Sam", status=MemberStatus.SUSPENDED)
    login_as(reader)
    home = client.get("/").get_data(as_text=True)
    assert '<p class="meta">1 member ·' in home  # the suspended member is not counted
    directory = client.get("/members/").get_data(as_text=True)
    assert "Reader" in directory
    assert "Suspended Sam" not in directory
    make_member("Second")
    assert '<p class="meta">2 members ·' in client.get("/").get_data(as_text=True)


def test_every_page_links_its_icon_and_the_default_request_finds_it(client, session):
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    default = client.get("/favicon.ico")
    assert default.status_code == 301
    assert default.headers["Location"].endswith("/static/favicon.svg")
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert icon.get_data(as_text=True).startswith("<svg")
    icon.close()
