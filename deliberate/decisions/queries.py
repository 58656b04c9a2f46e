"""Reading decision records: the record page's parts, the archive with its filters and search,
and what the home page tells members and conveners."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    and_,
    case,
    exists,
    func,
    or_,
    select,
    true,
)

from deliberate.accounts.models import Member, MemberStatus
from deliberate.database import MemberId
from deliberate.decisions import search
from deliberate.decisions.models import (
    ArchiveLink,
    BorneOut,
    Commitment,
    CommitmentEntry,
    DecisionRecord,
    DissentAssessment,
    Evaluation,
    MinorityReport,
    RecordRevision,
    RecordState,
)
from deliberate.drafts.models import Amendment, DraftVersion
from deliberate.extensions import db
from deliberate.papers.models import PaperRevision, PositionPaper
from deliberate.tendencies.models import Tendency

NO_TENDENCY = "No tendency"
OTHER_MEMBERS = "Other members"
ARCHIVE_PAGE = 20
DISSENT_PAGE = 50


def get_record(record_id: int) -> DecisionRecord | None:
    return db.session.get(DecisionRecord, record_id)


def record_and_entry(
    record_id: int, member_id: int | None
) -> tuple[DecisionRecord | None, Commitment | None]:
    """The record and the member's current entry on it (None for either that does not
    exist, or for no member), in one query."""
    if member_id is None:
        return get_record(record_id), None
    row = db.session.execute(
        select(DecisionRecord, Commitment)
        .outerjoin(
            Commitment,
            and_(Commitment.record_id == DecisionRecord.id, Commitment.member_id == member_id),
        )
        .where(DecisionRecord.id == record_id)
    ).first()
    return (None, None) if row is None else (row[0], row[1])


def record_sources(record_id: int) -> tuple[ScalarSelect[int], ScalarSelect[int]]:
    """The vote a record comes from and the draft whose version it adopted (neither ever
    changes), as subqueries finding their ids (each finds none when there is no such
    record)."""
    vote = select(DecisionRecord.vote_id).where(DecisionRecord.id == record_id)
    draft = (
        select(DraftVersion.draft_id)
        .join(DecisionRecord, DecisionRecord.version_id == DraftVersion.id)
        .where(DecisionRecord.id == record_id)
    )
    return vote.scalar_subquery(), draft.scalar_subquery()


# --- the record page --------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """Entries of one group: committed without disagreement, committed and disagreeing,
    disagreeing without commitment."""

    name: str
    committed: int = 0
    committed_disagreeing: int = 0
    disagreeing_only: int = 0

    @property
    def entries(self) -> int:
        return self.committed + self.committed_disagreeing + self.disagreeing_only

    @property
    def commitments(self) -> int:
        return self.committed + self.committed_disagreeing

    @property
    def disagreements(self) -> int:
        return self.committed_disagreeing + self.disagreeing_only


@dataclass(frozen=True)
class CommitmentSummary:
    """Entries overall and by group; `hidden` names the groups not shown by name (merged
    into "Other members", or into the total alone), whose members' entries must not say
    which group they belong to either."""

    overall: Tally
    by_tendency: list[Tally] = field(default_factory=list)
    hidden: frozenset[str] = frozenset()


def _merged(name: str, tallies: list[Tally]) -> Tally:
    return Tally(
        name,
        sum(t.committed for t in tallies),
        sum(t.committed_disagreeing for t in tallies),
        sum(t.disagreeing_only for t in tallies),
    )


def public_summary(summary: CommitmentSummary, *, minimum: int) -> CommitmentSummary:
    """The summary as the public reads it where members are not named: a group (a tendency,
    or the members of none) is shown by name only with at least `minimum` entries; smaller
    ones are merged into "Other members", shown only with at least `minimum` entries too, so
    that no group can be found by subtracting the others from the total. While "Other
    members" holds too few, the smallest group shown joins it; if none is left, only the
    total is shown. A group of one member never says how that member stands."""
    shown = sorted(
        (t for t in summary.by_tendency if t.entries >= minimum), key=lambda t: t.entries
    )
    merged = [t for t in summary.by_tendency if t.entries < minimum]
    while shown and 0 < sum(t.entries for t in merged) < minimum:
        merged.append(shown.pop(0))
    groups = sorted(shown, key=lambda t: (t.name == NO_TENDENCY, t.name))
    if shown and merged and sum(t.entries for t in merged):
        groups.append(_merged(OTHER_MEMBERS, merged))
    return CommitmentSummary(
        summary.overall, groups, frozenset(t.name for t in merged) | summary.hidden
    )


def commitment_summary(record: DecisionRecord) -> CommitmentSummary:
    """Current entries, overall and per tendency at the time of each entry (members of no
    tendency last), in one grouped query over the record's index."""
    disagrees = Commitment.disagreement_markdown.is_not(None)
    rows = db.session.execute(
        select(
            Commitment.tendency_id,
            func.sum(case((and_(Commitment.commits, ~disagrees), 1), else_=0)),
            func.sum(case((and_(Commitment.commits, disagrees), 1), else_=0)),
            func.sum(case((~Commitment.commits, 1), else_=0)),
        )
        .where(Commitment.record_id == record.id)
        .group_by(Commitment.tendency_id)
    ).all()
    names = dict(db.session.execute(select(Tendency.id, Tendency.name)).tuples().all())
    groups = [
        Tally(
            names.get(tendency_id, NO_TENDENCY) if tendency_id else NO_TENDENCY,
            int(a or 0),
            int(b or 0),
            int(c or 0),
        )
        for tendency_id, a, b, c in rows
    ]
    groups.sort(key=lambda t: (t.name == NO_TENDENCY, t.name))
    return CommitmentSummary(_merged("All members", groups), groups)


