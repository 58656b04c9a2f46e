"""Drafts, their versions (paragraphs and line numbers) and amendments, read as the draft
pages read them: any logged-in member reads any draft."""

from __future__ import annotations

from typing import Any

from deliberate import fragments
from deliberate.api import schemas
from deliberate.api.http import bp, etag, next_cursor, read_cursor, require_scope
from deliberate.api.models import Scope
from deliberate.auth import get_or_404
from deliberate.drafts import pages, queries, services
from deliberate.drafts.models import Amendment, Draft, DraftVersion, stamp_of
from deliberate.errors import NotFound
from deliberate.extensions import db
from deliberate.fragments import PEOPLE

AMENDMENTS_PER_PAGE = 50

DraftPage = schemas.page_of(schemas.DraftSummary, "DraftPage")
AmendmentPage = schemas.page_of(schemas.Amendment, "AmendmentPage")


def _draft(draft_id: int) -> Draft:
    return get_or_404(Draft, draft_id, "That draft")


@bp.get("/drafts")
@bp.arguments(schemas.CursorQuery, location="query")
@bp.response(200, DraftPage)
def drafts(args: dict[str, Any]) -> dict[str, Any]:
    """Drafts, most recently changed first, with their amendment counts"""
    require_scope(Scope.READ)
    page = read_cursor(args.get("cursor"))
    summaries, has_more = queries.drafts_index(page)
    return {
        "items": [
            {
                "id": s.draft.id,
                "title": s.draft.title,
                "kind": s.draft.kind,
                "state": s.draft.state,
                "current_version": s.draft.current_version_number,
                "open_amendments": s.open_amendments,
                "all_amendments": s.all_amendments,
                "updated_at": s.draft.updated_at,
            }
            for s in summaries
        ],
        "next": next_cursor(page, has_more),
    }


def _version_summary(version: DraftVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "created_at": version.created_at,
        "author": version.author.display_name if version.author else None,
        "note": version.note,
    }


@bp.get("/drafts/<int:draft_id>")
@bp.etag
@bp.response(200, schemas.Draft)
def draft(draft_id: int) -> dict[str, Any]:
    """A draft: its state, amendment window, conveners and versions"""
    require_scope(Scope.READ)
    stamps = fragments.tokens(stamp_of(draft_id), PEOPLE)  # before the rows: never older
    found = _draft(draft_id)
    etag(*stamps.values)
    return {
        "id": found.id,
        "title": found.title,
        "kind": found.kind,
        "state": found.state,
        "current_version": found.current_version_number,
        "seconds_required": found.seconds_required,
        "amendment_deadline_at": found.amendment_deadline_at,
        "amendments_closed_at": found.amendments_closed_at,
        "conveners": [
            {"id": m.id, "display_name": m.display_name} for m in queries.named_conveners(found)
        ],
        "versions": [_version_summary(v) for v in queries.versions(found)],
    }


@bp.get("/drafts/<int:draft_id>/versions/<int:number>")
@bp.etag
@bp.response(200, schemas.Version)
def version(draft_id: int, number: int) -> dict[str, Any]:
    """A version's text by paragraph (¶n), each with its numbered lines; versions never change"""
    require_scope(Scope.READ)
    found = queries.version(_draft(draft_id), number)
    if found is None:
        raise NotFound(f"This draft has no version {number}.")
    etag("version", found.id)  # a version never changes once made
    return {
        **_version_summary(found),
        "line_width": found.line_width,
        "line_count": found.line_count,
        "paragraphs": [
            {
                "number": p.number,
                "markdown": p.markdown,
                "first_line": p.first_line,
                "last_line": p.first_line + p.line_count - 1,
            }
            for p in found.paragraphs
        ],
    }


def _amendment(amendment: Amendment, seconds: int, version_number: int) -> dict[str, Any]:
    return {
        "number": amendment.number,
        "title": amendment.title,
        "kind": amendment.kind,
        "state": amendment.state,
        "version": version_number,
        "first_paragraph": amendment.first_paragraph,
        "last_paragraph": amendment.last_paragraph,
        "new_text": amendment.new_text,
        "rationale": amendment.rationale,
        "proposer": {"id": amendment.proposer.id, "display_name": amendment.proposer.display_name},
        "seconds": seconds,
        "created_at": amendment.created_at,
    }


@bp.get("/drafts/<int:draft_id>/amendments")
@bp.arguments(schemas.CursorQuery, location="query")
@bp.response(200, AmendmentPage)
def amendments(args: dict[str, Any], draft_id: int) -> dict[str, Any]:
    """A draft's amendments by number, with their seconds"""
    require_scope(Scope.READ)
    page = read_cursor(args.get("cursor"))
    listed = queries.draft_page(_draft(draft_id))
    numbers = {v.id: v.number for v in listed.versions}
    start = (page - 1) * AMENDMENTS_PER_PAGE
    shown = listed.amendments[start : start + AMENDMENTS_PER_PAGE]
    return {
        "items": [
            _amendment(a, listed.seconds.get(a.id, 0), numbers.get(a.version_id, 0)) for a in shown
        ],
        "next": next_cursor(page, len(listed.amendments) > start + AMENDMENTS_PER_PAGE),
    }


@bp.get("/drafts/<int:draft_id>/amendments/<int:number>")
@bp.etag
@bp.response(200, schemas.Amendment)
def amendment(draft_id: int, number: int) -> dict[str, Any]:
    """One amendment (A<number>) of a draft"""
    require_scope(Scope.READ)
    stamps = pages.amendment_stamps(draft_id, number)  # before the rows: never older
    found_draft = _draft(draft_id)
    found = queries.amendment_by_number(found_draft, number)
    if found is None:
        raise NotFound(f"This draft has no amendment A{number}.")
    etag(*stamps.values)
    seconds = queries.second_count(found)
    version_number = next(
        (v.number for v in queries.versions(found_draft) if v.id == found.version_id), 0
    )
    return _amendment(found, seconds, version_number)


@bp.post("/drafts/<int:draft_id>/amendments")
@bp.arguments(schemas.AmendmentProposal)
@bp.response(201, schemas.Amendment)
def propose(body: dict[str, Any], draft_id: int) -> dict[str, Any]:
    """Propose an amendment to the current version while the window is open"""
    member = require_scope(Scope.WRITE)
    found = _draft(draft_id)
    made = services.propose_amendment(
        member,
        found,
        version_number=body["version"],
        kind=body["kind"],
        first=body["first"],
        last=body["last"],
        new_text=body["new_text"],
        title=body["title"],
        rationale=body["rationale"],
    )
    db.session.commit()
    return _amendment(made, queries.second_count(made), body["version"])


@bp.post("/drafts/<int:draft_id>/amendments/<int:number>/seconds")
@bp.response(200, schemas.Seconded)
def second(draft_id: int, number: int) -> dict[str, Any]:
    """Second an amendment (not your own; once)"""
    member = require_scope(Scope.WRITE)
    found = queries.amendment_by_number(_draft(draft_id), number)
    if found is None:
        raise NotFound(f"This draft has no amendment A{number}.")
    tabled = services.second_amendment(member, found)
    db.session.commit()
    return {"amendment": found.number, "seconds": queries.second_count(found), "tabled": tabled}
