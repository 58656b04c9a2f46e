"""What the drafts services share: limits, input cleaning, row locks, amendment history
and the usual checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from deliberate import cleaning
from deliberate.accounts.models import Member
from deliberate.database import utcnow
from deliberate.drafts import rules, text
from deliberate.drafts.models import Amendment, AmendmentEvent, AmendmentState, Draft
from deliberate.drafts.permissions import can_convene
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.webhooks.models import WebhookEvent
from deliberate.webhooks.outbox import emit, site_link

DEFAULT_LINE_WIDTH = 80
DEFAULT_SECONDS_REQUIRED = 2
MAX_TITLE = 200
MAX_BODY = 500_000
MAX_PARAGRAPHS = 2_000
MAX_RATIONALE = 20_000
MAX_REASON = 2_000
MAX_NOTE = 500


def format_utc(moment: datetime) -> str:
    return moment.strftime("%d %B %Y at %H:%M UTC").lstrip("0")


# --- input cleaning ---------------------------------------------------------------------------


def _clean_title(raw: str | None, what: str = "The title") -> str:
    return cleaning.clean_line(
        raw,
        max_length=MAX_TITLE,
        empty=f"{what} is empty; write one.",
        too_long=f"{what} has at most {{limit}} characters.",
        control=f"{what} contains control characters; remove them.",
    )


def _clean_markdown(raw: str | None, what: str, limit: int, *, required: bool = True) -> str:
    # Lines lose their trailing spaces, so line numbers do not depend on invisible characters.
    return cleaning.clean_text(
        raw,
        max_length=limit,
        empty=f"{what} is empty; write it." if required else None,
        too_long=f"{what} has at most {{limit:,}} characters.",
        control=f"{what} contains control characters; remove them.",
        normalize=text.normalize_text,
    )


def _clean_body(raw: str | None) -> list[str]:
    body = _clean_markdown(raw, "The text", MAX_BODY)
    paragraphs = text.split_paragraphs(body)
    if len(paragraphs) > MAX_PARAGRAPHS:
        raise ValidationError(f"A text has at most {MAX_PARAGRAPHS:,} paragraphs.")
    return paragraphs


def _clean_reason(raw: str | None, what: str = "The reason", *, required: bool = True) -> str:
    return cleaning.clean_text(
        raw,
        max_length=MAX_REASON,
        empty=f"{what} is required; say why." if required else None,
        too_long=f"{what} has at most {{limit:,}} characters.",
        control=f"{what} contains control characters; remove them.",
    )


# --- locking and history ----------------------------------------------------------------------


def _lock_draft(draft: Draft) -> Draft:
    """Lock the draft's row for this transaction and reload it (FOR UPDATE on PostgreSQL;
    SQLite transactions that write are already serialized by BEGIN IMMEDIATE)."""
    return db.session.execute(
        select(Draft)
        .where(Draft.id == draft.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _lock_amendment(amendment: Amendment) -> Amendment:
    return db.session.execute(
        select(Amendment)
        .where(Amendment.id == amendment.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _lock_amendments(*criteria: Any) -> list[Amendment]:
    """Lock and reload the amendments matching `criteria`, in number order, in one query."""
    return list(
        db.session.scalars(
            select(Amendment)
            .where(*criteria)
            .order_by(Amendment.number)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def _event(
    amendment: Amendment,
    actor: Member | None,
    action: str,
    summary: str,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str = "",
) -> None:
    db.session.add(
        AmendmentEvent(
            amendment_id=amendment.id,
            actor_id=actor.id if actor is not None else None,
            action=action,
            from_state=from_state,
            to_state=to_state,
            summary=summary[:500],
            reason=reason,
        )
    )


def _move(
    amendment: Amendment,
    actor: Member | None,
    to_state: AmendmentState,
    action: str,
    summary: str,
    reason: str = "",
) -> None:
    """Change the (locked) amendment's state along an allowed transition, with its event."""
    from_state = amendment.state
    if to_state not in rules.AMENDMENT_TRANSITIONS[from_state]:
        raise InvalidTransition(
            f"{amendment.label} is {AmendmentState(from_state).label}; it cannot become "
            f"{to_state.label}."
        )
    amendment.state = to_state
    amendment.updated_at = utcnow()
    _event(
        amendment,
        actor,
        action,
        summary,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
    )
    if to_state == AmendmentState.TABLED:  # once per amendment, even if tabled again
        emit(
            WebhookEvent.AMENDMENT_TABLED,
            str(amendment.id),
            {
                "draft_id": amendment.draft_id,
                "amendment": amendment.number,
                "title": amendment.title,
                "url": site_link(f"/drafts/{amendment.draft_id}/amendments/{amendment.number}"),
            },
        )


def _require_active(actor: Member) -> None:
    if not actor.is_active:
        raise PermissionDenied("Suspended members cannot take part.")


def _require_convener(actor: Member, draft: Draft, what: str) -> None:
    if not can_convene(actor, draft):
        raise PermissionDenied(f"Only the draft's conveners can {what}.")


def _require_not_final(draft: Draft) -> None:
    if draft.is_final:
        raise InvalidTransition(f"This draft is {draft.state_label}; it cannot change any more.")