def members_without_entry(record: DecisionRecord) -> tuple[int, int]:
    """How many active members have recorded no entry on the record, and how many active
    members there are: what a convener reads before opening the evaluation freezes entries."""
    entered = exists().where(Commitment.record_id == record.id, Commitment.member_id == Member.id)
    row = db.session.execute(
        select(func.count(Member.id), func.sum(case((~entered, 1), else_=0))).where(
            Member.status == MemberStatus.ACTIVE
        )
    ).one()
    return int(row[1] or 0), int(row[0] or 0)


@dataclass(frozen=True)
class Dissent:
    member_id: int
    member_name: str
    tendency: str
    commits: bool
    reasons_html: str
    reasons_markdown: str
    revision: int


def _dissent_rows(record: DecisionRecord) -> Select[Any]:
    return (
        select(Commitment, Member.display_name, Tendency.name)
        .join(Member, Member.id == Commitment.member_id)
        .outerjoin(Tendency, Tendency.id == Commitment.tendency_id)
        .where(Commitment.record_id == record.id, Commitment.disagreement_markdown.is_not(None))
        .order_by(Commitment.recorded_at, Commitment.member_id)
    )


def _dissent(row: Any) -> Dissent:
    commitment, name, tendency = row
    return Dissent(
        commitment.member_id,
        name,
        tendency or NO_TENDENCY,
        commitment.commits,
        commitment.disagreement_html or "",
        commitment.disagreement_markdown or "",
        commitment.revision,
    )


def disagreements(record: DecisionRecord, *, page: int = 1) -> tuple[list[Dissent], bool]:
    """Registered disagreements, oldest entry first, a page at a time; whether more follow."""
    rows = db.session.execute(
        _dissent_rows(record).offset((page - 1) * DISSENT_PAGE).limit(DISSENT_PAGE + 1)
    ).all()
    return [_dissent(row) for row in rows[:DISSENT_PAGE]], len(rows) > DISSENT_PAGE


def all_disagreements(record: DecisionRecord) -> list[Dissent]:
    """Every registered disagreement (the evaluation assesses each one)."""
    return [_dissent(row) for row in db.session.execute(_dissent_rows(record))]


def entry_history(record: DecisionRecord, member_id: int) -> list[CommitmentEntry]:
    return list(
        db.session.scalars(
            select(CommitmentEntry)
            .where(CommitmentEntry.record_id == record.id, CommitmentEntry.member_id == member_id)
            .order_by(CommitmentEntry.revision.desc())
        )
    )


