"""Comment and CommentRevision: threaded debate stored for one-query page loads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deliberate.accounts.models import Member
from deliberate.database import Base, UTCDateTime, enum_check, immutable_rows, utcnow
from deliberate.subjects import SubjectType
from deliberate.tendencies.models import Tendency

# Ids in a comment's path are zero-padded to this width so that sorting paths as strings
# sorts the thread depth-first in posting order.
PATH_DIGITS = 10
PATH_SEGMENT = PATH_DIGITS + 1
MAX_DEPTH = 60  # replies nest at most this deep (the path column holds 61 segments)


def path_segment(comment_id: int) -> str:
    return f"{comment_id:0{PATH_DIGITS}d}/"


def path_ids(path: str) -> list[int]:
    """The ids of a path, root first (the comment itself last)."""
    return [int(segment) for segment in path.split("/") if segment]


def subtree_upper_bound(path: str) -> str:
    """The smallest string above every path that starts with `path` ('/' sorts below '0')."""
    return path[:-1] + "0"


class Comment(Base):
    """One comment in the thread (subject_type, subject_id).

    `path` is the materialized path of ids from the thread's top-level comment down to this
    one ("0000000012/0000000034/"), `root_id` the top-level comment's id and `depth` the
    number of ancestors, so that a page of a thread, a subtree or a comment's ancestors are
    each one indexed query. The current text is stored here (as Markdown and as sanitized
    HTML); every version, the first included, is also a CommentRevision.
    """

    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint(enum_check("subject_type", SubjectType), name="subject_type_known"),
        CheckConstraint(f"depth >= 0 AND depth <= {MAX_DEPTH}", name="depth_range"),
        CheckConstraint(
            "(parent_id IS NULL AND depth = 0) OR (parent_id IS NOT NULL AND depth > 0)",
            name="parent_depth",
        ),
        CheckConstraint("paragraph IS NULL OR paragraph >= 1", name="paragraph_positive"),
        CheckConstraint(
            "hidden_at IS NULL OR (hidden_reason IS NOT NULL AND hidden_by_id IS NOT NULL)",
            name="hidden_has_reason",
        ),
        CheckConstraint("reply_count >= 0", name="reply_count_positive"),
        CheckConstraint("revision_count >= 1", name="revision_count_positive"),
        Index("ix_comments_thread_path", "subject_type", "subject_id", "path"),
        Index("ix_comments_thread_root", "subject_type", "subject_id", "root_id"),
        Index("ix_comments_parent_id", "parent_id"),
        Index("ix_comments_author_id", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    root_id: Mapped[int] = mapped_column(default=0)
    depth: Mapped[int] = mapped_column(default=0)
    path: Mapped[str] = mapped_column(String(PATH_SEGMENT * (MAX_DEPTH + 1)), default="")
    # The paragraph (¶n of version `anchor_version`) a comment points to; replies inherit it.
    paragraph: Mapped[int | None]
    anchor_version: Mapped[int | None]
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    # The author's tendency when the comment was posted: the record keeps what was true then.
    author_tendency_id: Mapped[int | None] = mapped_column(ForeignKey("tendencies.id"))
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revision_count: Mapped[int] = mapped_column(default=1)
    reply_count: Mapped[int] = mapped_column(default=0)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    hidden_reason: Mapped[str | None] = mapped_column(String(500))

    author: Mapped[Member] = relationship(foreign_keys=[author_id], lazy="raise_on_sql")
    author_tendency: Mapped[Tendency | None] = relationship(lazy="raise_on_sql")

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None

    def __repr__(self) -> str:
        return f"<Comment {self.id} on {self.subject_type} {self.subject_id}>"


@immutable_rows
class CommentRevision(Base):
    """One version of a comment's text, never changed; number 1 is the text as posted."""

    __tablename__ = "comment_revisions"
    __table_args__ = (UniqueConstraint("comment_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"))
    number: Mapped[int]
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def thread_stamp(subject_type: str, subject_id: int) -> str:
    """The stamp of a subject's comments (deliberate/fragments.py)."""
    return f"thread:{subject_type}:{subject_id}"
