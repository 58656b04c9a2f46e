"""The audit log, for admins."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_login import login_required
from werkzeug.routing import BuildError

from deliberate.accounts.permissions import can_manage_members
from deliberate.audit import queries
from deliberate.audit.models import AuditEntry
from deliberate.auth import actor, require
from deliberate.routing import page_number

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


# How an entry's object reads and where it is: its words, and the page showing it.
OBJECTS = {
    "Draft": ("draft", "drafts.detail", "draft_id"),
    "Amendment": ("amendment", None, None),
    "PositionPaper": ("position paper", "papers.detail", "paper_id"),
    "Vote": ("vote", "votes.detail", "vote_id"),
    "Tendency": ("tendency", "tendencies.detail", "tendency_id"),
    "Member": ("member", "accounts.profile", "member_id"),
    "Body": ("body", "bodies.detail", "body_id"),
    "Comment": ("comment", "debate.permalink", "comment_id"),
    "DecisionRecord": ("decision record", "decisions.detail", "record_id"),
    "Invitation": ("invitation", None, None),
    "OrganizationSettings": ("organization setting", None, None),
}


# Plurals that are not the word and an "s".
PLURALS = {"body": "bodies", "tendency": "tendencies"}


def object_words(object_type: str) -> str:
    return OBJECTS.get(object_type, (object_type, None, None))[0]


def object_plural(object_type: str) -> str:
    """The filter's label for a kind of object: "bodies", "tendencies", "votes"."""
    words = object_words(object_type)
    return PLURALS.get(words, words + "s")


def object_link(entry: AuditEntry) -> str | None:
    """The address of the entry's object, when it has a page of its own."""
    _words, endpoint, argument = OBJECTS.get(entry.object_type, ("", None, None))
    if endpoint is None or argument is None or entry.object_id is None:
        return None
    values: dict[str, Any] = {argument: entry.object_id}
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


@bp.get("/")
@login_required
def index() -> str:
    require(can_manage_members(actor()), "Only admins read the audit log.")
    page = page_number(request.args)
    kinds = queries.object_types()
    kind = request.args.get("object", "")
    kind = kind if kind in kinds else ""
    who = request.args.get("actor", type=int)
    entries, has_more = queries.audit_page(page, object_type=kind or None, actor_id=who)
    return render_template(
        "audit/index.html",
        entries=entries,
        has_more=has_more,
        page=page,
        kinds=kinds,
        kind=kind,
        who=who,
        object_words=object_words,
        object_plural=object_plural,
        object_link=object_link,
    )
