"""Loading a whole thread at once: the demo's debate, benchmarks and large-thread tests.

Writes the same rows the services write (comments with path, root, depth and reply counts,
their first revision, the author's tendency at the time), level by level with multi-row
INSERT … RETURNING, so thousands of comments take well under a second. It bypasses the
per-comment checks of `services.post_comment`: callers pass a consistent plan.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, update

from deliberate.accounts.models import Member
from deliberate.debate.models import Comment, CommentRevision, path_ids, path_segment
from deliberate.extensions import db
from deliberate.markup import render_markdown
from deliberate.subjects import Subject
from deliberate.tendencies.queries import tendencies_of


@dataclass
class PlannedComment:
    """One comment of a plan: its parent (an index into the plan, earlier), author, text;
    optionally its time and the version its paragraph belongs to (else the thread's)."""

    parent: int | None
    author: Member
    text: str
    paragraph: int | None = None
    depth: int = 0
    created_at: datetime | None = None
    anchor_version: int | None = None


def plan_thread(
    count: int,
    authors: Sequence[Member],
    texts: Sequence[str],
    rng: random.Random,
    *,
    max_depth: int,
    top_level_share: float = 0.3,
    paragraphs: int = 0,
    anchored_share: float = 0.3,
) -> list[PlannedComment]:
    """A plausible thread shape: some top-level comments; replies to recent comments or to
    the top-level ones; a reply that would nest too deep answers the thread's first comment.

    The first comments form a chain `max_depth` deep, so the deepest nesting is present.
    """
    plan: list[PlannedComment] = []
    roots: list[int] = []  # the top-level comment each planned comment descends from
    tops: list[int] = []
    for index in range(count):
        author = authors[rng.randrange(len(authors))]
        text = texts[rng.randrange(len(texts))]
        parent: int | None
        if index == 0 or (index > max_depth and rng.random() < top_level_share):
            parent = None
        elif index <= max_depth:
            parent = index - 1
        elif rng.random() < 0.5:
            parent = index - 1 - rng.randrange(min(index, 30))
        else:
            parent = tops[rng.randrange(len(tops))]
        if parent is not None and plan[parent].depth >= max_depth:
            parent = roots[parent]
        if parent is None:
            anchored = paragraphs and rng.random() < anchored_share
            paragraph = rng.randrange(1, paragraphs + 1) if anchored else None
            plan.append(PlannedComment(None, author, text, paragraph, 0))
            roots.append(index)
            tops.append(index)
        else:
            above = plan[parent]
            plan.append(PlannedComment(parent, author, text, above.paragraph, above.depth + 1))
            roots.append(roots[parent])
    return plan


def insert_thread(
    subject: Subject,
    plan: Sequence[PlannedComment],
    *,
    start: datetime | None = None,
    spacing: timedelta = timedelta(0),
    anchor_version: int | None = None,
) -> list[int]:
    """Insert the planned comments on `subject`; returns their ids in plan order.

    A comment is posted at its planned time, else at `start + spacing * index`; it points to
    its paragraph in its planned version, else in `anchor_version`.
    """
    times: list[datetime] = []
    for i, planned in enumerate(plan):
        if planned.created_at is not None:
            times.append(planned.created_at)
        elif start is not None:
            times.append(start + spacing * i)
        else:
            raise ValueError("Give the thread a start, or every planned comment its time.")
    badges = tendencies_of(sorted({p.author.id for p in plan}))
    rendered: dict[str, str] = {}
    ids: list[int] = [0] * len(plan)
    paths: list[str] = [""] * len(plan)
    replies = [0] * len(plan)
    for planned in plan:
        if planned.parent is not None:
            replies[planned.parent] += 1
    for depth in range(max((p.depth for p in plan), default=-1) + 1):
        level = [i for i, p in enumerate(plan) if p.depth == depth]
        rows = []
        for i in level:
            planned = plan[i]
            html = rendered.get(planned.text)
            if html is None:
                html = rendered[planned.text] = render_markdown(planned.text)
            tendency = badges.get(planned.author.id)
            rows.append(
                {
                    "subject_type": subject.type.value,
                    "subject_id": subject.id,
                    "parent_id": ids[planned.parent] if planned.parent is not None else None,
                    "depth": depth,
                    "paragraph": planned.paragraph,
                    "anchor_version": (planned.anchor_version or anchor_version)
                    if planned.paragraph
                    else None,
                    "author_id": planned.author.id,
                    "author_tendency_id": tendency.id if tendency else None,
                    "body_markdown": planned.text,
                    "body_html": html,
                    "created_at": times[i],
                    "reply_count": replies[i],
                }
            )
        new_ids = db.session.scalars(
            insert(Comment).returning(Comment.id, sort_by_parameter_order=True), rows
        ).all()
        for i, comment_id in zip(level, new_ids, strict=True):
            ids[i] = comment_id
            parent = plan[i].parent
            paths[i] = (paths[parent] if parent is not None else "") + path_segment(comment_id)
    if plan:
        db.session.execute(
            update(Comment),
            [
                {"id": ids[i], "path": paths[i], "root_id": path_ids(paths[i])[0]}
                for i in range(len(plan))
            ],
        )
        db.session.execute(
            insert(CommentRevision),
            [
                {
                    "comment_id": ids[i],
                    "number": 1,
                    "body_markdown": plan[i].text,
                    "body_html": rendered[plan[i].text],
                    "created_at": times[i],
                }
                for i in range(len(plan))
            ],
        )
    db.session.flush()
    return ids
