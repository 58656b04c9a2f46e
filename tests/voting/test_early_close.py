"""Closing a vote before its scheduled time needs a ticked confirmation; without it the vote
page comes back with the message beside the close button, and the vote stays open."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deliberate.accounts.models import MemberRole
from deliberate.database import utcnow
from deliberate.extensions import db
from deliberate.voting import services
from deliberate.voting.models import Vote
from deliberate.voting.rules import Settings
from tests.factories import make_member


@pytest.fixture
def convener(session):
    return make_member("Rita Convener", role=MemberRole.CONVENER)


def scheduled_to_close(convener, closes_in=timedelta(hours=2)):
    make_member("Sam Member")
    return services.create_vote(
        convener,
        title="Join the federation?",
        settings=Settings(method="majority", threshold="simple"),
        closes_at=utcnow() + closes_in,
    )


def state_of(vote_id: int) -> str:
    db.session.expire_all()
    return str(db.session.get_one(Vote, vote_id).state)


def test_the_page_asks_the_convener_to_confirm_an_early_close(client, login_as, convener):
    vote = scheduled_to_close(convener)
    login_as(convener)
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert 'name="confirm_early"' in page
    assert "Close it before its scheduled time" in page


def test_an_early_close_without_the_tick_comes_back_with_the_message(client, login_as, convener):
    vote = scheduled_to_close(convener)
    login_as(convener)
    response = client.post(f"/votes/{vote.id}/close")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "<h1>Join the federation?</h1>" in page  # the vote page, not a bare error
    assert "members on the roll may still be voting" in page
    assert 'id="close-error"' in page
    assert state_of(vote.id) == "open"


def test_an_early_close_with_the_tick_closes_the_vote(client, login_as, convener):
    vote = scheduled_to_close(convener)
    login_as(convener)
    response = client.post(f"/votes/{vote.id}/close", data={"confirm_early": "y"})
    assert response.status_code == 303
    assert state_of(vote.id) == "closed"


def test_a_vote_without_a_scheduled_close_closes_at_once(client, login_as, convener):
    make_member("Sam Member")
    vote = services.create_vote(
        convener, title="Meet on Sunday?", settings=Settings(method="majority", threshold="simple")
    )
    login_as(convener)
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert 'name="confirm_early"' not in page
    assert client.post(f"/votes/{vote.id}/close").status_code == 303
    assert state_of(vote.id) == "closed"


def test_a_member_still_cannot_close_an_open_vote(client, login_as, convener):
    vote = scheduled_to_close(convener)
    login_as(make_member("Not Convener"))
    response = client.post(f"/votes/{vote.id}/close", data={"confirm_early": "y"})
    assert response.status_code == 403
    assert state_of(vote.id) == "open"
