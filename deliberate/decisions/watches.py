"""What a change to a decision record's rows touches in the page cache
(deliberate/fragments.py): the record's own stamp, which its kept body depends on (its
statements, commitments and disagreements, minority reports, evaluation and chain links),
and the archive's for what its list shows (records, evaluations and their assessments, the
chain's head)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from deliberate.decisions.models import (
    ArchiveLink,
    Commitment,
    CommitmentEntry,
    DecisionRecord,
    DissentAssessment,
    Evaluation,
    MinorityReport,
    RecordRevision,
)
from deliberate.fragments import EVERYTHING, watch

# The archive's list: the records, their evaluations' verdicts and assessments, the chain.
# (Its filter by tendency and its search read entries and reports too: never kept.)
ARCHIVE_STAMP = "decisions"


def stamp_of(record_id: int) -> str:
    """The stamp of everything a record's kept body shows of the record itself."""
    return f"decision:{record_id}"


def _record_itself(row: DecisionRecord, _connection: Connection) -> list[str]:
    return [stamp_of(row.id), ARCHIVE_STAMP]


def _of_record(row: Any, _connection: Connection) -> list[str]:
    return [stamp_of(row.record_id)]


def _of_evaluation(row: Evaluation, _connection: Connection) -> list[str]:
    return [stamp_of(row.record_id), ARCHIVE_STAMP]


def _of_link(row: ArchiveLink, _connection: Connection) -> list[str]:
    """A link vouching for a record, or for a closed vote (shown on no record's body): both
    move the chain's head the archive shows."""
    return (
        [stamp_of(row.record_id), ARCHIVE_STAMP] if row.record_id is not None else [ARCHIVE_STAMP]
    )


def _of_assessment(row: DissentAssessment, connection: Connection) -> list[str]:
    record_id = connection.scalar(
        select(Evaluation.record_id).where(Evaluation.id == row.evaluation_id)
    )
    return [stamp_of(record_id), ARCHIVE_STAMP] if record_id is not None else [EVERYTHING]


watch(DecisionRecord, _record_itself)
for _child in (RecordRevision, Commitment, CommitmentEntry, MinorityReport):
    watch(_child, _of_record)
watch(Evaluation, _of_evaluation)
watch(ArchiveLink, _of_link)
watch(DissentAssessment, _of_assessment)
