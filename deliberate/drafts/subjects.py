"""Drafts and amendments as debate subjects (and as subjects of position papers)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from deliberate.drafts.lineage import follow_paragraphs
from deliberate.drafts.models import (
    Amendment,
    AmendmentState,
    Draft,
    DraftParagraph,
    DraftState,
    DraftVersion,
    stamp_of,
)
from deliberate.extensions import db
from deliberate.lru import Immutables
from deliberate.subjects import (
    ParagraphScope,
    RelatedSubject,
    SubjectKind,
    SubjectType,
    register_subject,
)

DRAFT_WITHDRAWN = "This draft was withdrawn; its debate is closed."
AMENDMENT_WITHDRAWN = "This amendment was withdrawn; its debate is closed."


def load_draft(draft_id: int) -> Draft | None:
    return db.session.scalar(
        select(Draft).options(joinedload(Draft.current_version)).where(Draft.id == draft_id)
    )


def _draft_closed(draft: Draft) -> str | None:
    return DRAFT_WITHDRAWN if draft.state == DraftState.WITHDRAWN else None


# Where earlier versions' paragraphs are now, per draft and current version (versions never
# change, so neither does the answer).
_lineages: Immutables[tuple[tuple[int, int, int, bool], ...]] = Immutables(256)


def _draft_paragraphs(draft: Draft) -> ParagraphScope:
    current = draft.current_version
    if draft.current_version_number < 2:
        return ParagraphScope(draft.current_version_number, current.paragraph_count)

    def read() -> tuple[tuple[int, int, int, bool], ...]:
        rows = db.session.execute(
            select(DraftVersion.number, DraftParagraph.markdown)
            .join(DraftParagraph, DraftParagraph.version_id == DraftVersion.id)
            .where(DraftVersion.draft_id == draft.id)
            .order_by(DraftVersion.number, DraftParagraph.number)
        ).all()
        texts: dict[int, list[str]] = {}
        for number, markdown in rows:
            texts.setdefault(number, []).append(markdown)
        return follow_paragraphs([texts.get(n, []) for n in range(1, max(texts, default=0) + 1)])

    key = (draft.id, draft.created_at, current.id, current.number, current.body)
    return ParagraphScope(
        draft.current_version_number, current.paragraph_count, _lineages.get(key, read)
    )


def _draft_amendments(draft: Draft) -> list[RelatedSubject]:
    rows = db.session.execute(
        select(Amendment.id, Amendment.number, Amendment.title)
        .where(Amendment.draft_id == draft.id)
        .order_by(Amendment.number)
    ).all()
    return [RelatedSubject(SubjectType.AMENDMENT, i, f"A{n} {t}") for i, n, t in rows]


def _draft_titles(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(select(Draft.id, Draft.title).where(Draft.id.in_(ids)))
    return dict(rows.tuples().all())


def _draft_link(draft_id: int) -> tuple[str, tuple[str, dict[str, Any]]] | None:
    title = db.session.scalar(select(Draft.title).where(Draft.id == draft_id))
    return None if title is None else (title, ("drafts.detail", {"draft_id": draft_id}))


def load_amendment(amendment_id: int) -> Amendment | None:
    return db.session.scalar(
        select(Amendment).options(joinedload(Amendment.draft)).where(Amendment.id == amendment_id)
    )


def _amendment_title(amendment: Amendment) -> str:
    return f"{amendment.label} {amendment.title} (to “{amendment.draft.title}”)"


def _amendment_closed(amendment: Amendment) -> str | None:
    if amendment.draft.state == DraftState.WITHDRAWN:
        return DRAFT_WITHDRAWN
    if amendment.state == AmendmentState.WITHDRAWN:
        return AMENDMENT_WITHDRAWN
    return None


def _amendment_endpoint(amendment: Amendment) -> tuple[str, dict[str, Any]]:
    return "drafts.amendment", {"draft_id": amendment.draft_id, "number": amendment.number}


def _amendment_link(amendment_id: int) -> tuple[str, tuple[str, dict[str, Any]]] | None:
    row = db.session.execute(
        select(Amendment.draft_id, Amendment.number, Amendment.title, Draft.title)
        .join(Draft, Draft.id == Amendment.draft_id)
        .where(Amendment.id == amendment_id)
    ).first()
    if row is None:
        return None
    draft_id, number, title, draft = row
    endpoint = ("drafts.amendment", {"draft_id": draft_id, "number": number})
    return f"A{number} {title} (to “{draft}”)", endpoint


def _amendment_titles(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(Amendment.id, Amendment.number, Amendment.title, Draft.title)
        .join(Draft, Draft.id == Amendment.draft_id)
        .where(Amendment.id.in_(ids))
    ).all()
    return {i: f"A{n} {title} (to “{draft}”)" for i, n, title, draft in rows}


register_subject(
    SubjectKind(
        type=SubjectType.DRAFT,
        label="draft",
        load=load_draft,
        title=lambda draft: draft.title,
        endpoint=lambda draft: ("drafts.detail", {"draft_id": draft.id}),
        closed_reason=_draft_closed,
        paragraphs=_draft_paragraphs,
        accepts_papers=True,
        related=_draft_amendments,
        load_titles=_draft_titles,
        load_link=_draft_link,
        stamps=lambda draft: [stamp_of(draft.id)],
        state=lambda draft: (draft.current_version_number, draft.state),
    )
)

register_subject(
    SubjectKind(
        type=SubjectType.AMENDMENT,
        label="amendment",
        load=load_amendment,
        title=_amendment_title,
        endpoint=_amendment_endpoint,
        closed_reason=_amendment_closed,
        accepts_papers=True,
        load_titles=_amendment_titles,
        load_link=_amendment_link,
        stamps=lambda amendment: [stamp_of(amendment.draft_id)],
        state=lambda amendment: (amendment.state, amendment.version_id),
    )
)
