"""The home page."""

from __future__ import annotations

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