@dataclass(frozen=True)
class Report:
    id: int
    tendency: str
    paper_id: int
    title: str
    body_html: str
    body_markdown: str
    revision: int


def minority_reports(record: DecisionRecord) -> list[Report]:
    rows = db.session.execute(
        select(MinorityReport, Tendency.name, PaperRevision)
        .join(Tendency, Tendency.id == MinorityReport.tendency_id)
        .join(
            PaperRevision,
            and_(
                PaperRevision.paper_id == MinorityReport.paper_id,
                PaperRevision.number == MinorityReport.paper_revision,
            ),
        )
        .where(MinorityReport.record_id == record.id)
        .order_by(MinorityReport.id)
    ).all()
    return [
        Report(
            r.id,
            name,
            r.paper_id,
            revision.title,
            revision.body_html,
            revision.body_markdown,
            r.paper_revision,
        )
        for r, name, revision in rows
    ]


def decision_subjects(record: DecisionRecord) -> list[tuple[str, int]]:
    """What the decision is about, as papers name their subjects: the record itself, its vote,
    what the vote decided (an amendment, a draft) and the draft it belongs to."""
    subjects = [("decision", record.id), ("vote", record.vote_id)]
    if record.subject_type is not None and record.subject_id is not None:
        subjects.append((record.subject_type, record.subject_id))
    if record.draft_id is not None:
        subjects.append(("draft", record.draft_id))
    return list(dict.fromkeys(subjects))


def is_on_decision(record: DecisionRecord, paper: PositionPaper) -> bool:
    return (paper.subject_type, paper.subject_id) in decision_subjects(record)


def attachable_papers(record: DecisionRecord, tendency_id: int) -> list[PositionPaper]:
    """The tendency's published papers on this decision's subjects not yet attached to it."""
    attached = select(MinorityReport.paper_id).where(MinorityReport.record_id == record.id)
    on_subjects = or_(
        *(
            and_(PositionPaper.subject_type == kind, PositionPaper.subject_id == subject_id)
            for kind, subject_id in decision_subjects(record)
        )
    )
    return list(
        db.session.scalars(
            select(PositionPaper)
            .where(
                PositionPaper.tendency_id == tendency_id,
                PositionPaper.state == "published",
                PositionPaper.id.not_in(attached),
                on_subjects,
            )
            .order_by(PositionPaper.id.desc())
            .limit(50)
        )
    )


def evaluation_of(record: DecisionRecord) -> Evaluation | None:
    return db.session.scalar(select(Evaluation).where(Evaluation.record_id == record.id))


def assessments(evaluation: Evaluation) -> dict[tuple[int | None, int | None], DissentAssessment]:
    rows = db.session.scalars(
        select(DissentAssessment).where(DissentAssessment.evaluation_id == evaluation.id)
    )
    return {(a.member_id, a.minority_report_id): a for a in rows}


def revisions(record: DecisionRecord) -> list[tuple[RecordRevision, str]]:
    rows = db.session.execute(
        select(RecordRevision, Member.display_name)
        .outerjoin(Member, Member.id == RecordRevision.written_by_id)
        .where(RecordRevision.record_id == record.id)
        .order_by(RecordRevision.number.desc())
    ).all()
    return [(revision, name or "") for revision, name in rows]


def links(record: DecisionRecord, *, limit: int | None = 200) -> list[ArchiveLink]:
    """The chain links that vouch for the record and what was added to it, in order (the
    first `limit` of them; None: all)."""
    query = select(ArchiveLink).where(ArchiveLink.record_id == record.id)
    return list(db.session.scalars(query.order_by(ArchiveLink.position).limit(limit)))


def seal_link(record: DecisionRecord) -> ArchiveLink | None:
    return db.session.scalar(
        select(ArchiveLink).where(ArchiveLink.record_id == record.id, ArchiveLink.kind == "record")
    )


def chain_head() -> ArchiveLink | None:
    return db.session.scalar(select(ArchiveLink).order_by(ArchiveLink.position.desc()).limit(1))


@dataclass(frozen=True)
class AdoptedText:
    version: DraftVersion
    merged: list[Amendment]


