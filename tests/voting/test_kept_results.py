"""A closed vote's result is kept rendered between requests (deliberate/fragments.py): a
second reader is served it, every change to what it shows appears on the next read, and
nothing of a reader's own (whether they are on the roll, whether they voted, their receipt)
is kept or shared."""

from __future__ import annotations

import json

import pytest
from flask import current_app
from sqlalchemy import update

from deliberate.accounts.models import MemberRole
from deliberate.accounts.services import rename_member
from deliberate.extensions import db
from deliberate.main.needs import COUNT_LABEL
from deliberate.voting import services as voting
from deliberate.voting.models import Vote
from deliberate.voting.rules import Settings
from tests.conftest import page_queries
from tests.factories import make_member, make_tendency


def page_reads(client, path: str) -> list[str]:
    """The statements a page sends, less the navigation's count of what waits for the reader
    (its own query on every page, which keeps nothing)."""
    return [q for q in page_queries(client, path) if COUNT_LABEL not in q]


@pytest.fixture
def convener(session):
    return make_member("Rosa Convener", role=MemberRole.CONVENER)


@pytest.fixture
def voters(session):
    harbour = make_tendency("Harbour tendency")
    return [make_member(f"Voter {i}", tendency=harbour) for i in range(4)]


def open_vote(convener, voters, *, secret: bool) -> Vote:
    """A majority question, open, on which every voter but the last has voted."""
    vote = voting.create_vote(
        convener,
        title="Run the spring campaign?",
        settings=Settings(method="majority", threshold="simple", secret=secret),
    )
    for index, voter in enumerate(voters[:-1]):
        voting.cast_ballot(voter, vote, {"choice": "no" if index == 0 else "yes"})
    db.session.commit()
    return vote


def closed_vote(convener, voters, *, secret: bool) -> Vote:
    vote = open_vote(convener, voters, secret=secret)
    voting.close_vote(convener, vote)
    db.session.commit()
    return vote


def page(client, login_as, reader, vote: Vote) -> str:
    login_as(reader)
    response = client.get(f"/votes/{vote.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def kept_parts() -> list[str]:
    store = current_app.extensions.get("fragments")
    values = store._values.values() if store is not None else []
    return [str(piece) for part in values for piece in part.pieces]


def test_a_second_reader_is_served_the_result_the_first_one_rendered(
    client, login_as, convener, voters
):
    vote = closed_vote(convener, voters, secret=False)
    login_as(voters[0])
    cold = page_reads(client, f"/votes/{vote.id}")
    login_as(voters[1])
    warm = page_reads(client, f"/votes/{vote.id}")
    # The roll call's names are not read again, and the page holds to its budget.
    assert any("members.display_name" in q and " IN " in q for q in cold), cold
    assert not any("members.display_name" in q and " IN " in q for q in warm), warm
    assert len(warm) <= 8, "\n\n".join(warm)
    shown = page(client, login_as, voters[2], vote)
    assert "Who voted what" in shown
    assert "Voter 0" in shown


@pytest.mark.parametrize("change", ["rename", "result", "bulk"])
def test_every_change_to_a_kept_result_shows_on_the_next_read(
    client, login_as, convener, voters, change
):
    vote = closed_vote(convener, voters, secret=False)
    page(client, login_as, voters[1], vote)  # renders and keeps the result
    if change == "rename":
        rename_member(voters[0], "Voter Zero Lindqvist")
        expected = "Voter Zero Lindqvist"
    else:  # the stored result corrected (a recount), through the ORM or in bulk
        result = json.loads(vote.result_json or "{}")
        result["outcome"]["summary"] = "Corrected after a recount."
        corrected = json.dumps(result)
        if change == "result":
            vote.result_json = corrected
        else:
            db.session.execute(update(Vote).where(Vote.id == vote.id).values(result_json=corrected))
        expected = "Corrected after a recount."
    db.session.commit()
    assert expected in page(client, login_as, voters[1], vote)


def test_where_each_member_stands_is_theirs_alone(client, login_as, convener, voters):
    vote = open_vote(convener, voters, secret=True)
    late = make_member("Joined after the opening")
    db.session.commit()
    voted, not_yet = voters[0], voters[-1]
    first = page(client, login_as, voted, vote)
    second = page(client, login_as, not_yet, vote)
    third = page(client, login_as, late, vote)
    assert "You have voted" in first
    assert "You have voted" not in second
    assert 'name="choice"' in second
    assert "You are not on the roll" in third
    assert 'name="choice"' not in third
    assert "<span data-voted>3</span>" in second


def test_no_kept_part_says_who_voted_what_in_a_secret_vote(client, login_as, convener, voters):
    current_app.extensions.pop("fragments", None)  # only this test's parts
    vote = closed_vote(convener, voters, secret=True)
    for reader in (voters[0], voters[-1], convener):
        shown = page(client, login_as, reader, vote)
        assert "Who voted what" not in shown
    kept = "\n".join(kept_parts())
    assert "Result" in kept  # the result is kept…
    for voter in voters:  # …and nothing in it, nor in any other kept part, names a voter
        assert voter.display_name not in kept
    assert "You have voted" not in kept
    assert "data-receipt-member" not in kept
