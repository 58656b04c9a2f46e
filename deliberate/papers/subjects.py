"""Position papers as debate subjects: each published paper carries its own thread."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from deliberate.accounts.models import Member
from deliberate.extensions import db
from deliberate.papers.models import PaperState, PositionPaper
from deliberate.papers.permissions import can_view_paper
from deliberate.subjects import SubjectKind, SubjectType, register_subject, resolve


def load_paper(paper_id: int) -> PositionPaper | None:
    return db.session.scalar(
        select(PositionPaper)
        .options(joinedload(PositionPaper.tendency))
        .where(PositionPaper.id == paper_id)
    )


def _title(paper: PositionPaper) -> str:
    return f"{paper.tendency.name}: {paper.title}"


def _endpoint(paper: PositionPaper) -> tuple[str, dict[str, Any]]:
    return "papers.detail", {"paper_id": paper.id}


def _closed_reason(paper: PositionPaper) -> str | None:
    if paper.state == PaperState.DRAFTING:
        return "Debate on a position paper opens when its tendency publishes it."
    if paper.state == PaperState.SUPERSEDED:
        return "This paper was superseded by a newer one of its tendency; debate continues there."
    if paper.state == PaperState.WITHDRAWN:
        return "Its tendency withdrew this paper; its debate is closed."
    return resolve(paper.subject_type, paper.subject_id).closed_reason


def _can_view(actor: Member, paper: PositionPaper) -> bool:
    return can_view_paper(actor, paper) and resolve(paper.subject_type, paper.subject_id).can_view(
        actor
    )


register_subject(
    SubjectKind(
        type=SubjectType.PAPER,
        label="position paper",
        load=load_paper,
        title=_title,
        endpoint=_endpoint,
        closed_reason=_closed_reason,
        can_view=_can_view,
    )
)
