"""The demo's history: spread over the last eight weeks, in order, reproducible, never ahead."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from deliberate.accounts.models import Member
from deliberate.audit.models import AuditEntry
from deliberate.database import UTCDateTime, utcnow
from deliberate.debate.models import Comment, CommentRevision
from deliberate.demo import load_demo
from deliberate.drafts.models import AmendmentEvent, DraftVersion
from deliberate.extensions import db
from deliberate.papers.models import PaperSignature, PositionPaper

# Times that are meant to lie ahead: when an invitation lapses, when the amendment window ends,
# when the treasurer's election (taking nominations) closes them and opens.
AHEAD = {"expires_at", "amendment_deadline_at", "closes_at", "nominations_close_at", "opens_at"}


def _dated_columns():
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, UTCDateTime) and column.name not in AHEAD:
                yield table, column


def test_the_thread_spans_three_weeks_and_every_reply_follows_its_parent(session):
    world = load_demo()
    draft = world.demo_draft()
    rows = session.execute(
        select(Comment.id, Comment.parent_id, Comment.created_at).where(
            Comment.subject_type == "draft", Comment.subject_id == draft.id
        )
    ).all()
    posted = {comment_id: created for comment_id, _parent, created in rows}
    assert max(posted.values()) - min(posted.values()) >= timedelta(days=14)
    assert max(posted.values()) < world.clock.now
    for comment_id, parent_id, created in rows:
        if parent_id is not None:
            assert created > posted[parent_id], comment_id
    # The thread's ids are in posting order; revisions keep the time of their comment.
    thread_times = [posted[comment_id] for comment_id in world.thread]
    assert thread_times == sorted(thread_times)
    revised = dict(
        session.execute(
            select(CommentRevision.comment_id, CommentRevision.created_at).where(
                CommentRevision.number == 1, CommentRevision.comment_id.in_(world.thread)
            )
        ).all()
    )
    assert revised == {comment_id: posted[comment_id] for comment_id in world.thread}


def test_nothing_is_dated_at_or_after_the_load(session):
    world = load_demo()
    for table, column in _dated_columns():
        latest = session.scalar(select(func.max(column)))
        assert latest is None or latest < world.clock.now, f"{table.name}.{column.name}"


def test_the_history_is_spread_over_eight_weeks(session):
    world = load_demo()
    now = world.clock.now

    def days_ago(moment: datetime) -> float:
        return (now - moment) / timedelta(days=1)

    joined = list(session.scalars(select(Member.joined_at)))
    assert 50 < days_ago(min(joined)) <= 57
    assert days_ago(max(joined)) < 35
    assert len({moment.date() for moment in joined}) >= 20
    versions = dict(
        session.execute(
            select(DraftVersion.number, DraftVersion.created_at).where(
                DraftVersion.draft_id == world.demo_draft().id
            )
        ).all()
    )
    assert 26 < days_ago(versions[1]) <= 29
    assert 12 < days_ago(versions[2]) <= 16
    assert 6 < days_ago(versions[3]) <= 7
    published = [p for p in session.scalars(select(PositionPaper.published_at)) if p]
    signed = list(session.scalars(select(PaperSignature.signed_at)))
    assert days_ago(max(published)) > 3
    assert min(signed) > min(published)
    assert days_ago(max(signed)) > 1


def test_ids_follow_times(session):
    """The parts' steps are taken in time order, so the audit log and every amendment's
    history read in id order are chronological."""
    load_demo()
    for model in (AuditEntry, AmendmentEvent):
        times = list(session.scalars(select(model.created_at).order_by(model.id)))
        assert len(times) > 10
        assert times == sorted(times), model.__name__


def test_the_same_moment_gives_the_same_history(session):
    now = utcnow()

    def history() -> list[tuple[str, list[datetime]]]:
        savepoint = session.begin_nested()
        load_demo(now)
        dated = [
            (
                f"{table.name}.{column.name}",
                list(session.scalars(select(column).order_by(*table.primary_key))),
            )
            for table, column in _dated_columns()
        ]
        savepoint.rollback()
        return dated

    assert history() == history()
