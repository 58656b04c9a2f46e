"""The demo: every tendency speaks on the draft and an amendment; a lively, moderated debate."""

from __future__ import annotations

from markupsafe import escape
from sqlalchemy import func, select

from deliberate.audit.models import AuditEntry
from deliberate.debate.models import Comment
from deliberate.demo import load_demo
from deliberate.papers.models import PaperState, PositionPaper
from deliberate.tendencies.models import Tendency, TendencyMembership
from tests.factories import make_member


def test_each_tendency_has_published_papers_on_the_draft_and_an_amendment(session):
    draft = load_demo().demo_draft()
    for tendency in session.scalars(select(Tendency)):
        published = list(
            session.scalars(
                select(PositionPaper).where(
                    PositionPaper.tendency_id == tendency.id,
                    PositionPaper.state == PaperState.PUBLISHED,
                )
            )
        )
        on_draft = [p for p in published if (p.subject_type, p.subject_id) == ("draft", draft.id)]
        on_amendments = [p for p in published if p.subject_type == "amendment"]
        assert len(on_draft) == 1, tendency.name
        assert on_amendments, tendency.name
    states = set(session.scalars(select(PositionPaper.state)))
    assert states == {"published", "superseded", "drafting"}
    assert session.scalar(select(func.max(PositionPaper.current_revision))) == 2


def test_the_draft_has_a_lively_moderated_debate(session):
    draft = load_demo().demo_draft()
    on_draft = (Comment.subject_type == "draft") & (Comment.subject_id == draft.id)
    assert 300 <= session.scalar(select(func.count()).where(on_draft)) <= 400
    assert session.scalar(select(func.count()).where(on_draft, Comment.paragraph.is_not(None)))
    assert session.scalar(select(func.max(Comment.depth)).where(on_draft)) == 6
    hidden = list(session.scalars(select(Comment).where(on_draft, Comment.hidden_at.is_not(None))))
    assert len(hidden) == 1
    assert hidden[0].hidden_reason
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.object_id == hidden[0].id))
    assert session.scalar(select(func.count()).where(on_draft, Comment.deleted_at.is_not(None)))
    assert session.scalar(select(func.count()).where(on_draft, Comment.edited_at.is_not(None)))
    authors = session.scalar(select(func.count(func.distinct(Comment.author_id))).where(on_draft))
    assert authors >= 20
    # Badges are the authors' tendencies when they posted.
    mismatched = session.scalar(
        select(func.count())
        .select_from(Comment)
        .outerjoin(
            TendencyMembership,
            (TendencyMembership.member_id == Comment.author_id)
            & TendencyMembership.left_at.is_(None),
        )
        .where(
            on_draft,
            func.coalesce(Comment.author_tendency_id, 0)
            != func.coalesce(TendencyMembership.tendency_id, 0),
        )
    )
    assert mismatched == 0


def test_the_demo_draft_page_shows_papers_margin_and_thread(session, client, login_as):
    draft = load_demo().demo_draft()
    login_as(make_member())
    page = client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    assert "What the tendencies say" in page
    for title in (
        "Win Eastside, then the city",
        "Tenants lead, we support",
        "The assembly decides",
    ):
        assert title in page
    assert "Mandates, not reports" in page
    assert "comments on ¶" in page
    assert "Next page →" in page  # 300 comments and more: the thread continues
    on_draft = (Comment.subject_type == "draft") & (Comment.subject_id == draft.id)
    hidden = session.scalars(select(Comment).where(on_draft, Comment.hidden_at.is_not(None))).one()
    shown = client.get(f"/comments/{hidden.id}", follow_redirects=True).get_data(as_text=True)
    assert f"Hidden by a convener: {escape(hidden.hidden_reason)}" in shown
    assert hidden.body_html not in shown
