"""Read-side selects for debate: a thread page, a subtree, the paragraph margin, histories.

A page of a thread is one select of plain rows (comment, author name, tendency name) in
display order; the tree is built here in Python. A page may begin inside a subtree, and a
filtered page shows only some comments: the missing ancestors of what is shown are then
fetched by id (their ids are in the paths) and shown as context, so a reply never appears
without the comments it answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, func, select, tuple_
from sqlalchemy.orm import aliased, joinedload

from deliberate.accounts.models import Member
from deliberate.database import MemberId
from deliberate.debate.models import Comment, CommentRevision, path_ids, subtree_upper_bound
from deliberate.debate.permissions import can_moderate
from deliberate.errors import ValidationError
from deliberate.extensions import db
from deliberate.routing import MAX_ID, page_number, whole_number
from deliberate.subjects import ParagraphScope, Subject
from deliberate.tendencies.models import Tendency


class ThreadOrder(StrEnum):
    OLDEST = "oldest"
    NEWEST = "newest"


@dataclass(frozen=True)
class ThreadFilter:
    """What part of a thread to show: by tendency, by paragraph, in which order, which page."""

    tendency_id: int | None = None
    paragraph: int | None = None
    order: ThreadOrder = ThreadOrder.OLDEST
    page: int = 1

    @property
    def is_filtered(self) -> bool:
        return self.tendency_id is not None or self.paragraph is not None

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments for this filter with `changes` applied (for links)."""
        values: dict[str, Any] = {
            "tendency": self.tendency_id,
            "paragraph": self.paragraph,
            "order": self.order.value if self.order != ThreadOrder.OLDEST else None,
            "page": self.page if self.page != 1 else None,
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value is not None}


def _positive(raw: str | None, what: str, upper: int) -> int | None:
    return whole_number(raw, what, upper) if raw else None


def parse_filter(args: Any) -> ThreadFilter:
    """A ThreadFilter from query-string arguments; ValidationError for malformed ones."""
    order_raw = args.get("order") or ThreadOrder.OLDEST.value
    try:
        order = ThreadOrder(order_raw)
    except ValueError:
        raise ValidationError("Order must be “oldest” or “newest”.") from None
    return ThreadFilter(
        tendency_id=_positive(args.get("tendency"), "The tendency", MAX_ID),
        paragraph=_positive(args.get("paragraph"), "The paragraph", 100_000),
        order=order,
        page=page_number(args),
    )


@dataclass(slots=True, eq=False)
class CommentView:
    """One comment as a page shows it."""

    id: int
    parent_id: int | None
    root_id: int
    depth: int
    path: str
    paragraph: int | None
    anchor_version: int | None
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    revision_count: int
    reply_count: int
    deleted: bool
    hidden: bool
    hidden_reason: str | None
    author_id: int
    author_name: str
    tendency_id: int | None
    tendency_name: str | None
    show_text: bool
    context: bool = False
    children: list[CommentView] = field(default_factory=list)


@dataclass(frozen=True)
class TendencyCount:
    tendency_id: int | None
    name: str
    count: int


@dataclass
class ThreadView:
    """A page of a thread (or of one comment's subtree), ready for `debate/_thread.html`."""

    subject: Subject
    comments: list[CommentView]
    filter: ThreadFilter
    has_more: bool
    page_size: int
    max_indent: int
    is_moderator: bool
    total: int = 0
    tendency_counts: list[TendencyCount] = field(default_factory=list)
    paragraph_counts: dict[int, int] = field(default_factory=dict)
    base_depth: int = 0
    focus_id: int | None = None
    ancestors: list[CommentView] = field(default_factory=list)
    scope: ParagraphScope | None = None

    @property
    def can_post(self) -> bool:
        return self.subject.is_open

    @property
    def indent_limit(self) -> int:
        """Comments at this depth show "continue this thread" instead of their replies."""
        return self.base_depth + self.max_indent


_COLUMNS = (
    Comment.id,
    Comment.parent_id,
    Comment.root_id,
    Comment.depth,
    Comment.path,
    Comment.paragraph,
    Comment.anchor_version,
    Comment.body_html,
    Comment.created_at,
    Comment.edited_at,
    Comment.revision_count,
    Comment.reply_count,
    Comment.deleted_at,
    Comment.hidden_at,
    Comment.hidden_reason,
    Comment.author_id,
    Member.display_name,
    Comment.author_tendency_id,
    Tendency.name,
)


def _rows() -> Select[Any]:
    return (
        select(*_COLUMNS)
        .join(Member, Member.id == Comment.author_id)
        .outerjoin(Tendency, Tendency.id == Comment.author_tendency_id)
    )


def in_thread(subject: Subject) -> ColumnElement[bool]:
    return (Comment.subject_type == subject.type.value) & (Comment.subject_id == subject.id)


