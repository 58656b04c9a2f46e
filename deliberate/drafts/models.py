"""Drafts, their immutable versions and paragraphs, amendments, seconds, sponsors and groups."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from deliberate.accounts.models import Member
from deliberate.database import Base, UTCDateTime, enum_check, immutable_rows, utcnow
from deliberate.drafts import rules
from deliberate.drafts.rules import AMENDMENT_STATE_LABELS, AmendmentState, DraftState
from deliberate.enums import Worded
from deliberate.tendencies.models import Tendency


class DraftKind(Worded):
    POLITICAL_LINE = "political_line"
    PROGRAM = "program"
    SITUATIONAL_OBJECTIVE = "situational_objective"
    RESOLUTION = "resolution"
    STATEMENT = "statement"
    BYLAWS_CHANGE = "bylaws_change"


class AmendmentKind(StrEnum):
    REPLACE = "replace"
    INSERT_AFTER = "insert_after"
    DELETE = "delete"
    SUBSTITUTE = "substitute"


class Draft(Base):
    __tablename__ = "drafts"
    __table_args__ = (
        CheckConstraint(enum_check("kind", DraftKind), name="kind_known"),
        CheckConstraint(enum_check("state", DraftState), name="state_known"),
        CheckConstraint("current_version_number >= 1", name="version_positive"),
        CheckConstraint("next_amendment_number >= 1", name="amendment_counter_positive"),
        CheckConstraint("line_width >= 20", name="line_width_sane"),
        CheckConstraint("seconds_required >= 0", name="seconds_required_not_negative"),
        CheckConstraint(
            "state != 'amendments_open' OR amendment_deadline_at IS NOT NULL",
            name="open_window_has_deadline",
        ),
        CheckConstraint(
            "valid_from IS NULL OR valid_until IS NULL OR valid_until >= valid_from",
            name="validity_ordered",
        ),
        CheckConstraint(
            "kind != 'situational_objective' OR (valid_from IS NOT NULL "
            "AND valid_until IS NOT NULL AND evaluation_date IS NOT NULL)",
            name="objective_has_period",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(24), default=DraftState.DRAFTING, index=True)
    # The current version is (id, current_version_number) in draft_versions. Kept as a number,
    # not a foreign key, so the two tables do not reference each other; merges advance it
    # with a conditional UPDATE and draft_versions holds (draft_id, number) unique.
    current_version_number: Mapped[int] = mapped_column(Integer, default=1)
    next_amendment_number: Mapped[int] = mapped_column(Integer, default=1)
    # The organization's rules when the draft was created, kept for its whole process:
    # characters per numbered line, and seconders an amendment needs to be tabled.
    line_width: Mapped[int] = mapped_column(Integer, default=80)
    seconds_required: Mapped[int] = mapped_column(Integer, default=2)
    amendment_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when a convener closes the window before its deadline.
    amendments_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    evaluation_date: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    created_by: Mapped[Member | None] = relationship(lazy="raise_on_sql")
    current_version: Mapped[DraftVersion] = relationship(
        primaryjoin=lambda: and_(
            Draft.id == foreign(DraftVersion.draft_id),
            Draft.current_version_number == foreign(DraftVersion.number),
        ),
        viewonly=True,
        uselist=False,
        lazy="raise_on_sql",
    )

    @property
    def kind_label(self) -> str:
        return DraftKind(self.kind).label

    @property
    def state_label(self) -> str:
        return DraftState(self.state).label

    @property
    def is_final(self) -> bool:
        return self.state in rules.FINAL_DRAFT_STATES

    @property
    def is_window_open(self) -> bool:
        """In the amendments-open state. Its deadline may have passed before the window is
        closed; `window_closed_message` says whether members may still propose."""
        return self.state == DraftState.AMENDMENTS_OPEN

    @property
    def can_go_to_adoption_vote(self) -> bool:
        return self.state in rules.ADOPTION_VOTE_DRAFT_STATES

    @property
    def can_be_revised(self) -> bool:
        """Its state lets conveners revise the text directly (permissions are checked apart)."""
        return self.state in rules.REVISABLE_DRAFT_STATES

    def __repr__(self) -> str:
        return f"<Draft {self.id} {self.title!r}>"


class DraftConvener(Base):
    """A member named to convene one draft, beside the organization's conveners."""

    __tablename__ = "draft_conveners"
    __table_args__ = (UniqueConstraint("draft_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    member: Mapped[Member] = relationship(foreign_keys=[member_id], lazy="raise_on_sql")


@immutable_rows
class DraftVersion(Base):
    """One immutable text of a draft. Never updated: a change makes the next version."""

    __tablename__ = "draft_versions"
    __table_args__ = (
        UniqueConstraint("draft_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("paragraph_count >= 1", name="has_paragraphs"),
        CheckConstraint("line_width >= 20", name="line_width_sane"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # Line numbers are fixed when the version is made, so references stay valid forever.
    line_width: Mapped[int] = mapped_column(Integer)
    paragraph_count: Mapped[int] = mapped_column(Integer)
    line_count: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # What produced it: "first version", "merged amendments A3, A7", a convener's words.
    note: Mapped[str] = mapped_column(String(500), default="")

    draft: Mapped[Draft] = relationship(lazy="raise_on_sql")
    author: Mapped[Member | None] = relationship(lazy="raise_on_sql")
    paragraphs: Mapped[list[DraftParagraph]] = relationship(
        order_by="DraftParagraph.number", lazy="raise_on_sql", back_populates="version"
    )

    @property
    def label(self) -> str:
        return f"version {self.number}"


@immutable_rows
class DraftParagraph(Base):
    """Paragraph ¶number of a version, rendered and line-numbered once, at write time."""

    __tablename__ = "draft_paragraphs"
    __table_args__ = (
        UniqueConstraint("version_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("first_line >= 1 AND line_count >= 1", name="lines_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("draft_versions.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    markdown: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    # `html` with line-number markers inserted (sanitized HTML plus our own fixed markup).
    numbered_html: Mapped[str] = mapped_column(Text)
    first_line: Mapped[int] = mapped_column(Integer)
    line_count: Mapped[int] = mapped_column(Integer)

    version: Mapped[DraftVersion] = relationship(lazy="raise_on_sql", back_populates="paragraphs")

    @property
    def last_line(self) -> int:
        return self.first_line + self.line_count - 1


class CompetitionGroup(Base):
    """Amendments whose ranges overlap: they cannot all be merged and are decided together."""

    __tablename__ = "competition_groups"
    __table_args__ = (UniqueConstraint("draft_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def label(self) -> str:
        return f"competing group {self.number}"


class Amendment(Base):
    __tablename__ = "amendments"
    __table_args__ = (
        UniqueConstraint("draft_id", "number"),
        Index("ix_amendments_draft_id_state", "draft_id", "state"),
        CheckConstraint(enum_check("kind", AmendmentKind), name="kind_known"),
        CheckConstraint(enum_check("state", AmendmentState), name="state_known"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(
            "last_paragraph >= first_paragraph AND first_paragraph >= 0", name="range_ordered"
        ),
        CheckConstraint(
            "kind = 'insert_after' OR first_paragraph >= 1", name="range_starts_at_one"
        ),
        CheckConstraint(
            "kind != 'insert_after' OR first_paragraph = last_paragraph", name="insert_one_point"
        ),
        CheckConstraint("(kind = 'delete') = (new_text = '')", name="text_unless_delete"),
        CheckConstraint(
            "sponsor_confirmed_at IS NULL OR sponsor_tendency_id IS NOT NULL",
            name="confirmed_sponsor_named",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    # The version this amendment applies to; moved forward when it is carried over.
    version_id: Mapped[int] = mapped_column(ForeignKey("draft_versions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    # Paragraph range ¶first–¶last of that version; for insert_after both are the paragraph
    # after which the text goes (0: at the very beginning).
    first_paragraph: Mapped[int] = mapped_column(Integer)
    last_paragraph: Mapped[int] = mapped_column(Integer)
    new_text: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(String(200))
    rationale: Mapped[str] = mapped_column(Text)
    rationale_html: Mapped[str] = mapped_column(Text)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=AmendmentState.PROPOSED)
    competition_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("competition_groups.id", ondelete="SET NULL"), index=True
    )
    sponsor_tendency_id: Mapped[int | None] = mapped_column(ForeignKey("tendencies.id"))
    sponsor_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sponsor_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    merged_into_version_id: Mapped[int | None] = mapped_column(ForeignKey("draft_versions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    draft: Mapped[Draft] = relationship(lazy="raise_on_sql")
    version: Mapped[DraftVersion] = relationship(foreign_keys=[version_id], lazy="raise_on_sql")
    proposer: Mapped[Member] = relationship(foreign_keys=[proposer_id], lazy="raise_on_sql")
    competition_group: Mapped[CompetitionGroup | None] = relationship(lazy="raise_on_sql")
    sponsor_tendency: Mapped[Tendency | None] = relationship(lazy="raise_on_sql")

    @property
    def label(self) -> str:
        return f"A{self.number}"

    @property
    def state_label(self) -> str:
        return AMENDMENT_STATE_LABELS[self.state]

    # What its state allows; who may do it is for `permissions` and the services.

    @property
    def is_open(self) -> bool:
        return self.state in rules.OPEN_AMENDMENT_STATES

    @property
    def is_merged(self) -> bool:
        return self.state == AmendmentState.MERGED

    @property
    def needs_update(self) -> bool:
        return self.state == AmendmentState.NEEDS_UPDATE

    @property
    def can_be_seconded(self) -> bool:
        return self.state in rules.SECONDABLE_AMENDMENT_STATES

    @property
    def can_be_accepted(self) -> bool:
        return self.state in rules.ACCEPTABLE_AMENDMENT_STATES

    @property
    def can_be_ruled_out(self) -> bool:
        return self.state in rules.RULABLE_OUT_AMENDMENT_STATES

    @property
    def can_go_to_vote(self) -> bool:
        return self.state in rules.VOTABLE_AMENDMENT_STATES

    @property
    def sponsorship_can_change(self) -> bool:
        return self.state in rules.SPONSORABLE_AMENDMENT_STATES

    @property
    def sponsorship_confirmed(self) -> bool:
        return self.sponsor_confirmed_at is not None

    @property
    def range_label(self) -> str:
        """ "¶3–5", "after ¶4", "the whole text"."""
        if self.kind == AmendmentKind.SUBSTITUTE:
            return "the whole text"
        if self.kind == AmendmentKind.INSERT_AFTER:
            return (
                "at the beginning"
                if self.first_paragraph == 0
                else f"after ¶{self.first_paragraph}"
            )
        if self.first_paragraph == self.last_paragraph:
            return f"¶{self.first_paragraph}"
        return f"¶{self.first_paragraph}–{self.last_paragraph}"

    def __repr__(self) -> str:
        return f"<Amendment {self.draft_id}/A{self.number} {self.state}>"


class AmendmentSecond(Base):
    __tablename__ = "amendment_seconds"
    __table_args__ = (UniqueConstraint("amendment_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    member: Mapped[Member] = relationship(lazy="raise_on_sql")


class AmendmentCosponsor(Base):
    """A member of another tendency supporting a tendency-sponsored amendment."""

    __tablename__ = "amendment_cosponsors"
    __table_args__ = (UniqueConstraint("amendment_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    # The co-sponsor's tendency when they signed, as the record shows it.
    tendency_id: Mapped[int] = mapped_column(ForeignKey("tendencies.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    member: Mapped[Member] = relationship(lazy="raise_on_sql")
    tendency: Mapped[Tendency] = relationship(lazy="raise_on_sql")


@immutable_rows
class AmendmentEvent(Base):
    """One line of an amendment's history: who did what, when, and why. Append-only."""

    __tablename__ = "amendment_events"
    __table_args__ = (Index("ix_amendment_events_amendment_id", "amendment_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id", ondelete="CASCADE"))
    # Null when the system acted (a merge's carry-over, a vote's outcome).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[Member | None] = relationship(lazy="raise_on_sql")


# --- the names of the page cache's stamps (what touches them: drafts/watches.py) -----------


def stamp_of(draft_id: int) -> str:
    """The stamp of everything a draft's pages show of the draft itself: its versions, its
    conveners, its amendments with their seconds, co-sponsors, events and groups."""
    return f"draft:{draft_id}"


# The list of drafts with their amendment counts (the home page, the drafts index).
DRAFTS_STAMP = "drafts"
