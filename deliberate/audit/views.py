"""The audit log, for admins."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required

from deliberate.accounts.permissions import can_manage_members
from deliberate.audit import queries
from deliberate.auth import actor, require
from deliberate.routing import page_number

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.get("/")
@login_required
def index() -> str:
    require(can_manage_members(actor()), "Only admins read the audit log.")
    page = page_number(request.args)
    entries, has_more = queries.audit_page(page)
    return render_template("audit/index.html", entries=entries, has_more=has_more, page=page)
