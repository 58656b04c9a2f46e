"""What conveners do with amendments: merge after a preview, group, accept, rule out, ungroup."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_login import login_required
from werkzeug.wrappers import Response

from deliberate.auth import actor
from deliberate.drafts import queries, rendered, services, text
from deliberate.drafts.forms import ReasonForm, SelectionForm
from deliberate.drafts.models import Amendment, Draft
from deliberate.drafts.rules import MERGEABLE_AMENDMENT_STATES
from deliberate.drafts.views.common import (
    _amendment,
    _draft,
    _require_convener,
    _to_amendment,
    _to_draft,
    bp,
)
from deliberate.errors import NotFound, ValidationError
from deliberate.extensions import db
from deliberate.forms import ActionForm, choices, ensure_valid
from deliberate.markup import displayed


def _selected(draft: Draft) -> list[Amendment]:
    """The amendments of `draft` ticked in a SelectionForm (the service judges their states)."""
    amendments = queries.amendments_of(draft)
    form = SelectionForm()
    form.amendments.choices = choices((a.number, a.label) for a in amendments)
    ensure_valid(form)
    numbers = set(form.amendments.data)
    return [a for a in amendments if a.number in numbers]


@bp.get("/<int:draft_id>/merge/preview")
@login_required
def merge_preview(draft_id: int) -> str:
    """What merging the ticked amendments would make, before a convener confirms it."""
    draft = _draft(draft_id)
    _require_convener(draft)
    amendments = queries.amendments_of(draft)
    form = SelectionForm(formdata=request.args, meta={"csrf": False})
    form.amendments.choices = choices((a.number, a.label) for a in amendments)
    if not form.validate():
        raise ValidationError("Choose at least one accepted or adopted amendment to merge.")
    chosen = [a for a in amendments if a.number in set(form.amendments.data)]
    version = queries.version(draft, draft.current_version_number)
    if version is None:
        raise NotFound("This draft has no current version.")
    changes = [queries.as_change(a) for a in chosen]
    refusals = [
        f"{a.label} is {a.state_label}; only accepted or adopted amendments can be merged."
        for a in chosen
        if a.state not in MERGEABLE_AMENDMENT_STATES or a.version_id != version.id
    ] + [f"{a.label} and {b.label} change the same paragraphs." for a, b in _clashes(chosen)]
    old = rendered.markdowns(version)
    rows = (
        []
        if refusals
        else text.diff_paragraphs(old, text.merge_changes(old, changes), display=displayed)
    )
    return render_template(
        "drafts/merge_preview.html",
        draft=draft,
        version=version,
        chosen=chosen,
        rows=[row for row in rows if row.kind != "equal"],
        unchanged=sum(1 for row in rows if row.kind == "equal"),
        refusals=refusals,
    )


def _clashes(chosen: list[Amendment]) -> list[tuple[Amendment, Amendment]]:
    return [
        (a, b)
        for i, a in enumerate(chosen)
        for b in chosen[i + 1 :]
        if text.collides(queries.as_change(a), queries.as_change(b))
    ]


@bp.post("/<int:draft_id>/merge")
@login_required
def merge(draft_id: int) -> Response:
    draft = _draft(draft_id)
    _require_convener(draft)
    chosen = _selected(draft)
    new = services.merge_amendments(actor(), draft, chosen)
    db.session.commit()
    flash(f"Version {new.number} is made: {new.note}.")
    return _to_draft(draft)


@bp.post("/<int:draft_id>/group")
@login_required
def group(draft_id: int) -> Response:
    draft = _draft(draft_id)
    _require_convener(draft)
    chosen = _selected(draft)
    competition = services.group_amendments(actor(), draft, chosen)
    db.session.commit()
    flash(f"{', '.join(a.label for a in chosen)} are in {competition.label}.")
    return _to_draft(draft, "#amendments")


@bp.post("/<int:draft_id>/amendments/<int:number>/accept")
@login_required
def accept(draft_id: int, number: int) -> Response:
    draft = _draft(draft_id)
    found = _amendment(draft, number)
    _require_convener(draft)
    ensure_valid(ActionForm())
    merge_now = request.form.get("merge", "1") != "0"
    new = services.accept_amendment(actor(), found, merge=merge_now)
    db.session.commit()
    if new is not None:
        flash(f"{found.label} is accepted as friendly and merged: version {new.number}.")
    else:
        flash(f"{found.label} is accepted as friendly; merge it with others from the draft page.")
    return _to_amendment(draft, found)


@bp.post("/<int:draft_id>/amendments/<int:number>/rule-out")
@login_required
def rule_out(draft_id: int, number: int) -> Response:
    draft = _draft(draft_id)
    found = _amendment(draft, number)
    _require_convener(draft)
    form = ReasonForm()
    ensure_valid(form)
    services.rule_out_amendment(actor(), found, form.reason.data)
    db.session.commit()
    flash(f"{found.label} is ruled out of order.")
    return _to_amendment(draft, found)


@bp.post("/<int:draft_id>/amendments/<int:number>/ungroup")
@login_required
def ungroup(draft_id: int, number: int) -> Response:
    draft = _draft(draft_id)
    found = _amendment(draft, number)
    _require_convener(draft)
    ensure_valid(ActionForm())
    services.ungroup_amendment(actor(), found)
    db.session.commit()
    flash(f"{found.label} no longer competes in a group.")
    return _to_amendment(draft, found)
