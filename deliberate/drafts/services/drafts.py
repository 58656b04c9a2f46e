"""Drafts and their amendment window: create, edit details, revise, conveners, open, close,
withdraw."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from deliberate.accounts.models import Member
from deliberate.audit.services import record_action
from deliberate.database import rows_matched, utcnow
from deliberate.drafts import rules, text
from deliberate.drafts.models import Draft, DraftConvener, DraftKind, DraftState, DraftVersion
from deliberate.drafts.permissions import can_create_draft
from deliberate.drafts.queries import named_convener_ids
from deliberate.drafts.services.common import (
    DEFAULT_LINE_WIDTH,
    DEFAULT_SECONDS_REQUIRED,
    _clean_body,
    _clean_reason,
    _clean_title,
    _lock_draft,
    _require_convener,
    _require_not_final,
    format_utc,
)
from deliberate.drafts.services.versions import (
    _add_version,
    _advance_version,
    _current_version,
    _paragraph_texts,
)
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.timezones import format_moment


def _check_period(
    kind: str, valid_from: date | None, valid_until: date | None, evaluation_date: date | None
) -> None:
    if kind not in {k.value for k in DraftKind}:
        raise ValidationError(f"Unknown kind of draft “{str(kind)[:40]}”.")
    if kind == DraftKind.SITUATIONAL_OBJECTIVE and not (
        valid_from and valid_until and evaluation_date
    ):
        raise ValidationError(
            "A situational objective needs a validity period (from and until) and an "
            "evaluation date."
        )
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationError("The validity period ends before it starts.")
    if evaluation_date and valid_from and evaluation_date < valid_from:
        raise ValidationError("The evaluation date comes before the validity period starts.")


def create_draft(
    actor: Member,
    *,
    title: str,
    kind: str,
    body: str,
    valid_from: date | None = None,
    valid_until: date | None = None,
    evaluation_date: date | None = None,
    conveners: Iterable[Member] = (),
    line_width: int = DEFAULT_LINE_WIDTH,
    seconds_required: int = DEFAULT_SECONDS_REQUIRED,
) -> Draft:
    """Create a draft with its first version. Conveners and admins only.

    `conveners` are members named to convene this draft besides the organization's conveners.
    `line_width` and `seconds_required` are the organization's settings, kept with the draft.
    """
    if not can_create_draft(actor):
        raise PermissionDenied("Only conveners and admins create drafts.")
    title = _clean_title(title)
    _check_period(kind, valid_from, valid_until, evaluation_date)
    paragraphs = _clean_body(body)
    named = list({m.id: m for m in conveners}.values())
    for member in named:
        if not member.is_active:
            raise ValidationError(f"{member.display_name} is suspended and cannot convene.")
    draft = Draft(
        title=title,
        kind=kind,
        state=DraftState.DRAFTING,
        current_version_number=1,
        next_amendment_number=1,
        line_width=line_width,
        seconds_required=seconds_required,
        valid_from=valid_from,
        valid_until=valid_until,
        evaluation_date=evaluation_date,
        created_by_id=actor.id,
    )
    db.session.add(draft)
    db.session.flush()
    _add_version(draft, actor, paragraphs, "first version", 1)
    for member in named:
        db.session.add(DraftConvener(draft_id=draft.id, member_id=member.id, added_by_id=actor.id))
    db.session.flush()
    record_action(
        actor,
        "draft.create",
        draft,
        f"Created draft “{title}”",
        conveners=[m.id for m in named],
    )
    return draft


def update_draft_details(
    actor: Member,
    draft: Draft,
    *,
    title: str,
    kind: str,
    valid_from: date | None,
    valid_until: date | None,
    evaluation_date: date | None,
) -> None:
    """Conveners correct the title, kind, validity period and evaluation date."""
    _require_convener(actor, draft, "edit its details")
    draft = _lock_draft(draft)
    _require_not_final(draft)
    title = _clean_title(title)
    _check_period(kind, valid_from, valid_until, evaluation_date)
    draft.title, draft.kind = title, kind
    draft.valid_from, draft.valid_until = valid_from, valid_until
    draft.evaluation_date = evaluation_date
    draft.updated_at = utcnow()
    db.session.flush()
    record_action(actor, "draft.edit", draft, f"Edited the details of “{title}”")


def revise_draft(
    actor: Member, draft: Draft, *, body: str, note: str, version_number: int
) -> DraftVersion:
    """While drafting, conveners publish a revised text as the next version.

    `version_number` is the version the convener edited; a newer one refuses the revision.
    """
    _require_convener(actor, draft, "revise its text")
    draft = _lock_draft(draft)
    if draft.state not in rules.REVISABLE_DRAFT_STATES:
        raise InvalidTransition(
            "The text can be revised directly only while drafting; once amendments are open it "
            "changes through amendments."
        )
    if version_number != draft.current_version_number:
        raise InvalidTransition(
            f"You edited version {version_number}, but the draft is now at version "
            f"{draft.current_version_number}. Reload the page and edit the current text."
        )
    paragraphs = _clean_body(body)
    note = _clean_reason(note, "The note on what changed")
    old = _current_version(draft)
    old_paragraphs = _paragraph_texts(old)
    if paragraphs == old_paragraphs:
        raise ValidationError("The text is unchanged; there is nothing to publish.")
    changes = text.changes_between(old_paragraphs, paragraphs)
    new = _advance_version(draft, actor, old, paragraphs, changes, note)
    record_action(actor, "draft.revise", draft, f"Published version {new.number}", note=note)
    return new


def add_convener(actor: Member, draft: Draft, member: Member) -> None:
    """Name `member` a convener of this draft."""
    _require_convener(actor, draft, "name conveners")
    _require_not_final(draft)
    if not member.is_active:
        raise ValidationError(f"{member.display_name} is suspended and cannot convene.")
    if member.id in named_convener_ids(draft):
        raise InvalidTransition(f"{member.display_name} already convenes this draft.")
    try:
        with db.session.begin_nested():
            db.session.add(
                DraftConvener(draft_id=draft.id, member_id=member.id, added_by_id=actor.id)
            )
    except IntegrityError:
        raise InvalidTransition(f"{member.display_name} already convenes this draft.") from None
    record_action(actor, "draft.add_convener", draft, f"Named {member.display_name} convener")


def remove_convener(actor: Member, draft: Draft, member: Member) -> None:
    _require_convener(actor, draft, "remove conveners")
    removed = db.session.execute(
        delete(DraftConvener).where(
            DraftConvener.draft_id == draft.id, DraftConvener.member_id == member.id
        )
    )
    if rows_matched(removed) != 1:
        raise InvalidTransition(f"{member.display_name} is not a named convener of this draft.")
    record_action(
        actor, "draft.remove_convener", draft, f"{member.display_name} no longer convenes"
    )


def _move_draft(draft: Draft, to_state: DraftState) -> None:
    if to_state not in rules.DRAFT_TRANSITIONS[draft.state]:
        raise InvalidTransition(
            f"This draft is {draft.state_label}; it cannot move to {to_state.label}."
        )
    draft.state = to_state
    draft.updated_at = utcnow()


def open_amendment_window(
    actor: Member, draft: Draft, deadline: datetime, *, now: datetime | None = None
) -> None:
    """Open (or extend) the amendment window until `deadline` (aware UTC, in the future)."""
    _require_convener(actor, draft, "open the amendment window")
    now = now or utcnow()
    if deadline.tzinfo is None:
        raise ValidationError("Give the deadline in UTC.")
    if deadline <= now:
        raise ValidationError(
            f"The deadline must be in the future; {format_moment(deadline)} has passed."
        )
    draft = _lock_draft(draft)
    _require_not_final(draft)
    _move_draft(draft, DraftState.AMENDMENTS_OPEN)
    draft.amendment_deadline_at = deadline
    draft.amendments_closed_at = None
    db.session.flush()
    record_action(
        actor,
        "draft.open_window",
        draft,
        f"Opened amendments until {format_utc(deadline)}",
        deadline=deadline.isoformat(),
    )


def close_amendment_window(actor: Member, draft: Draft, *, now: datetime | None = None) -> None:
    """Close the window now (or record that its deadline closed it); the debate begins."""
    _require_convener(actor, draft, "close the amendment window")
    now = now or utcnow()
    draft = _lock_draft(draft)
    if draft.state != DraftState.AMENDMENTS_OPEN:
        raise InvalidTransition("The amendment window is not open.")
    _move_draft(draft, DraftState.DEBATE)
    deadline = draft.amendment_deadline_at
    draft.amendments_closed_at = min(now, deadline) if deadline else now
    db.session.flush()
    record_action(actor, "draft.close_window", draft, "Closed the amendment window")


def withdraw_draft(actor: Member, draft: Draft, reason: str) -> None:
    """Conveners withdraw the draft; its open amendments lapse with it."""
    _require_convener(actor, draft, "withdraw it")
    reason = _clean_reason(reason)
    draft = _lock_draft(draft)
    _require_not_final(draft)
    _move_draft(draft, DraftState.WITHDRAWN)
    db.session.flush()
    record_action(actor, "draft.withdraw", draft, "Withdrew the draft", reason=reason)


def window_closed_message(draft: Draft, now: datetime | None = None) -> str | None:
    """None while members may propose amendments; otherwise why not (times in the reader's
    zone)."""
    now = now or utcnow()
    if draft.is_final:
        return f"This draft is {draft.state_label}; it takes no more amendments."
    if draft.state == DraftState.AMENDMENTS_OPEN:
        deadline = draft.amendment_deadline_at
        if deadline is not None and now < deadline:
            return None
        if deadline is not None:
            return f"The amendment window closed on {format_moment(deadline)}."
    if draft.amendments_closed_at is not None:
        return f"The amendment window closed on {format_moment(draft.amendments_closed_at)}."
    return "The amendment window for this draft has not opened yet."
