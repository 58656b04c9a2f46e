"""Opening and closing a vote: every-vote listeners run in the transaction, and the world hears
`VoteOpened` and `VoteClosed` once, after the commit, never for a change that rolled back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from deliberate import events
from deliberate.accounts.models import MemberRole
from deliberate.database import utcnow
from deliberate.errors import InvalidTransition
from deliberate.extensions import db
from deliberate.voting import hooks, services
from deliberate.voting.events import VoteClosed, VoteOpened
from deliberate.voting.models import Vote
from deliberate.voting.results import Result
from deliberate.voting.rules import Settings
from deliberate.voting.vocabulary import VoteState
from tests.factories import make_member

MAJORITY = Settings(method="majority", threshold="simple")


@pytest.fixture
def convener(session):
    return make_member("Vote Convener", role=MemberRole.CONVENER)


@pytest.fixture
def heard() -> Iterator[list[events.Event]]:
    heard: list[events.Event] = []
    for kind in (VoteOpened, VoteClosed):
        events.subscribe(kind, heard.append)
    yield heard
    for kind in (VoteOpened, VoteClosed):
        events.unsubscribe(kind, heard.append)


def scheduled_vote(convener) -> Vote:
    [make_member() for _ in range(3)]
    return services.create_vote(
        convener,
        title="Adopt the spring plan?",
        settings=MAJORITY,
        opens_at=utcnow().replace(year=utcnow().year + 1),
    )


def test_every_open_listener_runs_in_the_transaction_and_the_event_after_commit(convener, heard):
    opened: list[tuple[int | None, int, str]] = []

    def listener(actor, vote: Vote) -> None:
        opened.append((actor.id if actor else None, vote.id, vote.state))

    hooks.on_every_open(listener)
    try:
        vote = scheduled_vote(convener)
        services.open_vote(convener, vote)
        assert opened == [(convener.id, vote.id, VoteState.OPEN)]
        assert heard == []
        db.session.commit()
    finally:
        hooks._opened_listeners.remove(listener)
    assert heard == [VoteOpened(vote.id, "question", convener.id, vote.roll_size)]


def test_a_vote_closed_through_the_page_is_announced_once_after_its_commit(
    client, login_as, convener, heard
):
    vote = scheduled_vote(convener)
    services.open_vote(convener, vote)
    db.session.commit()
    heard.clear()
    seen_state: list[str | None] = []

    def read_state(event: events.Event) -> None:
        if isinstance(event, VoteClosed):
            seen_state.append(db.session.scalar(select(Vote.state).where(Vote.id == event.vote_id)))

    events.subscribe(VoteClosed, read_state)
    try:
        login_as(convener)
        assert client.post(f"/votes/{vote.id}/close").status_code == 303
        client.post(f"/votes/{vote.id}/close")  # already closed: nothing new to tell
    finally:
        events.unsubscribe(VoteClosed, read_state)
    assert heard == [VoteClosed(vote.id, "question", convener.id, decided=True)]
    assert seen_state == [VoteState.CLOSED]


def test_a_close_that_fails_in_its_hooks_is_never_announced(client, login_as, convener, heard):
    def refuse(_vote: Vote, _purpose: hooks.Purpose, _result: Result) -> None:
        raise InvalidTransition("The subject of this vote cannot move now.")

    vote = scheduled_vote(convener)
    services.open_vote(convener, vote)
    db.session.commit()
    heard.clear()
    hooks.on_every_close(refuse)
    try:
        login_as(convener)
        assert client.post(f"/votes/{vote.id}/close").status_code == 409
    finally:
        hooks._closed_listeners.remove(refuse)
    assert db.session.get_one(Vote, vote.id).state == VoteState.OPEN
    assert heard == []
