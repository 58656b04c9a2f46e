"""Posting, replying, editing, deleting and moderating comments."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from deliberate.accounts.models import MemberRole, MemberStatus
from deliberate.audit.models import AuditEntry
from deliberate.debate import services
from deliberate.debate.models import MAX_DEPTH, Comment, CommentRevision
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.tendencies.services import leave_tendency
from tests.debate.factories import make_comment
from tests.factories import make_member, make_tendency


def comment_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment)) or 0


def revision_count() -> int:
    return db.session.scalar(select(func.count()).select_from(CommentRevision)) or 0


def test_a_comment_records_author_tendency_path_and_first_revision(session, make_subject):
    tendency = make_tendency("Assembly Network")
    author = make_member("Clara", tendency=tendency)
    subject = make_subject()
    comment = make_comment(subject, author, "We need **assemblies** first.")
    assert comment.depth == 0
    assert comment.root_id == comment.id
    assert comment.path == f"{comment.id:010d}/"
    assert comment.author_tendency_id == tendency.id
    assert "<strong>assemblies</strong>" in comment.body_html
    revisions = list(db.session.scalars(select(CommentRevision)))
    assert [(r.comment_id, r.number) for r in revisions] == [(comment.id, 1)]


def test_the_tendency_badge_is_the_one_at_posting_time(session, make_subject):
    tendency = make_tendency()
    author = make_member(tendency=tendency)
    subject = make_subject()
    first = make_comment(subject, author)
    leave_tendency(author)
    second = make_comment(subject, author, "Now I speak for myself.")
    assert first.author_tendency_id == tendency.id
    assert second.author_tendency_id is None


def test_replies_nest_with_paths_and_count_on_the_parent(session, make_subject):
    subject = make_subject()
    alice, bob = make_member(), make_member()
    top = make_comment(subject, alice)
    reply = make_comment(subject, bob, "Why?", parent=top)
    deeper = make_comment(subject, alice, "Because.", parent=reply)
    assert (reply.depth, deeper.depth) == (1, 2)
    assert reply.path == top.path + f"{reply.id:010d}/"
    assert deeper.path.startswith(reply.path)
    assert {reply.root_id, deeper.root_id} == {top.id}
    db.session.refresh(top)
    db.session.refresh(reply)
    assert (top.reply_count, reply.reply_count) == (1, 1)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "cannot be empty"),
        ("   \n\t  ", "cannot be empty"),
        ("\x00\x00", "cannot be empty"),
        ("x" * 10_001, "at most 10,000 characters"),
    ],
)
def test_empty_or_oversized_comments_are_refused(session, make_subject, body, message):
    subject = make_subject()
    with pytest.raises(ValidationError, match=message):
        make_comment(subject, make_member(), body)
    assert comment_count() == 0
    assert revision_count() == 0


def test_a_reply_to_a_comment_in_another_thread_is_refused(session, make_subject):
    here, there = make_subject(), make_subject()
    member = make_member()
    elsewhere = make_comment(there, member)
    with pytest.raises(ValidationError, match="same thread"):
        make_comment(here, member, parent=elsewhere)
    assert comment_count() == 1


def test_replies_to_deleted_or_hidden_comments_are_refused(session, make_subject):
    subject = make_subject()
    author, convener = make_member(), make_member(role=MemberRole.CONVENER)
    deleted = make_comment(subject, author)
    services.delete_comment(author, deleted)
    hidden = make_comment(subject, author)
    services.hide_comment(convener, hidden, "Personal attack.")
    with pytest.raises(InvalidTransition, match="deleted by its author"):
        make_comment(subject, make_member(), parent=deleted)
    with pytest.raises(InvalidTransition, match="hidden by a convener"):
        make_comment(subject, make_member(), parent=hidden)
    assert comment_count() == 2


def test_a_closed_subject_takes_no_comments(session, make_subject):
    subject = make_subject(closed="This vote is closed; its debate is over.")
    with pytest.raises(InvalidTransition, match="debate is over"):
        make_comment(subject, make_member())
    assert comment_count() == 0


def test_members_who_cannot_see_the_subject_cannot_post(session, make_subject):
    outsider = make_member()
    subject = make_subject(hidden_from={outsider.id})
    with pytest.raises(PermissionDenied):
        make_comment(subject, outsider)
    assert comment_count() == 0


def test_suspended_members_cannot_post(session, make_subject):
    subject = make_subject()
    with pytest.raises(PermissionDenied, match="Suspended"):
        make_comment(subject, make_member(status=MemberStatus.SUSPENDED))
    assert comment_count() == 0


def test_a_comment_points_to_an_existing_paragraph_and_replies_inherit_it(session, make_subject):
    subject = make_subject(paragraphs=5)
    member = make_member()
    anchored = make_comment(subject, member, paragraph=5)
    reply = make_comment(subject, member, "Agreed on ¶5.", parent=anchored)
    assert (anchored.paragraph, anchored.anchor_version) == (5, 1)
    assert (reply.paragraph, reply.anchor_version) == (5, 1)
    for paragraph in (0, 6, 999):
        with pytest.raises(ValidationError, match=rf"no ¶{paragraph}: .*¶1 to ¶5"):
            make_comment(subject, member, paragraph=paragraph)
    with pytest.raises(ValidationError, match="paragraph of the comment it answers"):
        make_comment(subject, member, parent=anchored, paragraph=2)
    assert comment_count() == 2


def test_subjects_without_paragraphs_refuse_anchors(session, make_subject):
    subject = make_subject(paragraphs=None)
    with pytest.raises(ValidationError, match="cannot point to a paragraph"):
        make_comment(subject, make_member(), paragraph=1)


def test_nesting_stops_at_the_maximum_depth(session, make_subject):
    subject = make_subject()
    member = make_member()
    parent = make_comment(subject, member)
    for _ in range(MAX_DEPTH):
        parent = make_comment(subject, member, "deeper", parent=parent)
    assert parent.depth == MAX_DEPTH
    with pytest.raises(InvalidTransition, match="nested as deep as it can go"):
        make_comment(subject, member, parent=parent)


def test_markdown_is_sanitized_when_stored(session, make_subject):
    comment = make_comment(
        make_subject(),
        make_member(),
        "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )
    assert "<script" not in comment.body_html
    assert 'href="javascript' not in comment.body_html.lower()
    assert "<img" not in comment.body_html
    assert "&lt;script&gt;" in comment.body_html


def test_authors_edit_and_the_history_keeps_every_version(session, make_subject):
    subject = make_subject()
    author = make_member()
    comment = make_comment(subject, author, "First thought.")
    services.edit_comment(author, subject, comment, "Second thought.")
    services.edit_comment(author, subject, comment, "Third thought.")
    assert comment.is_edited
    assert comment.body_markdown == "Third thought."
    texts = [
        r.body_markdown
        for r in db.session.scalars(
            select(CommentRevision)
            .where(CommentRevision.comment_id == comment.id)
            .order_by(CommentRevision.number)
        )
    ]
    assert texts == ["First thought.", "Second thought.", "Third thought."]


def test_edits_by_others_unchanged_or_bad_edits_are_refused(session, make_subject):
    subject = make_subject()
    author, other = make_member(), make_member(role=MemberRole.ADMIN)
    comment = make_comment(subject, author, "Mine.")
    with pytest.raises(PermissionDenied, match="Only its author"):
        services.edit_comment(other, subject, comment, "Yours now.")
    with pytest.raises(ValidationError, match="unchanged"):
        services.edit_comment(author, subject, comment, "  Mine.  ")
    with pytest.raises(ValidationError, match="empty"):
        services.edit_comment(author, subject, comment, "")
    db.session.refresh(comment)
    assert comment.body_markdown == "Mine."
    assert not comment.is_edited
    assert revision_count() == 1


def test_deleting_leaves_a_tombstone_and_keeps_the_replies(session, make_subject):
    subject = make_subject()
    author, other = make_member(), make_member()
    comment = make_comment(subject, author, "Something I regret.")
    reply = make_comment(subject, other, "Indeed.", parent=comment)
    with pytest.raises(PermissionDenied):
        services.delete_comment(other, comment)
    services.delete_comment(author, comment)
    db.session.expire_all()  # what the database holds, not what this session remembers
    assert comment.is_deleted
    assert (comment.body_markdown, comment.body_html) == ("", "")
    assert (reply.parent_id, reply.body_markdown) == (comment.id, "Indeed.")
    # The conveners' moderation record keeps what was written.
    kept = db.session.scalars(
        select(CommentRevision.body_markdown).where(CommentRevision.comment_id == comment.id)
    ).all()
    assert kept == ["Something I regret."]
    with pytest.raises(InvalidTransition, match="already deleted"):
        services.delete_comment(author, comment)
    with pytest.raises(InvalidTransition, match="deleted"):
        services.edit_comment(author, subject, comment, "Back again.")


def test_conveners_hide_with_a_reason_and_unhide_and_both_are_logged(session, make_subject):
    subject = make_subject()
    convener = make_member(role=MemberRole.CONVENER)
    comment = make_comment(subject, make_member(), "Rude words.")
    with pytest.raises(ValidationError, match="reason"):
        services.hide_comment(convener, comment, "   ")
    assert not comment.is_hidden
    services.hide_comment(convener, comment, "Insults a comrade.")
    assert comment.hidden_reason == "Insults a comrade."
    with pytest.raises(InvalidTransition, match="already hidden"):
        services.hide_comment(convener, comment, "Again.")
    services.unhide_comment(convener, comment)
    assert not comment.is_hidden
    with pytest.raises(InvalidTransition, match="not hidden"):
        services.unhide_comment(convener, comment)
    entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.action, e.object_type, e.object_id, e.actor_id) for e in entries] == [
        ("comment.hide", "Comment", comment.id, convener.id),
        ("comment.unhide", "Comment", comment.id, convener.id),
    ]
    assert entries[0].details["reason"] == "Insults a comrade."


def test_members_cannot_moderate(session, make_subject):
    subject = make_subject()
    comment = make_comment(subject, make_member())
    for actor in (make_member(), make_member(tendency=make_tendency(), coordinator=True)):
        with pytest.raises(PermissionDenied, match="Only conveners"):
            services.hide_comment(actor, comment, "I dislike it.")
    assert not comment.is_hidden
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_hidden_comments_cannot_be_edited_by_their_author(session, make_subject):
    subject = make_subject()
    author = make_member()
    comment = make_comment(subject, author)
    services.hide_comment(make_member(role=MemberRole.ADMIN), comment, "Off topic.")
    with pytest.raises(InvalidTransition, match="hidden"):
        services.edit_comment(author, subject, comment, "Sneaky rewrite.")


def test_comment_revisions_are_immutable(session, make_subject):
    comment = make_comment(make_subject(), make_member(), "What I first wrote.")
    db.session.commit()  # stored, as at the end of the request that posted it
    revision = db.session.scalar(select(CommentRevision))
    revision.body_markdown = "rewritten history"
    with pytest.raises(RuntimeError, match="immutable"):
        db.session.flush()
    db.session.rollback()
    stored = db.session.scalars(
        select(CommentRevision.body_markdown).where(CommentRevision.comment_id == comment.id)
    ).all()
    assert stored == ["What I first wrote."]