def adopted_text(record: DecisionRecord) -> AdoptedText | None:
    """The version the record's vote produced, with the amendments merged into the draft on
    the way to it (merged into this version or an earlier one)."""
    if record.version_id is None:
        return None
    version = db.session.get_one(DraftVersion, record.version_id)
    merged_into = select(DraftVersion.id).where(
        DraftVersion.draft_id == version.draft_id, DraftVersion.number <= version.number
    )
    merged = db.session.scalars(
        select(Amendment)
        .where(
            Amendment.draft_id == version.draft_id,
            Amendment.merged_into_version_id.in_(merged_into),
        )
        .order_by(Amendment.number)
    )
    return AdoptedText(version, list(merged))


# --- the archive ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveFilters:
    query: str = ""
    kind: str | None = None
    tendency_id: int | None = None
    outcome: str | None = None  # "adopted" | "rejected"
    verdict: str | None = None
    borne_out: bool = False
    decided_from: date | None = None
    decided_until: date | None = None
    include_drafting: bool = False
    # Where members are not named: a tendency is "involved" through its members'
    # disagreements only when at least this many of them made an entry on the record (see
    # `public_summary`), so that a small tendency's filter does not say how its members stood.
    public_minimum: int | None = None

    @property
    def words(self) -> list[str]:
        return search.words_of(self.query)


@dataclass(frozen=True)
class ArchiveRow:
    record: DecisionRecord
    verdict: str | None
    snippet: search.Snippet | None


def _filtered(filters: ArchiveFilters) -> Select[Any]:
    query = select(DecisionRecord, Evaluation.verdict, Evaluation.sealed_at).outerjoin(
        Evaluation, Evaluation.record_id == DecisionRecord.id
    )
    if not filters.include_drafting:
        query = query.where(DecisionRecord.state == RecordState.SEALED)
    if filters.kind:
        query = query.where(DecisionRecord.kind == filters.kind)
    if filters.outcome == "adopted":
        query = query.where(DecisionRecord.adopted.is_(True))
    elif filters.outcome == "rejected":
        query = query.where(DecisionRecord.adopted.is_(False))
    if filters.verdict:
        query = query.where(
            Evaluation.verdict == filters.verdict, Evaluation.sealed_at.is_not(None)
        )
    if filters.borne_out:
        query = query.where(
            Evaluation.sealed_at.is_not(None),
            exists().where(
                DissentAssessment.evaluation_id == Evaluation.id,
                DissentAssessment.borne_out == BorneOut.YES,
            ),
        )
    if filters.tendency_id is not None:
        # A tendency is involved when its members registered disagreement or it attached a
        # minority report.
        query = query.where(
            or_(
                exists().where(
                    MinorityReport.record_id == DecisionRecord.id,
                    MinorityReport.tendency_id == filters.tendency_id,
                ),
                and_(
                    exists().where(
                        Commitment.record_id == DecisionRecord.id,
                        Commitment.tendency_id == filters.tendency_id,
                        Commitment.disagreement_markdown.is_not(None),
                    ),
                    _entries_of_tendency(filters.tendency_id) >= filters.public_minimum
                    if filters.public_minimum is not None
                    else true(),
                ),
            )
        )
    if filters.decided_from is not None:
        query = query.where(func.date(DecisionRecord.decided_at) >= filters.decided_from)
    if filters.decided_until is not None:
        query = query.where(func.date(DecisionRecord.decided_at) <= filters.decided_until)
    return query


def _entries_of_tendency(tendency_id: int) -> Any:
    return (
        select(func.count())
        .where(Commitment.record_id == DecisionRecord.id, Commitment.tendency_id == tendency_id)
        .correlate(DecisionRecord)
        .scalar_subquery()
    )


