"""The audit log, for admins."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required

from deliberate.accounts.permissions import can_manage_members
from deliberate.audit import queries
from deliberate.auth import actor, require

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.get("/")
@login_required
def index() -> str:
    require(can_manage_members(actor()), "Only admins read the audit log.")
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    entries, has_more = queries.audit_page(page)
    return render_template("audit/index.html", entries=entries, has_more=has_more, page=page)
