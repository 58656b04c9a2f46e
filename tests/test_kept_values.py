"""Values kept between requests under stamps (deliberate/fragments.py `kept`): the votes on a
draft, its named conveners and the reader's own membership are read once per change, and
every change shows on the next read; one member's membership is never another's."""

from __future__ import annotations

import pytest
from flask import current_app

from deliberate.accounts.models import MemberRole
from deliberate.accounts.services import rename_member
from deliberate.drafts import services as drafts
from deliberate.extensions import db
from deliberate.main.needs import COUNT_LABEL
from deliberate.tendencies.services import leave_tendency
from deliberate.voting import services as voting
from deliberate.voting.rules import Settings
from tests.conftest import login, page_queries
from tests.drafts.factories import make_draft
from tests.factories import make_member, make_tendency


def page_reads(client, path: str) -> list[str]:
    """The statements a page sends, less the navigation's count of what waits for the reader
    (its own query on every page, which keeps nothing)."""
    return [q for q in page_queries(client, path) if COUNT_LABEL not in q]


@pytest.fixture
def scene(session):
    caucus = make_tendency("Rank-and-File Caucus")
    convener = make_member("Kwame", role=MemberRole.CONVENER)
    draft = make_draft(convener, paragraphs=3)
    named = make_member("Named Convener")
    drafts.add_convener(convener, draft, named)
    readers = [make_member(f"Delegate {n}", tendency=caucus) for n in range(2)]
    db.session.commit()
    return {"draft": draft, "convener": convener, "named": named, "readers": readers}


def draft_page(client, scene, reader) -> str:
    login(client, reader)
    response = client.get(f"/drafts/{scene['draft'].id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_second_read_sends_no_query_for_the_kept_values(client, scene):
    reader = scene["readers"][0]
    login(client, reader)
    # Cold: what the worker kept for an earlier test's draft of the same id is forgotten.
    current_app.extensions.pop("fragments.values", None)
    cold = page_reads(client, f"/drafts/{scene['draft'].id}")
    warm = page_reads(client, f"/drafts/{scene['draft'].id}")
    for read in ("FROM votes", "JOIN draft_conveners", "tendency_memberships.member_id = "):
        assert any(read in q for q in cold), read
        assert not any(read in q for q in warm), (read, warm)


@pytest.mark.parametrize("change", ["vote", "close", "convener", "rename"])
def test_every_change_to_a_kept_value_shows_on_the_next_read(client, scene, change):
    reader, draft = scene["readers"][0], scene["draft"]
    vote = voting.create_vote(
        scene["convener"],
        title="Adopt the draft?",
        settings=Settings(method="majority", threshold="simple"),
        subject=("draft", draft.id),
    )
    db.session.commit()
    assert "Adopt the draft?" in draft_page(client, scene, reader)  # renders and keeps
    if change == "vote":
        voting.create_vote(
            scene["convener"],
            title="Adopt it at once?",
            settings=Settings(method="majority", threshold="simple"),
            subject=("draft", draft.id),
        )
        expected = "Adopt it at once?"
    elif change == "close":
        voting.close_vote(scene["convener"], vote)
        expected = 'state-closed">closed'
    elif change == "convener":
        drafts.add_convener(scene["convener"], draft, make_member("Second Named"))
        expected = "Second Named"
    else:
        rename_member(scene["named"], "Named Convener Lindqvist")
        expected = "Named Convener Lindqvist"
    db.session.commit()
    assert expected in draft_page(client, scene, reader)


def test_each_reader_is_served_their_own_membership(client, scene):
    member, outsider = scene["readers"][0], make_member("No tendency")
    db.session.commit()
    login(client, member)
    page_queries(client, f"/drafts/{scene['draft'].id}")  # keeps the member's membership
    login(client, outsider)
    statements = page_reads(client, f"/drafts/{scene['draft'].id}")
    assert any("tendency_memberships.member_id = " in q for q in statements)  # read for them
    leave_tendency(member)
    db.session.commit()
    login(client, member)
    statements = page_reads(client, f"/drafts/{scene['draft'].id}")
    assert any("tendency_memberships.member_id = " in q for q in statements)  # read again
