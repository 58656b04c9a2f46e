"""Draft pages run a fixed number of SQL queries whatever the draft's size."""

from __future__ import annotations

import pytest
from flask import current_app

from deliberate.accounts.models import MemberRole
from deliberate.drafts import rendered, services
from tests.conftest import page_queries
from tests.drafts.factories import bulk_amendments, make_draft, propose
from tests.factories import make_member, make_tendency


def build(paragraphs: int, amendments: int, members: list, chair) -> int:
    draft = make_draft(chair, paragraphs=paragraphs)
    # A second version, so some amendments are on an older one.
    services.accept_amendment(chair, propose(members[0], draft, first=1, last=1))
    bulk_amendments(draft, members, amendments - 1)
    return draft.id


@pytest.fixture
def people(session):
    tendencies = [make_tendency() for _ in range(3)]
    members = [make_member(tendency=tendencies[i % 4] if i % 4 < 3 else None) for i in range(16)]
    return make_member(role=MemberRole.CONVENER), members


@pytest.mark.parametrize("path", ["", "/compare?from=1&to=2", "/amendments/2", "/versions/1"])
def test_draft_pages_run_the_same_queries_for_a_small_and_a_large_draft(
    client, login_as, people, path
):
    chair, members = people
    small = build(5, 3, members, chair)
    large = build(200, 300, members, chair)
    login_as(chair)  # conveners see the most: their panel, merge and group choices
    # Both cold: what a worker keeps of immutable versions (an earlier test's identical
    # text, say) would otherwise spare one of them a query.
    # (What is kept of the reader, their membership, likewise.)
    rendered.forget()
    current_app.extensions.pop("fragments.values", None)
    small_queries = page_queries(client, f"/drafts/{small}{path}")
    rendered.forget()
    current_app.extensions.pop("fragments.values", None)
    large_queries = page_queries(client, f"/drafts/{large}{path}")
    assert len(small_queries) == len(large_queries), "\n".join(large_queries)
    # A fixed budget; the debate and position-paper panels add their own fixed queries.
    assert len(large_queries) <= 32, len(large_queries)


def test_draft_list_runs_a_fixed_number_of_queries(client, login_as, people):
    chair, members = people
    build(5, 3, members, chair)
    login_as(members[1])
    few = len(page_queries(client, "/drafts/"))
    for _ in range(4):
        build(5, 3, members, chair)
    assert len(page_queries(client, "/drafts/")) == few
