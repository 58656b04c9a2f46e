"""The home page: what is under deliberation, and where the member stands."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from deliberate import fragments
from deliberate.accounts.services import count_members
from deliberate.auth import actor
from deliberate.decisions.panels import home_context
from deliberate.drafts.models import DRAFTS_STAMP
from deliberate.drafts.queries import drafts_index
from deliberate.fragments import PEOPLE
from deliberate.tendencies.queries import (
    current_membership,
    pending_request_count,
    tendency_coordinators,
    tendency_sizes,
    tendency_summaries,
)

bp = Blueprint("main", __name__)
HOME_DRAFTS = 5


@bp.get("/")
def index() -> str:
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    # The stamps first, then the rows: what is kept was read after its tokens (fragments.py).
    stamps = fragments.tokens(DRAFTS_STAMP, PEOPLE)
    me = actor()
    mine = current_membership(me)
    coordinating = mine is not None and me.is_active and (me.is_admin or mine.is_coordinator)
    sizes, coordinators = tendency_sizes(), tendency_coordinators()  # kept a few seconds

    def render() -> fragments.Part:
        summaries, more_drafts = drafts_index(1)
        return fragments.Part(
            fragments.rendered_blocks(
                "main/_deliberation.html",
                summaries=summaries[:HOME_DRAFTS],
                more_drafts=more_drafts or len(summaries) > HOME_DRAFTS,
                tendencies=tendency_summaries(),
            ),
        )

    variant = (
        tuple(sorted(sizes.items())),
        tuple((k, tuple(names)) for k, names in sorted(coordinators.items())),
    )
    return render_template(
        "main/index.html",
        parts=fragments.part("home", stamps, variant, render),
        member_count=count_members(),
        mine=mine,
        waiting=pending_request_count(mine.tendency) if coordinating and mine is not None else 0,
        **home_context(me),
    )


@bp.get("/help")
def help_page() -> str:
    """How this works, in plain words: open to anyone, as the organization's rules are."""
    return render_template("main/help.html")
