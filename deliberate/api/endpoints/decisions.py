"""The archive of decision records and its search, and each record with its commitment
counts, read as the archive's pages read them: members, and anyone when the organization
makes the archive public (then without names unless it says so)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_login import current_user

from deliberate.api import schemas
from deliberate.api.http import (
    NotAuthenticated,
    bp,
    etag,
    next_cursor,
    read_cursor,
    require_scope,
)
from deliberate.api.models import Scope
from deliberate.auth import member_rate_key
from deliberate.decisions import exports, pages, queries, services
from deliberate.decisions.permissions import can_read_archive
from deliberate.errors import NotFound, PermissionDenied
from deliberate.extensions import db, limiter

RecordPage = schemas.page_of(schemas.RecordSummary, "RecordPage")
entry_limit = limiter.limit(
    "20 per minute",
    key_func=member_rate_key,
    error_message="You are changing your entry faster than this site allows. Wait a minute.",
)


def _require_reader() -> None:
    """As the archive's pages: members read it, anyone when it is public; a token needs the
    read scope."""
    if not can_read_archive(current_user, public=pages.archive_is_public()):
        if current_user.is_authenticated:
            raise PermissionDenied("Your account is not active.")
        raise NotAuthenticated("Log in, or send a personal access token, to read the archive.")
    if current_user.is_authenticated:
        require_scope(Scope.READ)


@bp.get("/decisions")
@bp.arguments(schemas.ArchiveQuery, location="query")
@bp.response(200, RecordPage)
def archive(args: dict[str, Any]) -> dict[str, Any]:
    """The archive, newest first, or by relevance with `q`; filtered as its page filters"""
    _require_reader()
    page = read_cursor(args.get("cursor"))
    rows, more = queries.archive(pages.filters_from(request.args), page=page)
    return {
        "items": [
            {
                "id": row.record.id,
                "title": row.record.title,
                "kind": row.record.kind,
                "state": row.record.state,
                "adopted": row.record.adopted,
                "outcome_summary": row.record.outcome_summary,
                "decided_at": row.record.decided_at,
                "verdict": row.verdict,
                "snippet": row.snippet.html.striptags() if row.snippet else None,
            }
            for row in rows
        ],
        "next": next_cursor(page, more),
    }


@bp.get("/decisions/<int:record_id>")
@bp.etag
@bp.response(200, schemas.Record)
def record(record_id: int) -> dict[str, Any]:
    """A decision record as its JSON export: the vote and its result, participation,
    commitments and disagreements counted overall and by tendency, minority reports, the
    evaluation and the chain links that vouch for it"""
    _require_reader()
    stamps = pages.record_stamps(record_id)  # before the record: never older
    if stamps is None:
        raise NotFound("That decision record does not exist.")
    names = pages.names_shown()
    etag(*stamps.values, names)
    found = pages.readable_record(record_id)
    return exports.record_document(found, names=names)


@bp.post("/decisions/<int:record_id>/commitment")
@entry_limit
@bp.arguments(schemas.CommitmentIn)
@bp.response(200, schemas.Commitment)
def commitment(body: dict[str, Any], record_id: int) -> dict[str, Any]:
    """Record your commitment to act on a sealed decision, your registered disagreement
    (reasons in Markdown), or both; a new entry replaces your current one"""
    member = require_scope(Scope.WRITE)
    found = queries.get_record(record_id)
    if found is None:
        raise NotFound("That decision record does not exist.")
    entry = services.record_commitment(
        member, found, commits=body["commits"], disagreement=body["disagreement"]
    )
    db.session.commit()
    return {
        "record": found.id,
        "commits": entry.commits,
        "disagrees": entry.disagrees,
        "revision": entry.revision,
    }