def archive(filters: ArchiveFilters, *, page: int = 1) -> tuple[list[ArchiveRow], bool]:
    """A page of the archive, newest first, or by relevance when searching; whether more
    follow. A search reads the database's full-text index and shows a highlighted extract."""
    query = _filtered(filters)
    words = filters.words
    if words:
        hits = search.hits(words)
        query = (
            query.add_columns(hits.c.text_id)
            .join(hits, hits.c.record_id == DecisionRecord.id)
            .order_by(hits.c.rank, DecisionRecord.id.desc())
        )
    else:
        query = query.order_by(DecisionRecord.decided_at.desc(), DecisionRecord.id.desc())
    rows = db.session.execute(
        query.offset((page - 1) * ARCHIVE_PAGE).limit(ARCHIVE_PAGE + 1)
    ).all()[: ARCHIVE_PAGE + 1]
    more = len(rows) > ARCHIVE_PAGE
    rows = rows[:ARCHIVE_PAGE]
    snippets = search.snippets(words, [row[3] for row in rows]) if words else {}
    return [
        ArchiveRow(
            row[0],
            row[1] if row[2] is not None else None,
            snippets.get(row[3]) if words else None,
        )
        for row in rows
    ], more


# --- the home page ----------------------------------------------------------------------------


def _awaiting(member_id: MemberId) -> ColumnElement[bool]:
    """A sealed record the member has made no entry on, while entries are open (no
    evaluation yet); each test a look-up of a primary key or a unique index."""
    mine = exists().where(
        Commitment.record_id == DecisionRecord.id, Commitment.member_id == member_id
    )
    evaluated = exists().where(Evaluation.record_id == DecisionRecord.id)
    return and_(DecisionRecord.state == RecordState.SEALED, ~mine, ~evaluated)


def awaiting_commitment(member: Member, *, limit: int = 5) -> tuple[list[DecisionRecord], int]:
    """Sealed records the member has made no entry on, while entries are open (no evaluation
    yet), newest first, and how many there are."""
    # One query: the page of records, each row with the count of all of them.
    rows = db.session.execute(
        select(DecisionRecord, func.count().over())
        .where(_awaiting(member.id))
        .order_by(DecisionRecord.sealed_at.desc())
        .limit(limit)
    ).all()
    return [record for record, _ in rows], rows[0][1] if rows else 0


def evaluations_due(today: date, *, limit: int = 10) -> list[DecisionRecord]:
    """Sealed records whose evaluation date has come and whose evaluation is not sealed."""
    sealed = select(Evaluation.record_id).where(Evaluation.sealed_at.is_not(None))
    return list(
        db.session.scalars(
            select(DecisionRecord)
            .where(
                DecisionRecord.state == RecordState.SEALED,
                DecisionRecord.evaluation_date <= today,
                DecisionRecord.id.not_in(sealed),
            )
            .order_by(DecisionRecord.evaluation_date)
            .limit(limit)
        )
    )


def drafting_records(*, limit: int = 10) -> list[DecisionRecord]:
    """Records waiting for their conveners' statements and seal."""
    return list(
        db.session.scalars(
            select(DecisionRecord)
            .where(DecisionRecord.state == RecordState.DRAFTING)
            .order_by(DecisionRecord.decided_at.desc())
            .limit(limit)
        )
    )


def record_kinds() -> list[str]:
    return list(
        db.session.scalars(select(DecisionRecord.kind).distinct().order_by(DecisionRecord.kind))
    )


# --- what waits for a member ("needs you", deliberate/main/needs.py) ---------------------------


def records_awaiting(member_id: MemberId) -> Select[Any]:
    """The records of `awaiting_commitment` as rows for a list or a count: (record id,
    title, sealed at), newest first."""
    return (
        select(DecisionRecord.id, DecisionRecord.title, DecisionRecord.sealed_at)
        .where(_awaiting(member_id))
        .order_by(DecisionRecord.sealed_at.desc(), DecisionRecord.id.desc())
    )


def evaluations_in_debate(spoken: Callable[[Any], ColumnElement[bool]]) -> Select[Any]:
    """Evaluations open for debate (opened, not sealed) where `spoken(evaluation id column)`
    is false: (record id, title, opened at), the oldest first."""
    return (
        select(DecisionRecord.id, DecisionRecord.title, Evaluation.opened_at)
        .join(Evaluation, Evaluation.record_id == DecisionRecord.id)
        .where(Evaluation.sealed_at.is_(None), ~spoken(Evaluation.id))
        .order_by(Evaluation.opened_at, Evaluation.id)
    )