def _view(row: Row[Any], viewer: Member, moderator: bool, context: bool = False) -> CommentView:
    (
        comment_id,
        parent_id,
        root_id,
        depth,
        path,
        paragraph,
        anchor_version,
        body_html,
        created_at,
        edited_at,
        revision_count,
        reply_count,
        deleted_at,
        hidden_at,
        hidden_reason,
        author_id,
        author_name,
        tendency_id,
        tendency_name,
    ) = row
    deleted = deleted_at is not None
    hidden = hidden_at is not None
    show_text = not deleted and (not hidden or moderator or author_id == viewer.id)
    return CommentView(
        comment_id,
        parent_id,
        root_id,
        depth,
        path,
        paragraph,
        anchor_version,
        body_html if show_text else "",
        created_at,
        edited_at,
        revision_count,
        reply_count,
        deleted,
        hidden,
        hidden_reason,
        author_id,
        author_name,
        tendency_id,
        tendency_name,
        show_text,
        context,
    )


def _sort_key(order: ThreadOrder) -> Callable[[CommentView], tuple[int, str] | str]:
    if order == ThreadOrder.NEWEST:
        return lambda c: (-c.root_id, c.path)
    return lambda c: c.path


def _tree(views: Iterable[CommentView], order: ThreadOrder) -> list[CommentView]:
    """Link comments to their parents; those whose parent is absent are the tops."""
    ordered = sorted(views, key=_sort_key(order))
    by_id = {c.id: c for c in ordered}
    tops: list[CommentView] = []
    for comment in ordered:
        parent = by_id.get(comment.parent_id) if comment.parent_id is not None else None
        if parent is None:
            tops.append(comment)
        else:
            parent.children.append(comment)
    return tops


def _context(
    page: Sequence[CommentView], viewer: Member, moderator: bool, stop_depth: int = 0
) -> list[CommentView]:
    """The ancestors (at `stop_depth` or deeper) of the page's comments that are not on it.

    Runs its query even when none is missing, so that the number of queries of a page
    depends on the request only, never on the data.
    """
    shown = {c.id for c in page}
    missing: set[int] = set()
    for comment in page:
        for ancestor_id in path_ids(comment.path)[stop_depth:-1]:
            if ancestor_id not in shown:
                missing.add(ancestor_id)
    rows = db.session.execute(_rows().where(Comment.id.in_(sorted(missing)))).all()
    return [_view(row, viewer, moderator, context=True) for row in rows]


def _page(
    query: Select[Any], order: ThreadOrder, page: int, size: int, viewer: Member, moderator: bool
) -> tuple[list[CommentView], bool]:
    if order == ThreadOrder.NEWEST:
        query = query.order_by(Comment.root_id.desc(), Comment.path)
    else:
        query = query.order_by(Comment.path)
    rows = db.session.execute(query.limit(size + 1).offset((page - 1) * size)).all()
    views = [_view(row, viewer, moderator) for row in rows[:size]]
    return views, len(rows) > size


def anchored_to(paragraph: int, scope: ParagraphScope | None) -> ColumnElement[bool]:
    """Comments pointing to ¶`paragraph` of the current version, or to what it was in an
    earlier version (numbers of earlier versions may name other text, so they are followed)."""
    if scope is None:
        return Comment.paragraph == paragraph
    pairs = scope.pairs_now(paragraph, unchanged_only=False)
    return tuple_(Comment.anchor_version, Comment.paragraph).in_(pairs)


def _now(scope: ParagraphScope | None, version: int | None, paragraph: int) -> tuple[int, bool]:
    """Where a comment's paragraph is in the current version, and whether unchanged; (0,
    False) when it has no place there."""
    if scope is None:
        return paragraph, True
    return scope.follow(version, paragraph) or (0, False)


def _counts(
    subject: Subject, scope: ParagraphScope | None
) -> tuple[int, list[TendencyCount], dict[int, int]]:
    """Total comments, comments per author tendency and per paragraph of the current version,
    in one query."""
    rows = db.session.execute(
        select(
            Comment.author_tendency_id,
            Tendency.name,
            Comment.paragraph,
            Comment.anchor_version,
            func.count(),
        )
        .outerjoin(Tendency, Tendency.id == Comment.author_tendency_id)
        .where(in_thread(subject))
        .group_by(
            Comment.author_tendency_id, Tendency.name, Comment.paragraph, Comment.anchor_version
        )
    ).all()
    total = 0
    by_tendency: dict[int | None, list[Any]] = {}
    by_paragraph: dict[int, int] = {}
    for tendency_id, name, paragraph, version, count in rows:
        total += count
        entry = by_tendency.setdefault(tendency_id, [name or "No tendency", 0])
        entry[1] += count
        now = _now(scope, version, paragraph)[0] if paragraph is not None else 0
        if now:
            by_paragraph[now] = by_paragraph.get(now, 0) + count
    tendency_counts = sorted(
        (TendencyCount(tid, name, count) for tid, (name, count) in by_tendency.items()),
        key=lambda t: (t.tendency_id is None, t.name),
    )
    return total, tendency_counts, dict(sorted(by_paragraph.items()))


