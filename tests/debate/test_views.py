"""Debate pages: what members see and do, and what is refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from deliberate.accounts.models import MemberRole
from deliberate.audit.models import AuditEntry
from deliberate.debate import services
from deliberate.debate.models import Comment, CommentRevision
from deliberate.extensions import db
from tests.debate.factories import make_comment
from tests.factories import make_member, make_tendency


def comment_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment)) or 0


def thread_url(subject) -> str:
    return f"/debate/{subject.type.value}/{subject.id}"


def test_the_thread_shows_author_badge_time_and_nesting(client, login_as, make_subject):
    tendency = make_tendency("Assembly Network")
    author = make_member("Clara Dubois", tendency=tendency)
    subject = make_subject("Strike fund")
    top = make_comment(subject, author, "We need a **fund**.")
    make_comment(subject, make_member("Ben"), "How big?", parent=top)
    login_as(make_member())
    page = client.get(thread_url(subject)).get_data(as_text=True)
    assert "Strike fund" in page
    assert "Clara Dubois" in page
    assert '<span class="badge">Assembly Network</span>' in page
    assert "<strong>fund</strong>" in page
    assert '<ol class="replies">' in page
    assert f'id="c{top.id}"' in page
    assert "2 comments" in page


def test_anonymous_visitors_are_sent_to_log_in(client, make_subject):
    subject = make_subject()
    response = client.get(thread_url(subject))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_unknown_subjects_and_bad_filters_get_clear_errors(client, login_as, make_subject):
    login_as(make_member())
    response = client.get("/debate/pamphlet/1")
    assert response.status_code == 404
    assert "no debate about" in response.get_data(as_text=True)
    assert client.get("/debate/vote/999999").status_code == 404
    subject = make_subject()
    response = client.get(thread_url(subject) + "?page=-3")
    assert response.status_code == 400
    assert "page number must be a whole number" in response.get_data(as_text=True).lower()


def test_posting_a_comment_goes_to_its_permalink(client, login_as, make_subject):
    subject = make_subject()
    member = make_member()
    login_as(member)
    response = client.post(
        thread_url(subject) + "/comments/new", data={"body": "First!", "post": "Post"}
    )
    assert response.status_code == 303
    comment = db.session.scalar(select(Comment))
    assert comment.author_id == member.id
    assert response.headers["Location"].endswith(f"/comments/{comment.id}")
    target = client.get(f"/comments/{comment.id}")
    assert target.status_code == 302
    assert target.headers["Location"].endswith(f"{thread_url(subject)}#c{comment.id}")


def test_preview_shows_the_rendered_text_and_stores_nothing(client, login_as, make_subject):
    subject = make_subject()
    login_as(make_member())
    response = client.post(
        thread_url(subject) + "/comments/new",
        data={"body": "Is this *right*?", "preview": "Preview"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<em>right</em>" in page
    assert "Is this *right*?" in page  # kept in the form
    assert comment_count() == 0


def test_the_preview_endpoint_returns_sanitized_html(client, login_as):
    login_as(make_member())
    response = client.post("/debate/preview", data={"body": "**bold** <script>alert(1)</script>"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<strong>bold</strong>" in html
    assert "<script" not in html
    empty = client.post("/debate/preview", data={"body": ""})
    assert empty.status_code == 400
    assert "cannot be empty" in empty.get_data(as_text=True)


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "A comment cannot be empty."), ("y" * 10_001, "at most 10,000 characters")],
)
def test_bad_comments_are_refused_on_the_form(client, login_as, make_subject, body, message):
    subject = make_subject()
    login_as(make_member())
    response = client.post(thread_url(subject) + "/comments/new", data={"body": body})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert comment_count() == 0


def test_posting_to_a_closed_subject_is_refused_and_keeps_the_text(client, login_as, make_subject):
    subject = make_subject(closed="The draft is withdrawn; its debate is closed.")
    login_as(make_member())
    page = client.get(thread_url(subject)).get_data(as_text=True)
    assert "The draft is withdrawn; its debate is closed." in page
    assert 'class="comment-form"' not in page
    response = client.post(
        thread_url(subject) + "/comments/new", data={"body": "Too late?", "post": "Post"}
    )
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "its debate is closed" in text
    assert "Too late?" in text
    assert comment_count() == 0


def test_a_bad_paragraph_is_refused(client, login_as, make_subject):
    subject = make_subject(paragraphs=3)
    login_as(make_member())
    for value, message in (("4", "There is no ¶4"), ("abc", "Not a valid integer")):
        response = client.post(
            thread_url(subject) + "/comments/new", data={"body": "On ¶4", "paragraph": value}
        )
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert comment_count() == 0


def test_replying_through_the_reply_page(client, login_as, make_subject):
    subject = make_subject()
    parent = make_comment(subject, make_member("Rosa"), "Unions first.")
    member = make_member()
    login_as(member)
    page = client.get(f"/comments/{parent.id}/reply").get_data(as_text=True)
    assert "Unions first." in page
    response = client.post(f"/comments/{parent.id}/reply", data={"body": "Agreed."})
    assert response.status_code == 303
    reply = db.session.scalar(select(Comment).where(Comment.parent_id == parent.id))
    assert reply.body_markdown == "Agreed."


def test_replies_to_hidden_or_deleted_comments_are_refused(client, login_as, make_subject):
    subject = make_subject()
    author = make_member()
    deleted = make_comment(subject, author)
    services.delete_comment(author, deleted)
    hidden = make_comment(subject, author)
    services.hide_comment(make_member(role=MemberRole.CONVENER), hidden, "Spam.")
    login_as(make_member())
    for parent, message in ((deleted, "deleted by its author"), (hidden, "hidden by a convener")):
        response = client.post(f"/comments/{parent.id}/reply", data={"body": "Hm."})
        assert response.status_code == 409
        assert message in response.get_data(as_text=True)
    assert comment_count() == 2


def test_editing_keeps_a_viewable_history(client, login_as, make_subject):
    subject = make_subject()
    author = make_member()
    comment = make_comment(subject, author, "Original words.")
    login_as(author)
    assert client.get(f"/comments/{comment.id}/edit").status_code == 200
    response = client.post(f"/comments/{comment.id}/edit", data={"body": "Better words."})
    assert response.status_code == 303
    login_as(make_member())
    page = client.get(thread_url(subject)).get_data(as_text=True)
    assert "Better words." in page
    assert f'href="/comments/{comment.id}/history">edited</a>' in page
    history = client.get(f"/comments/{comment.id}/history").get_data(as_text=True)
    assert "Original words." in history
    assert "Better words." in history


def test_others_cannot_edit_or_delete(client, login_as, make_subject):
    subject = make_subject()
    comment = make_comment(subject, make_member(), "Mine.")
    login_as(make_member(role=MemberRole.ADMIN))
    assert client.post(f"/comments/{comment.id}/edit", data={"body": "Ours."}).status_code == 403
    assert client.post(f"/comments/{comment.id}/delete").status_code == 403
    db.session.refresh(comment)
    assert comment.body_markdown == "Mine."
    assert not comment.is_deleted
    assert db.session.scalar(select(func.count()).select_from(CommentRevision)) == 1


def test_deleting_leaves_a_tombstone_with_replies(client, login_as, make_subject):
    subject = make_subject()
    author = make_member()
    comment = make_comment(subject, author, "Regrettable.")
    make_comment(subject, make_member(), "A reply that stays.", parent=comment)
    login_as(author)
    assert "Delete your comment?" in client.get(f"/comments/{comment.id}/delete").get_data(
        as_text=True
    )
    assert client.post(f"/comments/{comment.id}/delete").status_code == 303
    page = client.get(thread_url(subject)).get_data(as_text=True)
    assert "Deleted by its author." in page
    assert "Regrettable." not in page
    assert "A reply that stays." in page


def test_conveners_hide_and_unhide_and_members_see_the_reason(client, login_as, make_subject):
    subject = make_subject()
    comment = make_comment(subject, make_member(), "Something cruel.")
    convener = make_member(role=MemberRole.CONVENER)
    login_as(convener)
    refused = client.post(f"/comments/{comment.id}/hide", data={"reason": ""})
    assert refused.status_code == 400
    assert "Give the reason" in refused.get_data(as_text=True)
    assert (
        client.post(
            f"/comments/{comment.id}/hide", data={"reason": "Cruel to a comrade."}
        ).status_code
        == 303
    )
    convener_page = client.get(thread_url(subject)).get_data(as_text=True)
    assert "Hidden by a convener: Cruel to a comrade." in convener_page
    assert "Something cruel." in convener_page
    login_as(make_member())
    member_page = client.get(thread_url(subject)).get_data(as_text=True)
    assert "Hidden by a convener: Cruel to a comrade." in member_page
    assert "Something cruel." not in member_page
    login_as(convener)
    assert client.post(f"/comments/{comment.id}/unhide").status_code == 303
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["comment.hide", "comment.unhide"]


def test_members_cannot_hide(client, login_as, make_subject):
    subject = make_subject()
    comment = make_comment(subject, make_member())
    login_as(make_member(tendency=make_tendency(), coordinator=True))
    assert client.get(f"/comments/{comment.id}/hide").status_code == 403
    assert client.post(f"/comments/{comment.id}/hide", data={"reason": "No."}).status_code == 403
    db.session.refresh(comment)
    assert not comment.is_hidden


def test_deep_threads_continue_on_the_subtree_page(client, login_as, make_subject, app):
    subject = make_subject()
    member = make_member()
    chain = [make_comment(subject, member, "level 0")]
    for depth in range(1, 10):
        chain.append(make_comment(subject, member, f"level {depth}", parent=chain[-1]))
    login_as(member)
    cap = app.config["THREAD_MAX_INDENT"]
    page = client.get(thread_url(subject)).get_data(as_text=True)
    assert f"level {cap}" in page
    assert f"level {cap + 1}" not in page
    assert f'href="/comments/{chain[cap].id}/thread">Continue this thread (1 reply)' in page
    subtree = client.get(f"/comments/{chain[cap].id}/thread").get_data(as_text=True)
    assert "Earlier in this thread" in subtree
    assert "level 9" in subtree
    # A deep comment's permalink opens its own subtree.
    deep = client.get(f"/comments/{chain[9].id}")
    assert deep.headers["Location"].endswith(f"/comments/{chain[9].id}/thread#c{chain[9].id}")


def test_long_threads_are_paged_and_permalinks_find_the_page(
    client, login_as, make_subject, app, monkeypatch
):
    monkeypatch.setitem(app.config, "THREAD_PAGE_SIZE", 5)
    subject = make_subject()
    member = make_member()
    comments = [make_comment(subject, member, f"comment number {i}") for i in range(12)]
    login_as(member)
    first = client.get(thread_url(subject)).get_data(as_text=True)
    assert "comment number 4" in first
    assert "comment number 5" not in first
    assert "Next page" in first
    location = client.get(f"/comments/{comments[11].id}").headers["Location"]
    assert location.endswith(f"?page=3#c{comments[11].id}")
    third = client.get(location.split("#")[0]).get_data(as_text=True)
    assert "comment number 11" in third
    assert "Earlier page" in third


def test_filters_by_tendency_and_paragraph_and_newest_first(client, login_as, make_subject):
    subject = make_subject(paragraphs=3)
    ours = make_tendency("Ours")
    we, someone = make_member(tendency=ours), make_member()
    make_comment(subject, someone, "general remark")
    make_comment(subject, we, "our remark on two", paragraph=2)
    login_as(someone)
    by_tendency = client.get(f"{thread_url(subject)}?tendency={ours.id}").get_data(as_text=True)
    assert "our remark on two" in by_tendency
    assert "general remark" not in by_tendency
    by_paragraph = client.get(f"{thread_url(subject)}?paragraph=2").get_data(as_text=True)
    assert "our remark on two" in by_paragraph
    assert "general remark" not in by_paragraph
    newest = client.get(f"{thread_url(subject)}?order=newest").get_data(as_text=True)
    assert newest.index("our remark on two") < newest.index("general remark")


def test_posting_is_rate_limited_per_member(client, login_as, make_subject, app, monkeypatch):
    monkeypatch.setitem(app.config, "COMMENT_LIMIT_PER_MEMBER", "2 per minute")
    subject = make_subject()
    login_as(make_member())
    url = thread_url(subject) + "/comments/new"
    assert client.post(url, data={"body": "one"}).status_code == 303
    assert client.post(url, data={"body": ""}).status_code == 400  # refusals do not count
    assert client.post(url, data={"body": "two"}).status_code == 303
    response = client.post(url, data={"body": "three"})
    assert response.status_code == 429
    assert comment_count() == 2


def revision_count() -> int:
    return db.session.scalar(select(func.count()).select_from(CommentRevision)) or 0


def test_comments_replies_and_edits_share_one_posting_budget(client, login_as, make_subject):
    subject = make_subject()
    member = make_member()
    login_as(member)
    new = thread_url(subject) + "/comments/new"
    first = make_comment(subject, member, "draft one")
    for n in range(4):
        assert client.post(new, data={"body": f"comment {n}"}).status_code == 303
    for n in range(3):
        reply = client.post(f"/comments/{first.id}/reply", data={"body": f"reply {n}"})
        assert reply.status_code == 303
    for n in range(3):
        edited = client.post(f"/comments/{first.id}/edit", data={"body": f"edit {n}"})
        assert edited.status_code == 303
    comments, revisions = comment_count(), revision_count()
    assert client.post(new, data={"body": "one more"}).status_code == 429
    assert client.post(f"/comments/{first.id}/reply", data={"body": "more"}).status_code == 429
    assert client.post(f"/comments/{first.id}/edit", data={"body": "more"}).status_code == 429
    assert (comment_count(), revision_count()) == (comments, revisions)


def test_pages_have_no_inline_scripts(client, login_as, make_subject):
    subject = make_subject()
    make_comment(subject, make_member())
    login_as(make_member())
    page = client.get(thread_url(subject)).get_data(as_text=True)
    for script in re.findall(r"<script[^>]*>", page):
        assert 'src="/static/' in script


def test_previews_are_rate_limited_per_member(client, login_as, app, monkeypatch):
    monkeypatch.setitem(app.config, "PREVIEW_LIMIT_PER_MEMBER", "2 per minute")
    login_as(make_member())
    assert client.post("/debate/preview", data={"body": "one"}).status_code == 200
    assert client.post("/debate/preview", data={"body": "two"}).status_code == 200
    assert client.post("/debate/preview", data={"body": "three"}).status_code == 429


def test_reply_and_comment_pages_say_why_no_form_is_offered(client, login_as, make_subject):
    subject = make_subject()
    author = make_member()
    deleted = make_comment(subject, author)
    services.delete_comment(author, deleted)
    login_as(make_member())
    page = client.get(f"/comments/{deleted.id}/reply").get_data(as_text=True)
    assert "deleted by its author; it takes no replies" in page
    assert 'class="comment-form"' not in page
    closed = make_subject(closed="The vote is closed; its debate is over.")
    page = client.get(f"/debate/vote/{closed.id}/comments/new").get_data(as_text=True)
    assert "its debate is over" in page
    assert 'class="comment-form"' not in page
