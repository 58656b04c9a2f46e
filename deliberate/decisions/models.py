"""Decision records, their statements' revisions, members' commitments and registered
disagreements, minority reports, evaluations, and the archive's chain of links.

A record is written by conveners until it is sealed; from then on nothing of it changes, and
the database itself refuses updates and deletes of sealed rows (triggers installed with the
tables, see `deliberate.decisions.schema`). What members and tendencies add afterwards
(commitment entries, minority reports) and the evaluation are appended, and each is chained.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deliberate.accounts.models import Member
from deliberate.database import Base, UTCDateTime, enum_check, immutable_rows, utcnow
from deliberate.decisions import schema
from deliberate.enums import Worded
from deliberate.tendencies.models import Tendency


class RecordState(StrEnum):
    DRAFTING = "drafting"
    SEALED = "sealed"


class Verdict(Worded):
    ACHIEVED = "achieved"
    PARTLY = "partly_achieved"
    NOT_ACHIEVED = "not_achieved"
    ABANDONED = "abandoned"


class BorneOut(Worded):
    YES = "borne_out"
    PARTLY = "partly_borne_out"
    NO = "not_borne_out"


class LinkKind(StrEnum):
    VOTE = "vote"
    RECORD = "record"
    COMMITMENT = "commitment"
    MINORITY_REPORT = "minority_report"
    EVALUATION = "evaluation"


class DecisionRecord(Base):
    """What a closed vote decided, with the statements conveners write and seal.

    Made in the vote's closing transaction (one per vote: `vote_id` is unique). The adopted
    text, when the vote adopted a draft, is the version it produced (`version_id`). A
    situational objective carries its validity period and evaluation date.
    """

    __tablename__ = "decision_records"
    __table_args__ = (
        CheckConstraint(enum_check("state", RecordState), name="state_known"),
        CheckConstraint(
            "state = 'drafting' OR (sealed_at IS NOT NULL AND sealed_by_id IS NOT NULL)",
            name="sealed_has_seal",
        ),
        CheckConstraint(
            "valid_from IS NULL OR valid_until IS NULL OR valid_until >= valid_from",
            name="validity_ordered",
        ),
        CheckConstraint("revision >= 0", name="revision_not_negative"),
        Index("ix_decision_records_state_evaluation", "state", "evaluation_date"),
        # The archive lists records of one state newest first: read in this order, a page is
        # its twenty rows, not a sort of the whole archive.
        Index("ix_decision_records_state_decided", "state", "decided_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    # "question", "election", or the kind of the draft adopted ("situational_objective"…).
    kind: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str | None] = mapped_column(String(20))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("draft_versions.id"))
    adopted: Mapped[bool | None] = mapped_column(Boolean)
    outcome_summary: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(16), default=RecordState.DRAFTING)
    # How many times conveners wrote the statements (0: not yet); see RecordRevision.
    revision: Mapped[int] = mapped_column(default=0)
    outcome_markdown: Mapped[str] = mapped_column(Text, default="")
    outcome_html: Mapped[str] = mapped_column(Text, default="")
    unity_markdown: Mapped[str] = mapped_column(Text, default="")
    unity_html: Mapped[str] = mapped_column(Text, default="")
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    evaluation_date: Mapped[date | None] = mapped_column(Date)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sealed_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    sealed_by: Mapped[Member | None] = relationship(lazy="raise_on_sql")

    @property
    def is_sealed(self) -> bool:
        return self.state == RecordState.SEALED

    @property
    def kind_label(self) -> str:
        return self.kind.replace("_", " ")

    def is_evaluation_due(self, today: date) -> bool:
        return self.is_sealed and self.evaluation_date is not None and self.evaluation_date <= today


@immutable_rows
class RecordRevision(Base):
    """One version of a record's statements and dates, as a convener wrote them."""

    __tablename__ = "decision_record_revisions"
    __table_args__ = (UniqueConstraint("record_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("decision_records.id"))
    number: Mapped[int]
    outcome_markdown: Mapped[str] = mapped_column(Text)
    unity_markdown: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    evaluation_date: Mapped[date | None] = mapped_column(Date)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    written_by: Mapped[Member | None] = relationship(lazy="raise_on_sql")


class Commitment(Base):
    """A member's current entry on a sealed record: commitment, registered disagreement, or
    both. `revision` counts the member's entries; every entry is kept in `CommitmentEntry`.
    The tendency is the member's at the moment of the entry."""

    __tablename__ = "commitments"
    __table_args__ = (
        CheckConstraint(
            "commits OR disagreement_markdown IS NOT NULL", name="commits_or_disagrees"
        ),
        Index("ix_commitments_record_tendency", "record_id", "tendency_id"),
    )

    record_id: Mapped[int] = mapped_column(ForeignKey("decision_records.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True, index=True)
    commits: Mapped[bool] = mapped_column(Boolean)
    disagreement_markdown: Mapped[str | None] = mapped_column(Text)
    disagreement_html: Mapped[str | None] = mapped_column(Text)
    tendency_id: Mapped[int | None] = mapped_column(ForeignKey("tendencies.id"))
    revision: Mapped[int] = mapped_column(default=1)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    member: Mapped[Member] = relationship(lazy="raise_on_sql")
    tendency: Mapped[Tendency | None] = relationship(lazy="raise_on_sql")

    @property
    def disagrees(self) -> bool:
        return self.disagreement_markdown is not None


@immutable_rows
class CommitmentEntry(Base):
    """One entry of a member's on a record, never changed: the history of `Commitment`."""

    __tablename__ = "commitment_entries"
    __table_args__ = (UniqueConstraint("record_id", "member_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("decision_records.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    revision: Mapped[int]
    commits: Mapped[bool] = mapped_column(Boolean)
    disagreement_markdown: Mapped[str | None] = mapped_column(Text)
    disagreement_html: Mapped[str | None] = mapped_column(Text)
    tendency_id: Mapped[int | None] = mapped_column(ForeignKey("tendencies.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@immutable_rows
class MinorityReport(Base):
    """A tendency's published position paper attached to a sealed record as its dissent."""

    __tablename__ = "minority_reports"
    __table_args__ = (UniqueConstraint("record_id", "paper_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("decision_records.id"), index=True)
    tendency_id: Mapped[int] = mapped_column(ForeignKey("tendencies.id"))
    paper_id: Mapped[int] = mapped_column(ForeignKey("position_papers.id"))
    paper_revision: Mapped[int]
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attached_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))

    tendency: Mapped[Tendency] = relationship(lazy="raise_on_sql")


class Evaluation(Base):
    """The organization's assessment of a record once its evaluation date has come: opened
    by a convener, written and revised until sealed, then chained like the record."""

    __tablename__ = "evaluations"
    __table_args__ = (
        CheckConstraint(
            "verdict IS NULL OR " + enum_check("verdict", Verdict), name="verdict_known"
        ),
        CheckConstraint(
            "sealed_at IS NULL OR (verdict IS NOT NULL AND sealed_by_id IS NOT NULL)",
            name="sealed_has_verdict",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("decision_records.id"), unique=True)
    verdict: Mapped[str | None] = mapped_column(String(20))
    assessment_markdown: Mapped[str] = mapped_column(Text, default="")
    assessment_html: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    sealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sealed_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    @property
    def is_sealed(self) -> bool:
        return self.sealed_at is not None

    @property
    def verdict_label(self) -> str:
        return Verdict(self.verdict).label if self.verdict else "not yet given"


class DissentAssessment(Base):
    """Whether events bore out one registered disagreement (a member's, at the entry the
    evaluation found) or one minority report, with the evaluators' comment."""

    __tablename__ = "dissent_assessments"
    __table_args__ = (
        CheckConstraint(enum_check("borne_out", BorneOut), name="borne_out_known"),
        CheckConstraint("(member_id IS NULL) != (minority_report_id IS NULL)", name="one_dissent"),
        UniqueConstraint("evaluation_id", "member_id"),
        UniqueConstraint("evaluation_id", "minority_report_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    entry_revision: Mapped[int | None] = mapped_column(Integer)
    minority_report_id: Mapped[int | None] = mapped_column(ForeignKey("minority_reports.id"))
    borne_out: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")


@immutable_rows
class ArchiveLink(Base):
    """One link of the archive's chain (see `deliberate.decisions.chain`).

    A closed vote's link names the vote (`vote_id`) and no record; every other link names the
    record it belongs to. `format` says how its content was built (`ledger.CONTENT_FORMAT`):
    links made before votes were chained are format 1, and keep being checked as such.
    """

    __tablename__ = "archive_links"
    __table_args__ = (
        CheckConstraint(enum_check("kind", LinkKind), name="kind_known"),
        CheckConstraint("position >= 1", name="position_positive"),
        CheckConstraint(
            "(kind = 'vote' AND vote_id IS NOT NULL) OR (kind != 'vote' AND record_id IS NOT NULL)",
            name="names_what_it_vouches_for",
        ),
        CheckConstraint("format >= 1", name="format_positive"),
        Index("ix_archive_links_record_id", "record_id"),
        Index("ix_archive_links_vote_id", "vote_id"),
    )

    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("decision_records.id"))
    vote_id: Mapped[int | None] = mapped_column(ForeignKey("votes.id"))
    # The row the link vouches for: a commitment entry, minority report or evaluation.
    entry_id: Mapped[int | None] = mapped_column(Integer)
    format: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    content_hash: Mapped[str] = mapped_column(String(64))
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ArchiveSecret(Base):
    """The archive's own key and boundary, one row, made when the chain first needs it.

    `member_key` keys the references that stand for members in the chain's contents (an HMAC
    of the record and the member's id): published, they cannot be turned back into ids by
    trying each one without this key, which never leaves the database. It is not the app's
    SECRET_KEY, which may rotate: the references must stay the same for as long as the chain.
    `votes_chained_after`: votes up to this id may have closed before closed votes were
    chained (an archive upgraded from format 1); every later closed vote has its link.
    """

    __tablename__ = "archive_secrets"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    member_key: Mapped[str] = mapped_column(String(64))
    votes_chained_after: Mapped[int] = mapped_column(Integer, default=0)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ArchiveText(Base):
    """A searchable text of a record: its statements, one registered disagreement, one
    minority report, its evaluation. The database's own full-text index covers these rows
    (SQLite FTS5, PostgreSQL tsvector with GIN; see `deliberate.decisions.search`)."""

    __tablename__ = "archive_texts"
    __table_args__ = (UniqueConstraint("record_id", "source", "source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("decision_records.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    source_key: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")


schema.listen(Base.metadata)
