"""Decision records: made when a vote decides, written and sealed by conveners, then carried
by the members' commitments and registered disagreements, the tendencies' minority reports and,
at its date, the organization's evaluation. Every sealed thing is appended to the archive's
chain (`deliberate.decisions.ledger`) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from deliberate.accounts.models import Member
from deliberate.audit.services import record_action
from deliberate.cleaning import clean_markdown, clean_text
from deliberate.database import rows_matched, utcnow
from deliberate.decisions import ledger, search
from deliberate.decisions.models import (
    BorneOut,
    Commitment,
    CommitmentEntry,
    DecisionRecord,
    DissentAssessment,
    Evaluation,
    LinkKind,
    MinorityReport,
    RecordRevision,
    RecordState,
    Verdict,
)
from deliberate.decisions.permissions import can_evaluate, can_record_commitment
from deliberate.decisions.queries import evaluation_of, is_on_decision
from deliberate.decisions.watches import ARCHIVE_STAMP, stamp_of
from deliberate.drafts.models import Draft, DraftKind
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.markup import render_markdown
from deliberate.papers.models import PaperState, PositionPaper
from deliberate.tendencies.models import Tendency
from deliberate.tendencies.permissions import is_coordinator
from deliberate.tendencies.queries import current_membership
from deliberate.voting.hooks import Decision, Purpose
from deliberate.voting.models import Vote
from deliberate.webhooks.models import WebhookEvent
from deliberate.webhooks.outbox import emit, site_link

MAX_STATEMENT = 20_000
MAX_DISAGREEMENT = 10_000
MAX_COMMENT = 2_000


def _require_convener(actor: Member, what: str) -> None:
    if not (actor.is_active and actor.is_convener):
        raise PermissionDenied(f"Only conveners {what}.")


def record_of_vote(vote_id: int) -> DecisionRecord | None:
    return db.session.scalar(select(DecisionRecord).where(DecisionRecord.vote_id == vote_id))


# --- a vote decides ---------------------------------------------------------------------------


def record_decision(vote: Vote, purpose: Purpose, decision: Decision) -> DecisionRecord:
    """The record of what a closed vote decided, as its purpose reports it (`decision`: the
    adopted flag, the summary and, for a text, the version adopted). Called in the vote's
    closing transaction, only for a purpose that decides; at most one record per vote."""
    existing = record_of_vote(vote.id)
    if existing is not None:
        return existing
    record = DecisionRecord(
        vote_id=vote.id,
        title=vote.title,
        kind=purpose.name,
        subject_type=vote.subject_type,
        subject_id=vote.subject_id,
        adopted=decision.adopted,
        outcome_summary=decision.summary[:500],
        decided_at=vote.closed_at or utcnow(),
        revision=0,
    )
    if vote.subject_type == "draft" and vote.subject_id is not None:
        _take_draft(record, db.session.get_one(Draft, vote.subject_id), decision.version_id)
    db.session.add(record)
    db.session.flush()
    search.index_record(record)
    record_action(None, "decision.record", record, f"Recorded the decision “{record.title}”")
    return record


def _take_draft(record: DecisionRecord, draft: Draft, version_id: int | None) -> None:
    """An adoption's record names the draft, its kind and validity, and, when it was adopted,
    the version the drafts reported adopted (with the amendments the vote merged)."""
    record.draft_id = draft.id
    record.kind = draft.kind
    record.valid_from = draft.valid_from
    record.valid_until = draft.valid_until
    record.evaluation_date = draft.evaluation_date
    if record.adopted:
        if version_id is None:
            raise InvalidTransition("An adopted draft's record needs the version adopted.")
        record.version_id = version_id


# --- conveners write and seal -----------------------------------------------------------------


@dataclass(frozen=True)
class Statements:
    outcome: str
    unity: str
    valid_from: date | None = None
    valid_until: date | None = None
    evaluation_date: date | None = None


def _check_dates(record: DecisionRecord, statements: Statements) -> None:
    start, end, due = statements.valid_from, statements.valid_until, statements.evaluation_date
    if start is not None and end is not None and end < start:
        raise ValidationError("The validity period ends before it begins.")
    if due is not None and start is not None and due < start:
        raise ValidationError("The evaluation cannot fall before the decision takes effect.")
    if record.kind == DraftKind.SITUATIONAL_OBJECTIVE and None in (start, end, due):
        raise ValidationError(
            "A situational objective needs its validity period and its evaluation date."
        )


def revise_statements(
    actor: Member, record: DecisionRecord, statements: Statements, *, seen_revision: int
) -> DecisionRecord:
    """Write the outcome and unity-in-action statements (and the dates) of a record not yet
    sealed; each writing is kept as a revision. `seen_revision` is the revision the convener
    edited: if another convener wrote meanwhile, nothing is changed."""
    _require_convener(actor, "write decision records")
    outcome = clean_text(
        statements.outcome,
        max_length=MAX_STATEMENT,
        empty="Write the outcome statement.",
        too_long=f"The outcome statement is limited to {MAX_STATEMENT} characters.",
    )
    unity = clean_text(
        statements.unity,
        max_length=MAX_STATEMENT,
        empty="Write the unity-in-action statement: what every member now commits to do.",
        too_long=f"The unity-in-action statement is limited to {MAX_STATEMENT} characters.",
    )
    _check_dates(record, statements)
    changed = db.session.execute(
        update(DecisionRecord)
        .where(
            DecisionRecord.id == record.id,
            DecisionRecord.state == RecordState.DRAFTING,
            DecisionRecord.revision == seen_revision,
        )
        .values(
            revision=DecisionRecord.revision + 1,
            outcome_markdown=outcome,
            outcome_html=render_markdown(outcome),
            unity_markdown=unity,
            unity_html=render_markdown(unity),
            valid_from=statements.valid_from,
            valid_until=statements.valid_until,
            evaluation_date=statements.evaluation_date,
        )
        # One row, named: not every kept part of the site (fragments.py).
        .execution_options(synchronize_session=False, stamps=[stamp_of(record.id), ARCHIVE_STAMP])
    )
    db.session.refresh(record)
    if rows_matched(changed) != 1:
        if record.is_sealed:
            raise InvalidTransition("This record is sealed; it can no longer be changed.")
        raise InvalidTransition(
            "Another convener changed this record while you were writing; your text was not "
            "saved. Reload the page to see their version."
        )
    db.session.add(
        RecordRevision(
            record_id=record.id,
            number=record.revision,
            outcome_markdown=outcome,
            unity_markdown=unity,
            valid_from=statements.valid_from,
            valid_until=statements.valid_until,
            evaluation_date=statements.evaluation_date,
            written_by_id=actor.id,
        )
    )
    db.session.flush()
    search.index_record(record)
    record_action(actor, "decision.revise", record, f"Revised the record “{record.title}”")
    return record


def seal_record(actor: Member, record: DecisionRecord, *, now: datetime | None = None) -> bool:
    """Freeze the record and chain it. Whether this call sealed it: when two conveners seal
    at once, one seals and the other finds it sealed."""
    _require_convener(actor, "seal decision records")
    if record.is_sealed:
        return False
    if not record.outcome_markdown or not record.unity_markdown:
        raise InvalidTransition(
            "Write the outcome and unity-in-action statements before sealing the record."
        )
    if record.kind == DraftKind.SITUATIONAL_OBJECTIVE and record.evaluation_date is None:
        raise InvalidTransition("Set the evaluation date before sealing a situational objective.")
    now = now or utcnow()
    sealed = db.session.execute(
        update(DecisionRecord)
        .where(DecisionRecord.id == record.id, DecisionRecord.state == RecordState.DRAFTING)
        .values(state=RecordState.SEALED, sealed_at=now, sealed_by_id=actor.id)
        # One row, named: not every kept part of the site (fragments.py).
        .execution_options(synchronize_session=False, stamps=[stamp_of(record.id), ARCHIVE_STAMP])
    )
    db.session.refresh(record)
    if rows_matched(sealed) != 1:
        return False
    ledger.append(LinkKind.RECORD, record.id, ledger.record_content(record))
    record_action(actor, "decision.seal", record, f"Sealed the record “{record.title}”")
    emit(
        WebhookEvent.RECORD_SEALED,
        str(record.id),
        {
            "record_id": record.id,
            "title": record.title,
            "url": site_link(f"/decisions/{record.id}"),
        },
    )
    return True


# --- members commit, register disagreement ----------------------------------------------------


def commitment_of(record: DecisionRecord, member: Member) -> Commitment | None:
    return db.session.get(Commitment, (record.id, member.id))


def record_commitment(
    actor: Member,
    record: DecisionRecord,
    *,
    commits: bool,
    disagreement: str | None,
    now: datetime | None = None,
) -> Commitment:
    """The member's entry: "I commit to act on this decision", with or without a registered
    disagreement (its reasons in Markdown), or a registered disagreement alone. A new entry
    replaces the member's current one; every entry is kept and chained."""
    if not actor.is_active:
        raise PermissionDenied("Only active members record commitments.")
    if not record.is_sealed:
        raise InvalidTransition("Commitments are recorded once the record is sealed.")
    if not can_record_commitment(actor, record, evaluation_of(record)):
        raise InvalidTransition(
            "The evaluation of this decision has opened; entries can no longer be changed."
        )
    reasons: tuple[str, str] | None = None
    if disagreement is not None and disagreement.strip():
        reasons = clean_markdown(
            disagreement,
            max_length=MAX_DISAGREEMENT,
            empty="Give the reasons of your disagreement.",
            too_long=f"A registered disagreement is limited to {MAX_DISAGREEMENT} characters.",
        )
    if not commits and reasons is None:
        raise ValidationError(
            "Commit to act on the decision, or register your disagreement with its reasons, "
            "or both."
        )
    now = now or utcnow()
    membership = current_membership(actor)
    reasons_markdown = reasons[0] if reasons else None
    values = {
        "commits": commits,
        "disagreement_markdown": reasons_markdown,
        "disagreement_html": reasons[1] if reasons else None,
        "tendency_id": membership.tendency_id if membership is not None else None,
        "recorded_at": now,
    }
    current = _store_current(actor, record, values)
    entry = CommitmentEntry(
        record_id=record.id, member_id=actor.id, revision=current.revision, **values
    )
    db.session.add(entry)
    db.session.flush()
    ledger.append(LinkKind.COMMITMENT, record.id, ledger.commitment_content(entry), entry.id)
    search.index_disagreement(record, actor.id, reasons_markdown)
    return current


