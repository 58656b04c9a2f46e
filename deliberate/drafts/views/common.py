"""The drafts blueprint and what its pages share: the draft or amendment, addresses, checks."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, render_template, url_for
from flask_wtf import FlaskForm

from deliberate.auth import actor, get_or_404, require
from deliberate.drafts import pages, queries
from deliberate.drafts.models import Amendment, Draft
from deliberate.drafts.permissions import can_convene
from deliberate.errors import NotFound

bp = Blueprint("drafts", __name__, url_prefix="/drafts")


def _draft(draft_id: int) -> Draft:
    return get_or_404(Draft, draft_id, "That draft")


def _amendment(draft: Draft, number: int) -> Amendment:
    amendment = queries.amendment_by_number(draft, number)
    if amendment is None:
        raise NotFound(f"This draft has no amendment A{number}.")
    return amendment


def _draft_url(draft: Draft) -> str:
    return url_for("drafts.detail", draft_id=draft.id)


def _amendment_url(amendment: Amendment) -> str:
    return url_for("drafts.amendment", draft_id=amendment.draft_id, number=amendment.number)


def _require_convener(draft: Draft) -> None:
    require(can_convene(actor(), draft), "Only the draft's conveners can do this.")


def _draft_page(draft: Draft, **forms: FlaskForm) -> Callable[[], str]:
    """The draft page again with the conveners' forms as posted: how a refusal answers."""
    return lambda: render_template(
        "drafts/detail.html", **pages.draft_context(draft.id, actor(), {}, forms=forms)
    )


def _amendment_page(draft: Draft, amendment: Amendment, **forms: FlaskForm) -> Callable[[], str]:
    """The amendment page again with the forms as posted: how a refusal answers."""
    return lambda: render_template(
        "drafts/amendment.html",
        **pages.amendment_context(
            draft,
            amendment,
            actor(),
            pages.amendment_stamps(draft.id, amendment.number),
            forms=forms,
        ),
    )
