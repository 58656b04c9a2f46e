"""The home page: what is under deliberation, and where the member stands."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from deliberate.auth import actor
from deliberate.main import pages

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> str:
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    return render_template("main/index.html", **pages.index_context(actor()))


@bp.get("/help")
def help_page() -> str:
    """How this works, in plain words: open to anyone, as the organization's rules are."""
    return render_template("main/help.html")
