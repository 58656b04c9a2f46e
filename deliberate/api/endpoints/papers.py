"""Position papers, read as the papers' pages read them: the published papers on a subject,
and one paper, which a tendency's own members alone see while it is being drafted."""

from __future__ import annotations

from typing import Any

from deliberate import fragments
from deliberate.api import schemas
from deliberate.api.endpoints.debate import SUBJECTS
from deliberate.api.http import bp, etag, require_scope
from deliberate.api.models import Scope
from deliberate.auth import actor
from deliberate.debate.panels import readable_subject
from deliberate.errors import NotFound
from deliberate.fragments import PEOPLE
from deliberate.papers import queries
from deliberate.papers.models import PositionPaper
from deliberate.papers.permissions import can_view_paper
from deliberate.subjects import PAPER_SUBJECT_TYPES


def _summary(paper: PositionPaper) -> dict[str, Any]:
    return {
        "id": paper.id,
        "title": paper.title,
        "state": paper.state,
        "tendency": {"id": paper.tendency.id, "name": paper.tendency.name},
        "subject_type": paper.subject_type,
        "subject_id": paper.subject_id,
        "revision": paper.current_revision,
        "published_at": paper.published_at,
    }


@bp.get(f"/papers/on/{SUBJECTS}/<int:subject_id>")
@bp.response(200, schemas.PaperList)
def papers_on(subject_type: str, subject_id: int) -> dict[str, Any]:
    """The papers published on a subject and on its related subjects (a draft's amendments),
    one column per tendency as the subject's page shows them"""
    require_scope(Scope.READ)
    subject = readable_subject(subject_type, subject_id)
    if subject.type not in PAPER_SUBJECT_TYPES:
        return {"items": []}
    shown = queries.positions(subject, actor())
    papers = [
        card.paper
        for column in shown.columns
        for card in ([column.main] if column.main else []) + column.on_related
    ]
    return {"items": [_summary(paper) for paper in papers]}


@bp.get("/papers/<int:paper_id>")
@bp.etag
@bp.response(200, schemas.Paper)
def paper(paper_id: int) -> dict[str, Any]:
    """A paper's current revision; another tendency's paper in drafting answers 404, as a
    missing one does"""
    require_scope(Scope.READ)
    stamps = fragments.tokens(PEOPLE)
    found = queries.paper_detail(paper_id)
    if found is None or not can_view_paper(actor(), found):
        raise NotFound("That paper does not exist.")
    readable_subject(found.subject_type, found.subject_id)
    count, _signed = queries.signature_summary(found, actor())
    shown = {
        **_summary(found),
        "body_markdown": found.revision.body_markdown,
        "body_html": found.revision.body_html,
        "signature_count": count,
        "superseded_by": found.superseded_by_id,
    }
    etag(*stamps.values, repr(sorted(shown.items())))
    return shown