def thread_page(
    subject: Subject,
    viewer: Member,
    thread_filter: ThreadFilter,
    *,
    page_size: int,
    max_indent: int,
) -> ThreadView:
    """One page of a thread, filtered and ordered, as a tree with context ancestors.

    A fixed number of queries whatever the thread's size: the page, its missing ancestors
    (only when some are missing), and the counts.
    """
    moderator = can_moderate(viewer)
    scope = subject.paragraphs()
    query = _rows().where(in_thread(subject), Comment.depth <= max_indent)
    if thread_filter.tendency_id is not None:
        query = query.where(Comment.author_tendency_id == thread_filter.tendency_id)
    if thread_filter.paragraph is not None:
        query = query.where(anchored_to(thread_filter.paragraph, scope))
    views, has_more = _page(
        query, thread_filter.order, thread_filter.page, page_size, viewer, moderator
    )
    # The first page of the whole thread starts with a top-level comment and lacks nothing;
    # a later page or a filtered one may lack the comments its replies answer.
    needs_context = thread_filter.page > 1 or thread_filter.is_filtered
    context = _context(views, viewer, moderator) if needs_context else []
    total, tendency_counts, paragraph_counts = _counts(subject, scope)
    return ThreadView(
        subject=subject,
        comments=_tree([*views, *context], thread_filter.order),
        filter=thread_filter,
        has_more=has_more,
        page_size=page_size,
        max_indent=max_indent,
        is_moderator=moderator,
        total=total,
        tendency_counts=tendency_counts,
        paragraph_counts=paragraph_counts,
        scope=scope,
    )


def subtree_page(
    subject: Subject,
    comment: Comment,
    viewer: Member,
    *,
    page: int,
    page_size: int,
    max_indent: int,
) -> ThreadView:
    """A comment with its replies (to `max_indent` more levels) and its ancestors above."""
    moderator = can_moderate(viewer)
    query = _rows().where(
        in_thread(subject),
        Comment.path >= comment.path,
        Comment.path < subtree_upper_bound(comment.path),
        Comment.depth <= comment.depth + max_indent,
    )
    views, has_more = _page(query, ThreadOrder.OLDEST, page, page_size, viewer, moderator)
    # Ancestors of the comment (shown above it) and, on later pages, the comments inside the
    # subtree that the page's first replies answer: one select.
    ancestor_ids = path_ids(comment.path)[:-1]
    needed = set(ancestor_ids)
    shown = {c.id for c in views}
    for view in views:
        needed.update(i for i in path_ids(view.path)[comment.depth : -1] if i not in shown)
    # Always one query (see _context), also for a top-level comment's first page.
    rows = db.session.execute(_rows().where(Comment.id.in_(sorted(needed)))).all()
    extra = {row[0]: _view(row, viewer, moderator, context=True) for row in rows}
    ancestors = [extra[i] for i in ancestor_ids if i in extra]
    inside = [v for i, v in extra.items() if i not in set(ancestor_ids)]
    return ThreadView(
        subject=subject,
        comments=_tree([*views, *inside], ThreadOrder.OLDEST),
        filter=ThreadFilter(page=page),
        has_more=has_more,
        page_size=page_size,
        max_indent=max_indent,
        is_moderator=moderator,
        base_depth=comment.depth,
        focus_id=comment.id,
        ancestors=ancestors,
        scope=subject.paragraphs(),
    )


def page_of(comment: Comment, *, page_size: int, max_indent: int) -> int | None:
    """The page of the unfiltered, oldest-first thread that shows `comment`.

    None when the comment is nested deeper than the thread page shows.
    """
    if comment.depth > max_indent:
        return None
    before = db.session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(
            Comment.subject_type == comment.subject_type,
            Comment.subject_id == comment.subject_id,
            Comment.depth <= max_indent,
            Comment.path < comment.path,
        )
    )
    return (before or 0) // page_size + 1


@dataclass
class ParagraphMargin:
    """The comments pointing to one paragraph: how many, and the latest few."""

    paragraph: int
    count: int
    latest: list[CommentView]
    earlier: int = 0  # comments on an earlier text of this paragraph


