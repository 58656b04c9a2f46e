"""A position paper's page and its thread run a fixed number of queries whatever the debate."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from deliberate.database import utcnow
from deliberate.debate.bulk import insert_thread, plan_thread
from deliberate.subjects import SubjectType, resolve, subject_of
from tests.conftest import page_queries, warm_navigation
from tests.debate.test_query_budget import TEXTS
from tests.drafts.factories import make_draft
from tests.factories import make_member, make_tendency
from tests.papers.factories import make_paper


def paper_with_debate(comments: int, seed: int):
    tendency = make_tendency()
    coordinator = make_member(tendency=tendency, coordinator=True)
    draft = make_draft()
    paper = make_paper(coordinator, tendency, resolve("draft", draft.id), publish=True)
    authors = [make_member(tendency=tendency if i % 2 else None) for i in range(6)]
    plan = plan_thread(comments, authors, TEXTS, random.Random(seed), max_depth=6, paragraphs=0)
    insert_thread(
        subject_of(SubjectType.PAPER, paper),
        plan,
        start=utcnow() - timedelta(days=2),
        spacing=timedelta(seconds=20),
    )
    return paper


@pytest.mark.parametrize("page", ["/papers/{id}", "/debate/paper/{id}"])
def test_a_paper_page_runs_the_same_queries_for_5_and_500_comments(client, login_as, page):
    few = paper_with_debate(5, seed=1)
    many = paper_with_debate(500, seed=2)
    reader = make_member()
    login_as(reader)
    warm_navigation(client, reader)
    small = page_queries(client, page.format(id=few.id))
    large = page_queries(client, page.format(id=many.id))
    assert len(small) == len(large), "\n\n".join(large)
    # 14, the stamps of its kept parts, the organization's time zone its times are shown in,
    # and the navigation's count of what waits for the reader
    assert len(large) <= 17, "\n\n".join(large)
