"""Decision records and their evaluations as debate subjects, and a vote's record as a link on
the vote's page. (What decisions does when a vote closes is on_vote_closed.py.)"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from deliberate.accounts.models import Member
from deliberate.decisions.models import DecisionRecord, Evaluation
from deliberate.extensions import db
from deliberate.subjects import SubjectKind, SubjectType, register_subject
from deliberate.voting.hooks import on_vote_page

if TYPE_CHECKING:
    from deliberate.voting.models import Vote


def _load_record(record_id: int) -> DecisionRecord | None:
    return db.session.get(DecisionRecord, record_id)


def _record_titles(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(DecisionRecord.id, DecisionRecord.title).where(DecisionRecord.id.in_(ids))
    )
    return dict(rows.tuples().all())


def _can_view(actor: Member, _obj: Any) -> bool:
    return actor.is_active


register_subject(
    SubjectKind(
        type=SubjectType.DECISION,
        label="decision record",
        load=_load_record,
        title=lambda record: f"Decision: {record.title}",
        endpoint=lambda record: ("decisions.detail", {"record_id": record.id}),
        closed_reason=lambda _record: None,
        can_view=_can_view,
        accepts_papers=True,
        load_titles=_record_titles,
    )
)


def _load_evaluation(evaluation_id: int) -> Evaluation | None:
    return db.session.get(Evaluation, evaluation_id)


def _evaluation_closed(evaluation: Evaluation) -> str | None:
    if evaluation.is_sealed:
        return "This evaluation is sealed; its debate is closed."
    return None


register_subject(
    SubjectKind(
        type=SubjectType.EVALUATION,
        label="evaluation",
        load=_load_evaluation,
        title=lambda evaluation: "Evaluation of a decision",
        endpoint=lambda evaluation: ("decisions.evaluation", {"record_id": evaluation.record_id}),
        closed_reason=_evaluation_closed,
        can_view=_can_view,
    )
)


def _record_link(vote: Vote) -> tuple[str, str, dict[str, Any]] | None:
    record_id = db.session.scalar(
        select(DecisionRecord.id).where(DecisionRecord.vote_id == vote.id)
    )
    if record_id is None:
        return None
    return "The decision record of this vote", "decisions.detail", {"record_id": record_id}


on_vote_page(_record_link)