def _store_current(actor: Member, record: DecisionRecord, values: dict[str, Any]) -> Commitment:
    current = db.session.scalar(
        select(Commitment)
        .where(Commitment.record_id == record.id, Commitment.member_id == actor.id)
        .with_for_update()
    )
    if current is None:
        current = Commitment(record_id=record.id, member_id=actor.id, revision=1, **values)
        try:
            with db.session.begin_nested():
                db.session.add(current)
        except IntegrityError as error:
            raise InvalidTransition(
                "Your entry was recorded meanwhile from another page; reload to see it."
            ) from error
        return current
    if (current.commits, current.disagreement_markdown) == (
        values["commits"],
        values["disagreement_markdown"],
    ):
        raise ValidationError("Your entry already says this; nothing was changed.")
    changed = db.session.execute(
        update(Commitment)
        .where(
            Commitment.record_id == record.id,
            Commitment.member_id == actor.id,
            Commitment.revision == current.revision,
        )
        .values(revision=Commitment.revision + 1, **values)
        # One row, named: not every kept part of the site (fragments.py).
        .execution_options(synchronize_session=False, stamps=[stamp_of(record.id)])
    )
    if rows_matched(changed) != 1:
        raise InvalidTransition("Your entry changed meanwhile from another page; reload to see it.")
    db.session.refresh(current)
    return current


