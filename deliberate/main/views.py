"""The home page: what is under deliberation, and where the member stands."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from deliberate.accounts.services import count_members
from deliberate.auth import actor
from deliberate.decisions.panels import home_context
from deliberate.drafts.queries import drafts_index
from deliberate.tendencies.permissions import can_coordinate
from deliberate.tendencies.queries import current_membership, pending_requests, tendency_summaries

bp = Blueprint("main", __name__)
HOME_DRAFTS = 5


@bp.get("/")
def index() -> str:
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    mine = current_membership(actor())
    coordinating = mine is not None and can_coordinate(actor(), mine.tendency)
    summaries, more_drafts = drafts_index(1)
    return render_template(
        "main/index.html",
        summaries=summaries[:HOME_DRAFTS],
        more_drafts=more_drafts or len(summaries) > HOME_DRAFTS,
        tendencies=tendency_summaries(),
        member_count=count_members(),
        mine=mine,
        waiting=pending_requests(mine.tendency) if coordinating and mine is not None else [],
        **home_context(actor()),
    )


@bp.get("/help")
def help_page() -> str:
    """How this works, in plain words: open to anyone, as the organization's rules are."""
    return render_template("main/help.html")