def paragraph_margin(
    subject: Subject, viewer: Member, *, latest: int = 2
) -> dict[int, ParagraphMargin]:
    """For each paragraph of the current version with comments: the count and the latest
    top-level comments. Two queries whatever the number of comments and paragraphs.
    """
    moderator = can_moderate(viewer)
    scope = subject.paragraphs()
    if scope is None:
        return {}
    current = Comment.anchor_version == scope.version_number
    if scope.earlier:
        current = current | tuple_(Comment.anchor_version, Comment.paragraph).in_(
            scope.pairs_now(unchanged_only=False)
        )
    counted = db.session.execute(
        select(Comment.anchor_version, Comment.paragraph, func.count())
        .where(in_thread(subject), Comment.paragraph.is_not(None), current)
        .group_by(Comment.anchor_version, Comment.paragraph)
    ).tuples()
    counts: dict[int, int] = {}
    earlier: dict[int, int] = {}
    for version, paragraph, n in counted:
        # The query leaves out comments without a paragraph; the test says so to mypy.
        if paragraph is None:
            continue
        now, unchanged = _now(scope, version, paragraph)
        if now:
            tally = counts if unchanged else earlier
            tally[now] = tally.get(now, 0) + n
    ranked = (
        select(
            Comment.id.label("comment_id"),
            func.row_number()
            .over(
                partition_by=(Comment.anchor_version, Comment.paragraph),
                order_by=Comment.id.desc(),
            )
            .label("rank"),
        )
        .where(
            in_thread(subject),
            Comment.paragraph.is_not(None),
            current,
            Comment.depth == 0,
            Comment.deleted_at.is_(None),
            Comment.hidden_at.is_(None),
        )
        .subquery()
    )
    rows = db.session.execute(
        _rows()
        .join(ranked, ranked.c.comment_id == Comment.id)
        .where(ranked.c.rank <= latest)
        .order_by(Comment.paragraph, Comment.id.desc())
    ).all()
    margins = {
        p: ParagraphMargin(p, counts.get(p, 0), [], earlier.get(p, 0))
        for p in sorted({*counts, *earlier})
    }
    for row in rows:
        view = _view(row, viewer, moderator)
        now, unchanged = _now(scope, view.anchor_version, view.paragraph or 0)
        if unchanged and now in margins:
            margins[now].latest.append(view)
    for margin in margins.values():
        margin.latest = sorted(margin.latest, key=lambda v: v.id, reverse=True)[:latest]
    return margins


def comment_detail(comment_id: int) -> Comment | None:
    """A comment with its author and the author's tendency at the time loaded."""
    return db.session.scalar(
        select(Comment)
        .options(joinedload(Comment.author), joinedload(Comment.author_tendency))
        .where(Comment.id == comment_id)
    )


def revisions(comment: Comment) -> list[CommentRevision]:
    """Every version of a comment's text, newest first."""
    return list(
        db.session.scalars(
            select(CommentRevision)
            .where(CommentRevision.comment_id == comment.id)
            .order_by(CommentRevision.number.desc())
        )
    )


# --- what waits for a member ("needs you", deliberate/main/needs.py) ---------------------------


def has_spoken(member_id: MemberId, subject_type: str) -> Callable[[Any], ColumnElement[bool]]:
    """`spoken(subject id column)`: whether the member has posted in that subject's thread,
    for another domain's query (an evaluation the member has not yet debated)."""

    def spoken(subject_id: Any) -> ColumnElement[bool]:
        return (
            select(Comment.id)
            .where(
                Comment.subject_type == subject_type,
                Comment.subject_id == subject_id,
                Comment.author_id == member_id,
            )
            .exists()
        )

    return spoken


def replies_waiting(member_id: MemberId) -> Select[Any]:
    """Replies to the member's comments posted since the member last posted in that thread:
    (reply id, replier's name, the reply's Markdown, subject type, posted at), newest first.

    Answering anywhere in the thread answers them: nothing is written when a page is read.
    Hidden and deleted replies are left out, as are replies to a comment the member deleted;
    every thread that holds comments is readable by every active member (a position paper
    opens its debate only once published, and stays public afterwards).
    """
    mine = aliased(Comment)
    later = aliased(Comment)
    answered = (
        select(later.id)
        .where(
            later.author_id == member_id,
            later.subject_type == Comment.subject_type,
            later.subject_id == Comment.subject_id,
            later.created_at > Comment.created_at,
        )
        .exists()
    )
    return (
        select(
            Comment.id,
            Member.display_name,
            Comment.body_markdown,
            Comment.subject_type,
            Comment.created_at,
        )
        .join(mine, mine.id == Comment.parent_id)
        .join(Member, Member.id == Comment.author_id)
        .where(
            mine.author_id == member_id,
            mine.deleted_at.is_(None),
            Comment.author_id != member_id,
            Comment.deleted_at.is_(None),
            Comment.hidden_at.is_(None),
            ~answered,
        )
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )
