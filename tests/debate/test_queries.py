"""Thread pages: the tree, filters, ordering, pagination with ancestors, the depth cap."""

from __future__ import annotations

import pytest

from deliberate.accounts.models import MemberRole
from deliberate.debate import queries, services
from deliberate.debate.queries import ThreadFilter, ThreadOrder
from deliberate.errors import ValidationError
from tests.debate.factories import make_comment
from tests.factories import make_member, make_tendency


def flatten(views):
    for view in views:
        yield view
        yield from flatten(view.children)


def ids(views):
    return [v.id for v in flatten(views)]


def page(subject, viewer, size=100, indent=6, **kw):
    return queries.thread_page(
        subject, viewer, ThreadFilter(**kw), page_size=size, max_indent=indent
    )


def test_the_page_is_a_tree_in_posting_order(session, make_subject):
    subject = make_subject()
    member = make_member()
    a = make_comment(subject, member, "a")
    b = make_comment(subject, member, "b")
    a1 = make_comment(subject, member, "a1", parent=a)
    a2 = make_comment(subject, member, "a2", parent=a)
    a1x = make_comment(subject, member, "a1x", parent=a1)
    view = page(subject, member)
    assert [c.id for c in view.comments] == [a.id, b.id]
    assert [c.id for c in view.comments[0].children] == [a1.id, a2.id]
    assert ids(view.comments) == [a.id, a1.id, a1x.id, a2.id, b.id]
    assert view.total == 5


def test_newest_first_orders_top_level_comments_and_keeps_replies_in_order(session, make_subject):
    subject = make_subject()
    member = make_member()
    a = make_comment(subject, member, "a")
    b = make_comment(subject, member, "b")
    a1 = make_comment(subject, member, "a1", parent=a)
    a2 = make_comment(subject, member, "a2", parent=a)
    view = page(subject, member, order=ThreadOrder.NEWEST)
    assert ids(view.comments) == [b.id, a.id, a1.id, a2.id]


def test_deep_replies_stop_at_the_indent_cap(session, make_subject):
    subject = make_subject()
    member = make_member()
    chain = [make_comment(subject, member, "0")]
    for depth in range(1, 6):
        chain.append(make_comment(subject, member, str(depth), parent=chain[-1]))
    view = page(subject, member, indent=3)
    shown = list(flatten(view.comments))
    assert [c.depth for c in shown] == [0, 1, 2, 3]
    assert shown[-1].reply_count == 1  # the template offers "continue this thread" here
    assert view.indent_limit == 3


def test_pages_that_start_inside_a_subtree_show_the_ancestors_as_context(session, make_subject):
    subject = make_subject()
    member = make_member()
    top = make_comment(subject, member, "top")
    mid = make_comment(subject, member, "mid", parent=top)
    leaves = [make_comment(subject, member, f"leaf {i}", parent=mid) for i in range(4)]
    first = page(subject, member, size=3)
    assert ids(first.comments) == [top.id, mid.id, leaves[0].id]
    assert first.has_more
    second = page(subject, member, size=3, page=2)
    shown = list(flatten(second.comments))
    assert [c.id for c in shown] == [top.id, mid.id, leaves[1].id, leaves[2].id, leaves[3].id]
    assert [c.context for c in shown] == [True, True, False, False, False]
    assert not second.has_more


def test_the_tendency_filter_shows_matching_comments_with_their_ancestors(session, make_subject):
    subject = make_subject()
    ours, theirs = make_tendency("Ours"), make_tendency("Theirs")
    we, they = make_member(tendency=ours), make_member(tendency=theirs)
    question = make_comment(subject, they, "A question.")
    answer = make_comment(subject, we, "Our answer.", parent=question)
    make_comment(subject, they, "Another of theirs.")
    view = page(subject, we, tendency_id=ours.id)
    shown = list(flatten(view.comments))
    assert [(c.id, c.context) for c in shown] == [(question.id, True), (answer.id, False)]
    counts = {t.name: t.count for t in view.tendency_counts}
    assert counts == {"Ours": 1, "Theirs": 2}


def test_the_paragraph_filter_shows_the_paragraph_s_threads(session, make_subject):
    subject = make_subject(paragraphs=4)
    member = make_member()
    on_two = make_comment(subject, member, "on 2", paragraph=2)
    reply = make_comment(subject, member, "reply", parent=on_two)
    make_comment(subject, member, "on 3", paragraph=3)
    make_comment(subject, member, "general")
    view = page(subject, member, paragraph=2)
    assert ids(view.comments) == [on_two.id, reply.id]
    assert view.paragraph_counts == {2: 2, 3: 1}


def test_hidden_text_reaches_conveners_and_the_author_only(session, make_subject):
    subject = make_subject()
    author, reader = make_member(), make_member()
    convener = make_member(role=MemberRole.CONVENER)
    comment = make_comment(subject, author, "Something harsh.")
    services.hide_comment(convener, comment, "Harsh.")
    for viewer, sees in ((reader, False), (author, True), (convener, True)):
        (view,) = page(subject, viewer).comments
        assert view.hidden
        assert view.hidden_reason == "Harsh."
        assert view.show_text is sees
        assert ("Something harsh." in view.body_html) is sees


def test_deleted_comments_carry_no_text(session, make_subject):
    subject = make_subject()
    author = make_member()
    comment = make_comment(subject, author, "Gone soon.")
    make_comment(subject, make_member(), "A reply.", parent=comment)
    services.delete_comment(author, comment)
    (view,) = page(subject, make_member(role=MemberRole.ADMIN)).comments
    assert view.deleted
    assert view.body_html == ""
    assert len(view.children) == 1


def test_the_subtree_page_shows_ancestors_the_comment_and_its_replies(session, make_subject):
    subject = make_subject()
    member = make_member()
    chain = [make_comment(subject, member, "0")]
    for depth in range(1, 8):
        chain.append(make_comment(subject, member, str(depth), parent=chain[-1]))
    make_comment(subject, member, "unrelated")
    view = queries.subtree_page(subject, chain[3], member, page=1, page_size=100, max_indent=2)
    assert [a.id for a in view.ancestors] == [c.id for c in chain[:3]]
    assert ids(view.comments) == [c.id for c in chain[3:6]]
    assert view.focus_id == chain[3].id
    assert view.indent_limit == 5


def test_page_of_finds_a_comment_s_page(session, make_subject):
    subject = make_subject()
    member = make_member()
    comments = [make_comment(subject, member, str(i)) for i in range(7)]
    deep = make_comment(subject, member, "deep", parent=comments[0])
    assert queries.page_of(comments[0], page_size=3, max_indent=6) == 1
    assert queries.page_of(comments[6], page_size=3, max_indent=6) == 3
    assert queries.page_of(deep, page_size=3, max_indent=0) is None


def test_the_paragraph_margin_counts_and_shows_the_latest(session, make_subject):
    subject = make_subject(paragraphs=3)
    member = make_member()
    older = make_comment(subject, member, "older", paragraph=1)
    newer = make_comment(subject, member, "newer", paragraph=1)
    newest = make_comment(subject, member, "newest", paragraph=1)
    make_comment(subject, member, "reply", parent=older)
    make_comment(subject, member, "on three", paragraph=3)
    margin = queries.paragraph_margin(subject, member, latest=2)
    assert set(margin) == {1, 3}
    assert margin[1].count == 4
    assert [c.id for c in margin[1].latest] == [newest.id, newer.id]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"order": "sideways"}, "Order"),
        ({"tendency": "-1"}, "tendency"),
        ({"paragraph": "1e3"}, "paragraph"),
    ],
)
def test_malformed_filters_are_refused(args, message):
    with pytest.raises(ValidationError, match=message):
        queries.parse_filter(args)


def test_well_formed_filters_are_read():
    assert queries.parse_filter({"order": "newest", "page": "2"}) == ThreadFilter(
        order=ThreadOrder.NEWEST, page=2
    )
