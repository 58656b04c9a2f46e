"""Debate pages run a fixed number of SQL queries whatever the thread's size."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from deliberate.database import utcnow
from deliberate.debate.bulk import insert_thread, plan_thread
from deliberate.debate.models import Comment
from deliberate.extensions import db
from deliberate.subjects import resolve
from tests.conftest import page_queries, warm_navigation
from tests.drafts.factories import make_draft
from tests.factories import make_member, make_tendency

TEXTS = [
    "I agree with the **direction**, but not with the timing.",
    "Where would the money come from? See [the budget](https://example.org/budget).",
    "> We evaluate in January.\n\nJanuary is too late for the branches that start now.",
    "- more assemblies\n- fewer committees",
]


@pytest.fixture
def authors(session):
    tendencies = [make_tendency() for _ in range(3)]
    return [make_member(tendency=tendencies[i % 4] if i % 4 < 3 else None) for i in range(12)]


def build_thread(authors, count: int, seed: int = 7):
    draft = make_draft()
    subject = resolve("draft", draft.id)
    plan = plan_thread(count, authors, TEXTS, random.Random(seed), max_depth=8, paragraphs=3)
    insert_thread(subject, plan, start=utcnow() - timedelta(days=3), spacing=timedelta(seconds=30))
    return draft


@pytest.mark.parametrize(
    "path",
    [
        "",
        "?order=newest",
        "?paragraph=2",
        "?tendency={tendency}",
        "?page=2",
    ],
)
def test_the_thread_page_runs_the_same_queries_for_20_and_2000_comments(
    client, login_as, authors, path
):
    small = build_thread(authors, 20)
    large = build_thread(authors, 2000, seed=8)
    assert (
        db.session.scalar(
            select(func.count()).where(
                Comment.subject_id == large.id, Comment.subject_type == "draft"
            )
        )
        == 2000
    )
    assert db.session.scalar(select(func.max(Comment.depth))) == 8
    reader = make_member()
    login_as(reader)
    tendency = db.session.scalar(
        select(Comment.author_tendency_id).where(Comment.author_tendency_id.is_not(None))
    )
    suffix = path.format(tendency=tendency)
    if suffix == "?page=2":
        # A 20-comment thread has one page; compare the second page of two long threads.
        small = build_thread(authors, 450, seed=9)
    warm_navigation(client, reader)
    few = page_queries(client, f"/debate/draft/{small.id}{suffix}")
    many = page_queries(client, f"/debate/draft/{large.id}{suffix}")
    assert len(few) == len(many), "\n\n".join(many)
    assert len(many) <= 10, "\n\n".join(many)


def test_the_subtree_page_is_bounded_too(client, login_as, authors):
    draft = build_thread(authors, 2000)
    deep = db.session.scalar(
        select(Comment).where(Comment.subject_id == draft.id, Comment.depth == 2).limit(1)
    )
    top = db.session.scalar(
        select(Comment).where(Comment.subject_id == draft.id, Comment.depth == 0).limit(1)
    )
    reader = make_member()
    login_as(reader)
    warm_navigation(client, reader)
    for comment in (deep, top):
        statements = page_queries(client, f"/comments/{comment.id}/thread")
        assert len(statements) <= 8, "\n\n".join(statements)
