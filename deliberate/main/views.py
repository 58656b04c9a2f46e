"""The home page: what is under deliberation, what waits for the member, and where they stand."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from deliberate.auth import actor
from deliberate.main import needs, pages

bp = Blueprint("main", __name__)
# Where a request keeps the count it has read (the request's own, never another's).
NEEDS_COUNT = "deliberate.needs_count"


@bp.get("/")
def index() -> str:
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    context = pages.index_context(actor())
    # The list has just counted every kind: the navigation shows its sum, not a second query.
    request.environ[NEEDS_COUNT] = sum(section.total for section in context["needs"])
    return render_template("main/index.html", **context)


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Where a browser asks for the icon by default: the page's icon, an SVG."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.get("/help")
def help_page() -> str:
    """How this works, in plain words: open to anyone, as the organization's rules are."""
    return render_template("main/help.html")


def needs_count() -> int:
    """How many things wait for the member reading the page (read once per request, and only
    when the page shows it: the navigation of a logged-in member)."""
    if NEEDS_COUNT not in request.environ:
        request.environ[NEEDS_COUNT] = (
            needs.kept_count(actor())
            if current_user.is_authenticated and current_user.is_active
            else 0
        )
    return int(request.environ[NEEDS_COUNT])


@bp.app_context_processor
def _navigation() -> dict[str, Any]:
    return {"needs_count": needs_count}
