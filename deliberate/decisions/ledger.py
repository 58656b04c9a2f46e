"""The archive's chain as stored: the content each link vouches for, built from the rows, and
appending a link. `deliberate.decisions.chain` holds the pure rules; this module feeds them.

The content of each kind of link (canonical JSON, see `chain.canonical`):

- record: the record's fields and statements, its vote (method, secrecy, times, the SHA-256 of
  the stored result document and of the ballots as stored), and the adopted text's SHA-256;
- commitment: one entry of a member's (member id, revision, commitment, disagreement text,
  tendency at the time);
- minority_report: the tendency, the paper and the revision attached, with that revision's
  text's SHA-256;
- evaluation: the verdict, the assessment and each dissent's assessment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, text

from deliberate.decisions import chain
from deliberate.decisions.models import (
    ArchiveLink,
    CommitmentEntry,
    DecisionRecord,
    DissentAssessment,
    Evaluation,
    LinkKind,
    MinorityReport,
)
from deliberate.drafts.models import DraftVersion
from deliberate.extensions import db
from deliberate.papers.models import PaperRevision
from deliberate.voting.models import Ballot, Vote

RECORD_SCHEMA = "deliberate.decision-record/1"


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def moment(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def _sha256(data: str) -> str:
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def ballots_digest(vote_id: int) -> str:
    """The SHA-256 of a vote's ballots as stored: key, voter (roll call only) and content,
    in key order. Any ballot changed, added or removed changes it."""
    digest = hashlib.sha256()
    rows = db.session.execute(
        select(Ballot.id, Ballot.member_id, Ballot.content)
        .where(Ballot.vote_id == vote_id)
        .order_by(Ballot.id)
    )
    for key, member_id, content in rows:
        digest.update(f"{key}\t{member_id or ''}\t{content}\n".encode())
    return digest.hexdigest()


def vote_facts(vote: Vote) -> dict[str, Any]:
    """What a record says of its vote, in the chain and in exports alike."""
    return {
        "id": vote.id,
        "title": vote.title,
        "method": vote.method,
        "secret": vote.secret,
        "in_person": vote.in_person,
        "opened_at": moment(vote.opened_at),
        "closed_at": moment(vote.closed_at),
    }


def record_content(record: DecisionRecord) -> dict[str, Any]:
    vote = db.session.get_one(Vote, record.vote_id)
    version = db.session.get(DraftVersion, record.version_id) if record.version_id else None
    return {
        "schema": RECORD_SCHEMA,
        "record": record.id,
        "title": record.title,
        "kind": record.kind,
        "subject": {"type": record.subject_type, "id": record.subject_id},
        "adopted": record.adopted,
        "adopted_text": None
        if version is None
        else {
            "draft": version.draft_id,
            "version": version.number,
            "sha256": _sha256(version.body),
        },
        "outcome_summary": record.outcome_summary,
        "outcome_statement": record.outcome_markdown,
        "unity_in_action": record.unity_markdown,
        "valid_from": day(record.valid_from),
        "valid_until": day(record.valid_until),
        "evaluation_date": day(record.evaluation_date),
        "decided_at": moment(record.decided_at),
        "sealed_at": moment(record.sealed_at),
        "sealed_by": record.sealed_by_id,
        "vote": {
            **vote_facts(vote),
            "result_sha256": _sha256(vote.result_json or ""),
            "ballots_sha256": ballots_digest(vote.id),
        },
    }


def commitment_content(entry: CommitmentEntry) -> dict[str, Any]:
    return {
        "record": entry.record_id,
        "member": entry.member_id,
        "revision": entry.revision,
        "commits": entry.commits,
        "disagreement": entry.disagreement_markdown,
        "tendency": entry.tendency_id,
        "recorded_at": moment(entry.recorded_at),
    }


def minority_report_content(report: MinorityReport) -> dict[str, Any]:
    body = db.session.scalar(
        select(PaperRevision.body_markdown).where(
            PaperRevision.paper_id == report.paper_id,
            PaperRevision.number == report.paper_revision,
        )
    )
    return {
        "record": report.record_id,
        "tendency": report.tendency_id,
        "paper": report.paper_id,
        "paper_revision": report.paper_revision,
        "paper_sha256": _sha256(body) if body is not None else None,
        "attached_at": moment(report.attached_at),
        "attached_by": report.attached_by_id,
    }


def evaluation_content(evaluation: Evaluation) -> dict[str, Any]:
    assessments = db.session.scalars(
        select(DissentAssessment)
        .where(DissentAssessment.evaluation_id == evaluation.id)
        .order_by(DissentAssessment.id)
    )
    return {
        "record": evaluation.record_id,
        "verdict": evaluation.verdict,
        "assessment": evaluation.assessment_markdown,
        "opened_at": moment(evaluation.opened_at),
        "sealed_at": moment(evaluation.sealed_at),
        "sealed_by": evaluation.sealed_by_id,
        "dissents": [
            {
                "member": a.member_id,
                "entry_revision": a.entry_revision,
                "minority_report": a.minority_report_id,
                "borne_out": a.borne_out,
                "comment": a.comment,
            }
            for a in assessments
        ],
    }


def as_link(row: ArchiveLink) -> chain.Link:
    return chain.Link(row.position, row.kind, row.content_hash, row.previous_hash, row.hash)


def head() -> ArchiveLink | None:
    return db.session.scalar(select(ArchiveLink).order_by(ArchiveLink.position.desc()).limit(1))


def _lock_chain() -> None:
    """Appends queue one behind the other. PostgreSQL: a transaction-level advisory lock;
    SQLite: its write transactions already run one at a time (BEGIN IMMEDIATE)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(7341)"))


def append(
    kind: LinkKind, record_id: int, content: Mapping[str, Any], entry_id: int | None = None
) -> ArchiveLink:
    """Append a link vouching for `content` at the chain's head."""
    _lock_chain()
    last = head()
    link = chain.next_link(as_link(last) if last is not None else None, kind, content)
    row = ArchiveLink(
        position=link.position,
        kind=kind,
        record_id=record_id,
        entry_id=entry_id,
        content_hash=link.content_hash,
        previous_hash=link.previous_hash,
        hash=link.hash,
    )
    db.session.add(row)
    db.session.flush()
    return row


def content_of(link: ArchiveLink) -> dict[str, Any] | None:
    """What `link` vouches for, as stored now (None if it is gone)."""
    if link.kind == LinkKind.RECORD:
        record = db.session.get(DecisionRecord, link.record_id)
        return record_content(record) if record is not None else None
    loaders: dict[str, tuple[type[Any], Any]] = {
        LinkKind.COMMITMENT: (CommitmentEntry, commitment_content),
        LinkKind.MINORITY_REPORT: (MinorityReport, minority_report_content),
        LinkKind.EVALUATION: (Evaluation, evaluation_content),
    }
    model, build = loaders[link.kind]
    row = db.session.get(model, link.entry_id) if link.entry_id is not None else None
    return build(row) if row is not None else None
