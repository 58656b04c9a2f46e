"""Votes with their settings, participation and stored results, read as the vote pages
read them: the same loader, the same `can_view_vote`, and a secret ballot shows no more than
its page (counts of who took part, never who chose what)."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app

from deliberate.accounts.models import Member
from deliberate.api import schemas
from deliberate.api.http import bp, etag, next_cursor, read_cursor, require_scope
from deliberate.api.models import Scope
from deliberate.auth import member_rate_key, require
from deliberate.errors import NotFound
from deliberate.extensions import db, limiter
from deliberate.voting import pages, queries, services
from deliberate.voting.models import Vote
from deliberate.voting.permissions import can_view_vote
from deliberate.voting.vocabulary import VoteMethod

VotePage = schemas.page_of(schemas.VoteSummary, "VotePage")


def load_vote(member: Member, vote_id: int, *, for_ballot: bool = False) -> Vote:
    """The vote as its page loads it, if `member` may see it (404, 403 as the page)."""
    vote = (queries.vote_for_ballot if for_ballot else queries.vote_with_options)(vote_id)
    if vote is None:
        raise NotFound("That vote does not exist.")
    require(can_view_vote(member, vote), "You cannot see this vote.")
    return vote


def _summary(vote: Vote, standing: str) -> dict[str, Any]:
    return {
        "id": vote.id,
        "title": vote.title,
        "method": vote.method,
        "state": vote.state,
        "secret": vote.secret,
        "opens_at": vote.opens_at,
        "closes_at": vote.closes_at,
        "closed_at": vote.closed_at,
        "outcome": vote.outcome,
        "standing": standing,
    }


@bp.get("/votes")
@bp.arguments(schemas.CursorQuery, location="query")
@bp.response(200, VotePage)
def votes(args: dict[str, Any]) -> dict[str, Any]:
    """Open and coming votes, then closed ones a page at a time, with where you stand"""
    member = require_scope(Scope.READ)
    page = read_cursor(args.get("cursor"))
    listed = pages.votes_list(member, page)
    shown = [*listed["current"], *listed["closed"]] if page == 1 else listed["closed"]
    return {
        "items": [_summary(v, listed["standing_of"][v.id]) for v in shown],
        "next": next_cursor(page, listed["has_more"]),
    }


@bp.get("/votes/<int:vote_id>")
@bp.etag
@bp.response(200, schemas.Vote)
def vote(vote_id: int) -> dict[str, Any]:
    """A vote: its settings in words, options, participation, where you stand, and its
    stored result once closed"""
    member = require_scope(Scope.READ)
    stamps = pages.vote_stamps(vote_id)  # before the vote: never older than what it shows
    found = load_vote(member, vote_id)
    standing, voted = queries.standing_and_count(found, member)
    etag(*stamps.values, standing, voted)
    return {
        **_summary(found, pages.standing_words(found, standing)),
        "description": found.description_markdown,
        "purpose": found.purpose,
        "seats": found.seats,
        "replaceable": found.replaceable,
        "in_person": found.in_person,
        "settings": pages.explain(found).lines,
        "options": [{"position": o.position, "label": o.label} for o in found.options],
        "participation": {"voted": voted, "roll": found.roll_size or 0},
        "you": {"on_roll": standing.on_roll, "voted": standing.voted},
        "result": json.loads(found.result_json) if found.is_closed and found.result_json else None,
    }


@bp.get("/votes/<int:vote_id>/results")
@bp.etag
@bp.response(200, schemas.VoteResult)
def results(vote_id: int) -> dict[str, Any]:
    """A closed vote's stored result, round by round (as its page's results.json); 404 until
    it closes. It never changes once stored, so a client holding it gets 304."""
    member = require_scope(Scope.READ)
    found = pages.closed(load_vote(member, vote_id))
    etag("result", found.id, found.closed_at)
    return {"vote": found.id, "title": found.title, "result": json.loads(found.result_json or "{}")}


ballot_limit = limiter.limit(
    lambda: current_app.config.get("BALLOT_LIMIT_PER_MEMBER", "20 per minute"),
    key_func=member_rate_key,
    error_message="You are sending ballots faster than this site allows. Wait a minute.",
)


def ballot_content(vote: Vote, body: dict[str, Any]) -> dict[str, Any]:
    """The ballot in the form the casting service checks, as the ballot form gives it."""
    if vote.method == VoteMethod.MAJORITY:
        return {"choice": body.get("choice")}
    if vote.method == VoteMethod.CONSENSUS:
        return {"position": body.get("position"), "reason": body.get("reason", "")}
    return {"ranking": list(body.get("ranking") or [])}


@bp.post("/votes/<int:vote_id>/ballots")
@ballot_limit
@bp.arguments(schemas.BallotIn)
@bp.response(201, schemas.Receipt)
def cast(body: dict[str, Any], vote_id: int) -> dict[str, Any]:
    """Cast (or replace) your ballot. A secret ballot answers with its receipt code, shown
    this once; to replace it, send that code as `receipt`"""
    member = require_scope(Scope.VOTE)
    found = load_vote(member, vote_id, for_ballot=True)
    receipt = services.cast_ballot(
        member, found, ballot_content(found, body), receipt=body.get("receipt") or None
    )
    db.session.commit()
    return {"vote": vote_id, "replaced": receipt.replaced, "receipt": receipt.code}
