"""Decision records and their evaluations as debate subjects, and the listeners of a vote's
close: the one that chains every closed vote, then the one that makes a record when it
decides (with the decision its purpose reports)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from deliberate.accounts.models import Member
from deliberate.decisions.chain_votes import chain_closed_vote
from deliberate.decisions.models import DecisionRecord, Evaluation
from deliberate.decisions.services import record_decision
from deliberate.extensions import db
from deliberate.subjects import SubjectKind, SubjectType, register_subject
from deliberate.voting.hooks import on_decision, on_every_close, on_vote_page


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


def _record_link(vote: Any) -> tuple[str, str, dict[str, Any]] | None:
    record_id = db.session.scalar(
        select(DecisionRecord.id).where(DecisionRecord.vote_id == vote.id)
    )
    if record_id is None:
        return None
    return "The decision record of this vote", "decisions.detail", {"record_id": record_id}


# Voting calls every close's listeners before the decision's: the vote's link comes first,
# and the record made next, once sealed, names it.
on_every_close(chain_closed_vote)
on_decision(record_decision)
on_vote_page(_record_link)
