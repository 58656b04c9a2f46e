"""The demo's organization keeps Paris time; one member reads times in New York's."""

from __future__ import annotations

import html
import re

from deliberate.accounts.models import OrganizationSettings
from deliberate.demo import load_demo
from deliberate.demo.people import ABROAD
from tests.conftest import login


def test_the_demo_shows_paris_time_and_one_member_her_own(client, session):
    world = load_demo()
    assert session.get(OrganizationSettings, 1).time_zone == "Europe/Paris"
    abroad = world.members[ABROAD[0]]
    assert abroad.time_zone == "America/New_York"
    draft = world.demo_draft()
    login(client, abroad)
    mine = html.unescape(client.get(f"/members/{abroad.id}").get_data(as_text=True))
    assert "Times are shown in America/New_York." in mine
    theirs = client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    assert re.search(r"\d\d:\d\d\xa0E[SD]T", theirs)
    login(client, world.members["Mei Lin"])
    paris = client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    assert re.search(r"\d\d:\d\d\xa0CES?T", paris)
    assert not re.search(r"\d\d:\d\d\xa0E[SD]T", paris)
