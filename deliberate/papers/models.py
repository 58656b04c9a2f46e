"""PositionPaper, its immutable PaperRevisions and its PaperSignatures."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    text,
)
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from deliberate.accounts.models import Member
from deliberate.database import Base, UTCDateTime, enum_check, immutable_rows, utcnow
from deliberate.subjects import PAPER_SUBJECT_TYPES
from deliberate.tendencies.models import Tendency


class PaperState(StrEnum):
    DRAFTING = "drafting"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


# Being drafted or published: the tendency may still revise or withdraw the paper.
LIVE_PAPER_STATES = frozenset({PaperState.DRAFTING, PaperState.PUBLISHED})


@immutable_rows
class PaperRevision(Base):
    """One version of a paper's title and body; never changed once written."""

    __tablename__ = "paper_revisions"
    __table_args__ = (
        UniqueConstraint("paper_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("position_papers.id"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))

    created_by: Mapped[Member] = relationship(lazy="raise_on_sql")


class PositionPaper(Base):
    """A tendency's statement on a subject (draft, amendment or vote).

    The paper points to its current revision by number. Revisions written while the paper
    was being drafted are the tendency's working copies; from `first_public_revision` on,
    every revision is public. At most one paper per tendency and subject is published at a
    time (a partial unique index); publishing another supersedes it.
    """

    __tablename__ = "position_papers"
    __table_args__ = (
        Index(
            "uq_position_papers_current",
            "tendency_id",
            "subject_type",
            "subject_id",
            unique=True,
            sqlite_where=text("state = 'published'"),
            postgresql_where=text("state = 'published'"),
        ),
        Index("ix_position_papers_subject", "subject_type", "subject_id"),
        Index("ix_position_papers_tendency_id", "tendency_id"),
        CheckConstraint(enum_check("state", PaperState), name="state_known"),
        CheckConstraint(enum_check("subject_type", PAPER_SUBJECT_TYPES), name="subject_type_known"),
        CheckConstraint("current_revision >= 1", name="current_revision_positive"),
        CheckConstraint(
            "state = 'drafting' OR (published_at IS NOT NULL AND first_public_revision IS NOT NULL)"
            " OR state = 'withdrawn'",
            name="published_has_date",
        ),
        CheckConstraint(
            "state <> 'superseded' OR superseded_by_id IS NOT NULL", name="superseded_has_successor"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tendency_id: Mapped[int] = mapped_column(ForeignKey("tendencies.id"))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int]
    state: Mapped[str] = mapped_column(String(16), default=PaperState.DRAFTING)
    # The current revision's title, kept here so lists need no join.
    title: Mapped[str] = mapped_column(String(200))
    current_revision: Mapped[int] = mapped_column(default=1)
    first_public_revision: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("position_papers.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    tendency: Mapped[Tendency] = relationship(lazy="raise_on_sql")
    revision: Mapped[PaperRevision] = relationship(
        primaryjoin=lambda: and_(
            foreign(PaperRevision.paper_id) == PositionPaper.id,
            PaperRevision.number == PositionPaper.current_revision,
        ),
        viewonly=True,
        uselist=False,
        lazy="raise_on_sql",
    )

    @property
    def is_published(self) -> bool:
        return self.state == PaperState.PUBLISHED

    @property
    def is_drafting(self) -> bool:
        return self.state == PaperState.DRAFTING

    @property
    def is_superseded(self) -> bool:
        return self.state == PaperState.SUPERSEDED

    @property
    def is_withdrawn(self) -> bool:
        return self.state == PaperState.WITHDRAWN

    @property
    def is_live(self) -> bool:
        """Its state lets the tendency revise or withdraw it (who may is checked apart)."""
        return self.state in LIVE_PAPER_STATES

    @property
    def has_been_public(self) -> bool:
        return self.first_public_revision is not None

    def __repr__(self) -> str:
        return f"<PositionPaper {self.id} {self.state}>"


class PaperSignature(Base):
    """A member of the paper's tendency signs it; `revision` is the text they signed."""

    __tablename__ = "paper_signatures"
    __table_args__ = (
        UniqueConstraint("paper_id", "member_id"),
        Index("ix_paper_signatures_member_id", "member_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("position_papers.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    revision: Mapped[int]
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    member: Mapped[Member] = relationship(lazy="raise_on_sql")


# Papers change seldom (written, published, signed): one stamp of the page cache covers them
# all (papers/watches.py).
PAPERS_STAMP = "papers"
