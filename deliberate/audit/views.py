"""The audit log, for admins."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from deliberate.accounts.permissions import can_manage_members
from deliberate.audit.models import AuditEntry
from deliberate.auth import actor, require
from deliberate.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
PAGE_SIZE = 100


@bp.get("/")
@login_required
def index() -> str:
    require(can_manage_members(actor()), "Only admins read the audit log.")
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    entries = list(
        db.session.scalars(
            select(AuditEntry)
            .options(joinedload(AuditEntry.actor))
            .order_by(AuditEntry.id.desc())
            .limit(PAGE_SIZE + 1)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    return render_template(
        "audit/index.html",
        entries=entries[:PAGE_SIZE],
        has_more=len(entries) > PAGE_SIZE,
        page=page,
    )