# --- tendencies attach minority reports -------------------------------------------------------


def attach_minority_report(
    actor: Member, record: DecisionRecord, paper: PositionPaper
) -> MinorityReport:
    """A tendency's coordinator attaches one of its published papers to a sealed record."""
    tendency = db.session.get_one(Tendency, paper.tendency_id)
    if not (actor.is_active and is_coordinator(actor, tendency)):
        raise PermissionDenied(
            "Only a coordinator of the paper's tendency attaches it as a minority report."
        )
    if not record.is_sealed:
        raise InvalidTransition("Minority reports are attached once the record is sealed.")
    evaluation = evaluation_of(record)
    if evaluation is not None and evaluation.is_sealed:
        raise InvalidTransition("This decision has been evaluated; its record is complete.")
    if paper.state != PaperState.PUBLISHED:
        raise ValidationError("Only a published position paper can be a minority report.")
    if not is_on_decision(record, paper):
        raise ValidationError(
            "A minority report is a paper on this decision: on its record, its vote, or what "
            "the vote decided."
        )
    report = MinorityReport(
        record_id=record.id,
        tendency_id=paper.tendency_id,
        paper_id=paper.id,
        paper_revision=paper.current_revision,
        attached_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(report)
    except IntegrityError as error:
        raise ValidationError("That paper is already attached to this record.") from error
    ledger.append(
        LinkKind.MINORITY_REPORT, record.id, ledger.minority_report_content(report), report.id
    )
    search.index_minority_report(report, paper)
    record_action(
        actor,
        "decision.minority_report",
        record,
        f"Attached {tendency.name}'s paper “{paper.title}” to “{record.title}” as a minority "
        "report",
    )
    return report


# --- the evaluation ---------------------------------------------------------------------------


def open_evaluation(actor: Member, record: DecisionRecord, *, today: date) -> Evaluation:
    if not can_evaluate(actor):
        raise PermissionDenied("Only conveners open evaluations.")
    if not record.is_sealed:
        raise InvalidTransition("A record is evaluated once it is sealed.")
    if record.evaluation_date is not None and today < record.evaluation_date:
        raise InvalidTransition(
            f"The evaluation of this decision is due on {record.evaluation_date.isoformat()}."
        )
    evaluation = Evaluation(record_id=record.id, opened_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(evaluation)
    except IntegrityError as error:
        raise InvalidTransition("The evaluation of this decision is already open.") from error
    record_action(
        actor, "decision.evaluation_open", record, f"Opened the evaluation of “{record.title}”"
    )
    return evaluation


@dataclass(frozen=True)
class DissentKey:
    """A dissent the evaluation assesses: a member's registered disagreement or a minority
    report."""

    member_id: int | None = None
    minority_report_id: int | None = None


@dataclass(frozen=True)
class EvaluationText:
    verdict: str | None
    assessment: str
    dissents: Mapping[DissentKey, tuple[str, str]]


def dissents_of(record: DecisionRecord) -> list[DissentKey]:
    """The dissents an evaluation of `record` assesses, members' first (by member id)."""
    members = db.session.scalars(
        select(Commitment.member_id)
        .where(Commitment.record_id == record.id, Commitment.disagreement_markdown.is_not(None))
        .order_by(Commitment.member_id)
    )
    reports = db.session.scalars(
        select(MinorityReport.id)
        .where(MinorityReport.record_id == record.id)
        .order_by(MinorityReport.id)
    )
    return [DissentKey(member_id=m) for m in members] + [
        DissentKey(minority_report_id=r) for r in reports
    ]


def revise_evaluation(actor: Member, evaluation: Evaluation, text: EvaluationText) -> Evaluation:
    """Write the assessment, the verdict and what events said of each dissent."""
    if not can_evaluate(actor):
        raise PermissionDenied("Only conveners write evaluations.")
    if evaluation.is_sealed:
        raise InvalidTransition("This evaluation is sealed; it can no longer be changed.")
    if text.verdict is not None and text.verdict not in set(Verdict):
        raise ValidationError("Choose a verdict from the list.")
    assessment = clean_text(
        text.assessment,
        max_length=MAX_STATEMENT,
        empty="Write the assessment.",
        too_long=f"The assessment is limited to {MAX_STATEMENT} characters.",
    )
    record = db.session.get_one(DecisionRecord, evaluation.record_id)
    known = set(dissents_of(record))
    for key, (borne_out, comment) in text.dissents.items():
        if key not in known:
            raise ValidationError("The evaluation names a dissent this record does not hold.")
        if borne_out not in set(BorneOut):
            raise ValidationError("Say whether events bore out each dissent.")
        if len(comment) > MAX_COMMENT:
            raise ValidationError(f"A comment on a dissent is limited to {MAX_COMMENT} characters.")
    evaluation.verdict = text.verdict
    evaluation.assessment_markdown = assessment
    evaluation.assessment_html = render_markdown(assessment)
    for key, (borne_out, comment) in text.dissents.items():
        _assess(evaluation, record, key, borne_out, comment.strip())
    db.session.flush()
    search.index_evaluation(evaluation)
    return evaluation


def _assess(
    evaluation: Evaluation, record: DecisionRecord, key: DissentKey, borne_out: str, comment: str
) -> None:
    revision = None
    if key.member_id is not None:
        revision = db.session.scalar(
            select(Commitment.revision).where(
                Commitment.record_id == record.id, Commitment.member_id == key.member_id
            )
        )
    row = db.session.scalar(
        select(DissentAssessment).where(
            DissentAssessment.evaluation_id == evaluation.id,
            DissentAssessment.member_id.is_(None)
            if key.member_id is None
            else DissentAssessment.member_id == key.member_id,
            DissentAssessment.minority_report_id.is_(None)
            if key.minority_report_id is None
            else DissentAssessment.minority_report_id == key.minority_report_id,
        )
    )
    if row is None:
        db.session.add(
            DissentAssessment(
                evaluation_id=evaluation.id,
                member_id=key.member_id,
                minority_report_id=key.minority_report_id,
                entry_revision=revision,
                borne_out=borne_out,
                comment=comment,
            )
        )
        return
    row.entry_revision = revision
    row.borne_out = borne_out
    row.comment = comment


def seal_evaluation(actor: Member, evaluation: Evaluation, *, now: datetime | None = None) -> bool:
    """Freeze the evaluation and chain it; whether this call sealed it."""
    if not can_evaluate(actor):
        raise PermissionDenied("Only conveners seal evaluations.")
    if evaluation.is_sealed:
        return False
    if evaluation.verdict is None or not evaluation.assessment_markdown:
        raise InvalidTransition("Give the verdict and the assessment before sealing.")
    record = db.session.get_one(DecisionRecord, evaluation.record_id)
    assessed = set(
        db.session.execute(
            select(DissentAssessment.member_id, DissentAssessment.minority_report_id).where(
                DissentAssessment.evaluation_id == evaluation.id
            )
        ).tuples()
    )
    missing = [
        k for k in dissents_of(record) if (k.member_id, k.minority_report_id) not in assessed
    ]
    if missing:
        raise InvalidTransition(
            f"Say whether events bore out every dissent before sealing ({len(missing)} left)."
        )
    now = now or utcnow()
    sealed = db.session.execute(
        update(Evaluation)
        .where(Evaluation.id == evaluation.id, Evaluation.sealed_at.is_(None))
        .values(sealed_at=now, sealed_by_id=actor.id)
        # One row, named: not every kept part of the site (fragments.py).
        .execution_options(
            synchronize_session=False, stamps=[stamp_of(evaluation.record_id), ARCHIVE_STAMP]
        )
    )
    db.session.refresh(evaluation)
    if rows_matched(sealed) != 1:
        return False
    ledger.append(
        LinkKind.EVALUATION, record.id, ledger.evaluation_content(evaluation), evaluation.id
    )
    record_action(
        actor, "decision.evaluation_seal", record, f"Sealed the evaluation of “{record.title}”"
    )
    emit(
        WebhookEvent.EVALUATION_SEALED,
        str(evaluation.id),
        {
            "record_id": record.id,
            "evaluation_id": evaluation.id,
            "title": record.title,
            "verdict": evaluation.verdict,
            "url": site_link(f"/decisions/{record.id}"),
        },
    )
    return True
