"""A draft's versions: publishing a revision, reading a version, comparing two."""

from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from deliberate.auth import actor
from deliberate.drafts import queries, rendered, services
from deliberate.drafts.forms import ReviseForm
from deliberate.drafts.views.common import _draft, _draft_url, _require_convener, bp
from deliberate.errors import NotFound
from deliberate.forms import Page, submit


@bp.route("/<int:draft_id>/revise", methods=["GET", "POST"])
@login_required
def revise(draft_id: int) -> Page:
    draft = _draft(draft_id)
    _require_convener(draft)
    version = queries.current_version(draft)
    form = ReviseForm(version=version.number, body=version.body)
    return submit(
        form,
        lambda: services.revise_draft(
            actor(),
            draft,
            body=form.body.data,
            note=form.note.data,
            version_number=form.version.data,
        ),
        success_message=lambda new: f"Version {new.number} is published.",
        redirect_to=_draft_url(draft),
        render=lambda shown: render_template(
            "drafts/revise.html", form=form, draft=draft, version=version, error=shown.error
        ),
    )


@bp.get("/<int:draft_id>/versions/<int:number>")
@login_required
def version(draft_id: int, number: int) -> str:
    draft = _draft(draft_id)
    shown = queries.version(draft, number)
    if shown is None:
        raise NotFound(f"This draft has no version {number}.")
    return render_template(
        "drafts/version.html", draft=draft, version=shown, versions=queries.versions(draft)
    )


@bp.get("/<int:draft_id>/compare")
@login_required
def compare(draft_id: int) -> Page:
    draft = _draft(draft_id)
    versions = queries.versions(draft)
    newest = draft.current_version_number
    old_number = request.args.get("from", max(newest - 1, 1), type=int)
    new_number = request.args.get("to", newest, type=int)
    numbers = range(1, newest + 1)
    old = queries.version_head(draft, old_number) if old_number in numbers else None
    new = queries.version_head(draft, new_number) if new_number in numbers else None
    if old is None or new is None:
        raise NotFound(f"Choose two versions between 1 and {newest}.")
    rows = rendered.versions_diff(old, new)
    return render_template(
        "drafts/compare.html", draft=draft, old=old, new=new, rows=rows, versions=versions
    )
