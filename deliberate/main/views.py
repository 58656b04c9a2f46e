"""The home page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from deliberate.accounts.services import count_members
from deliberate.tendencies.queries import current_membership, tendency_summaries

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> str:
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    return render_template(
        "main/index.html",
        summaries=tendency_summaries(),
        member_count=count_members(),
        mine=current_membership(current_user),
    )
