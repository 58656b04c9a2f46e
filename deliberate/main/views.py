"""The home page: what is under deliberation, and where the member stands."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from deliberate.auth import actor
from deliberate.main import pages

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> str:
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    return render_template("main/index.html", **pages.index_context(actor()))


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Where a browser asks for the icon by default: the page's icon, an SVG."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.get("/help")
def help_page() -> str:
    """How this works, in plain words: open to anyone, as the organization's rules are."""
    return render_template("main/help.html")
