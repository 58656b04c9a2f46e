"""Amendments by their proposers and seconders: propose, edit or update, withdraw, second."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from deliberate.accounts.models import Member
from deliberate.database import rows_matched, utcnow
from deliberate.drafts import rules, text
from deliberate.drafts.models import (
    Amendment,
    AmendmentKind,
    AmendmentSecond,
    AmendmentState,
    Draft,
    DraftVersion,
)
from deliberate.drafts.queries import second_count
from deliberate.drafts.services.common import (
    MAX_BODY,
    MAX_PARAGRAPHS,
    MAX_RATIONALE,
    _clean_markdown,
    _clean_reason,
    _clean_title,
    _event,
    _lock_amendment,
    _lock_draft,
    _move,
    _require_active,
    _require_not_final,
)
from deliberate.drafts.services.convening import _auto_group
from deliberate.drafts.services.drafts import window_closed_message
from deliberate.drafts.services.versions import _current_version
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.markup import render_markdown


def _build_change(
    draft: Draft, version: DraftVersion, kind: str, first: int | None, last: int | None, body: str
) -> text.Change:
    if kind not in {k.value for k in AmendmentKind}:
        raise ValidationError(f"Unknown kind of amendment “{str(kind)[:30]}”.")
    n = version.paragraph_count
    if kind == AmendmentKind.SUBSTITUTE:
        first, last = 1, n
    elif kind == AmendmentKind.INSERT_AFTER:
        if first is None:
            raise ValidationError("Choose the paragraph after which the new text goes.")
        last = first
    elif first is None or last is None:
        raise ValidationError(
            "Choose the first and last paragraph the amendment changes.", field="first"
        )
    new_text = "" if kind == AmendmentKind.DELETE else body
    paragraphs = tuple(text.split_paragraphs(new_text))
    if kind != AmendmentKind.DELETE and len(paragraphs) > MAX_PARAGRAPHS:
        raise ValidationError(
            f"An amendment has at most {MAX_PARAGRAPHS:,} paragraphs.", field="new_text"
        )
    change = text.Change(kind, first, last, paragraphs)
    try:
        text.check_change(change, n, f"version {version.number}")
    except text.RangeError as error:
        raise ValidationError(str(error), field=error.field) from None
    if kind in (AmendmentKind.REPLACE, AmendmentKind.SUBSTITUTE):
        old = text.split_paragraphs(version.body)[first - 1 : last]
        if list(paragraphs) == old:
            raise ValidationError(
                "The new text is the same as the current text of "
                f"{change.describe()}; change something.",
                field="new_text",
            )
    return change


def propose_amendment(
    actor: Member,
    draft: Draft,
    *,
    version_number: int,
    kind: str,
    first: int | None,
    last: int | None,
    new_text: str,
    title: str,
    rationale: str,
    now: datetime | None = None,
) -> Amendment:
    """Propose an amendment to the current version while the window is open.

    `version_number` is the version the member was reading; an amendment to a superseded
    version is refused. Collisions with other open amendments group them as competing.
    """
    _require_active(actor)
    title = _clean_title(title)
    rationale = _clean_markdown(rationale, "The rationale", MAX_RATIONALE)
    body = _clean_markdown(new_text, "The new text", MAX_BODY, required=False)
    draft = _lock_draft(draft)
    closed = window_closed_message(draft, now)
    if closed:
        raise InvalidTransition(closed)
    if version_number != draft.current_version_number:
        raise InvalidTransition(
            f"Version {version_number} has been superseded: the draft is now at version "
            f"{draft.current_version_number}. Amend the current text."
        )
    version = _current_version(draft)
    change = _build_change(draft, version, kind, first, last, body)
    number = draft.next_amendment_number
    draft.next_amendment_number = number + 1
    amendment = Amendment(
        draft_id=draft.id,
        number=number,
        version_id=version.id,
        kind=kind,
        first_paragraph=change.first,
        last_paragraph=change.last,
        new_text=text.join_paragraphs(change.paragraphs),
        title=title,
        rationale=rationale,
        rationale_html=render_markdown(rationale),
        proposer_id=actor.id,
        state=AmendmentState.PROPOSED,
    )
    try:
        with db.session.begin_nested():
            db.session.add(amendment)
            db.session.flush()
    except IntegrityError:
        raise InvalidTransition(
            "Another amendment took this number; please submit again."
        ) from None
    _event(
        amendment,
        actor,
        "proposed",
        f"Proposed against version {version.number} ({amendment.range_label}).",
        to_state=AmendmentState.PROPOSED,
    )
    if draft.seconds_required == 0:
        _move(amendment, None, AmendmentState.TABLED, "tabled", "Tabled (no seconders needed).")
    _auto_group(actor, draft, amendment)
    db.session.flush()
    return amendment


def edit_amendment(
    actor: Member,
    amendment: Amendment,
    *,
    version_number: int,
    kind: str,
    first: int | None,
    last: int | None,
    new_text: str,
    title: str,
    rationale: str,
    now: datetime | None = None,
) -> None:
    """The proposer edits an amendment until its first second, or updates one that needs it.

    Updating an amendment that needs an update re-bases it on the current version and returns
    it to `proposed`; its seconds were for another text and are cleared.
    """
    _require_active(actor)
    if amendment.proposer_id != actor.id:
        raise PermissionDenied("Only the proposer can edit an amendment.")
    title = _clean_title(title)
    rationale = _clean_markdown(rationale, "The rationale", MAX_RATIONALE)
    body = _clean_markdown(new_text, "The new text", MAX_BODY, required=False)
    draft = _lock_draft(db.session.get_one(Draft, amendment.draft_id))
    amendment = _lock_amendment(amendment)
    updating = amendment.state == AmendmentState.NEEDS_UPDATE
    if updating:
        if draft.state not in rules.SECONDING_DRAFT_STATES:
            raise InvalidTransition(
                f"This draft is {draft.state_label}; amendments can no longer be updated."
            )
    else:
        if amendment.state != AmendmentState.PROPOSED:
            raise InvalidTransition(
                f"{amendment.label} is {amendment.state_label}; it can no longer be edited."
            )
        if second_count(amendment) > 0:
            raise InvalidTransition(
                f"{amendment.label} has been seconded; it can no longer be edited. Withdraw it "
                "and propose a new one if the text must change."
            )
        closed = window_closed_message(draft, now)
        if closed:
            raise InvalidTransition(closed)
    if version_number != draft.current_version_number:
        raise InvalidTransition(
            f"Version {version_number} has been superseded: the draft is now at version "
            f"{draft.current_version_number}. Edit against the current text."
        )
    version = _current_version(draft)
    change = _build_change(draft, version, kind, first, last, body)
    amendment.version_id = version.id
    amendment.kind = kind
    amendment.first_paragraph, amendment.last_paragraph = change.first, change.last
    amendment.new_text = text.join_paragraphs(change.paragraphs)
    amendment.title = title
    amendment.rationale = rationale
    amendment.rationale_html = render_markdown(rationale)
    amendment.updated_at = utcnow()
    if updating:
        cleared = rows_matched(
            db.session.execute(
                delete(AmendmentSecond).where(AmendmentSecond.amendment_id == amendment.id)
            )
        )
        _move(
            amendment,
            actor,
            AmendmentState.PROPOSED,
            "updated",
            f"Updated against version {version.number} ({amendment.range_label})"
            + (
                f"; {cleared} earlier second{'s' if cleared != 1 else ''} cleared."
                if cleared
                else "."
            ),
        )
        if draft.seconds_required == 0:
            _move(amendment, None, AmendmentState.TABLED, "tabled", "Tabled (no seconders needed).")
    else:
        _event(amendment, actor, "edited", f"Edited ({amendment.range_label}).")
    db.session.flush()
    _auto_group(actor, draft, amendment)


def withdraw_amendment(actor: Member, amendment: Amendment, reason: str = "") -> None:
    """The proposer withdraws the amendment, until a vote on it opens."""
    _require_active(actor)
    if amendment.proposer_id != actor.id:
        raise PermissionDenied("Only the proposer can withdraw an amendment.")
    reason = _clean_reason(reason, required=False)
    amendment = _lock_amendment(amendment)
    _require_not_final(db.session.get_one(Draft, amendment.draft_id))
    if amendment.state not in rules.WITHDRAWABLE_AMENDMENT_STATES:
        raise InvalidTransition(
            f"{amendment.label} is {amendment.state_label}; it can no longer be withdrawn."
        )
    _move(
        amendment,
        actor,
        AmendmentState.WITHDRAWN,
        "withdrawn",
        "Withdrawn by the proposer.",
        reason,
    )
    db.session.flush()


def withdraw_second(actor: Member, amendment: Amendment) -> None:
    """Take back one's second of an amendment that is still awaiting seconders.

    Once tabled, an amendment is on the floor: its seconds stand. Raises ValidationError when
    the member had not seconded it, InvalidTransition when it is no longer awaiting seconders.
    """
    _require_active(actor)
    amendment = _lock_amendment(amendment)
    if amendment.state != AmendmentState.PROPOSED:
        raise InvalidTransition(
            f"{amendment.label} is {amendment.state_label}; a second can be withdrawn only "
            "while the amendment awaits seconders."
        )
    removed = db.session.execute(
        delete(AmendmentSecond).where(
            AmendmentSecond.amendment_id == amendment.id, AmendmentSecond.member_id == actor.id
        )
    )
    if not rows_matched(removed):
        raise ValidationError(f"You have not seconded {amendment.label}.")
    db.session.flush()


def second_amendment(actor: Member, amendment: Amendment) -> bool:
    """Second an amendment; returns True when this second tabled it.

    The proposer cannot second their own amendment; a member seconds an amendment once.
    """
    _require_active(actor)
    if amendment.proposer_id == actor.id:
        raise ValidationError("You proposed this amendment; seconders must be other members.")
    draft = db.session.get_one(Draft, amendment.draft_id)
    if draft.state not in rules.SECONDING_DRAFT_STATES:
        raise InvalidTransition(
            f"This draft is {draft.state_label}; amendments can be seconded while amendments "
            "are open or under debate."
        )
    amendment = _lock_amendment(amendment)
    if amendment.state not in rules.SECONDABLE_AMENDMENT_STATES:
        raise InvalidTransition(
            f"{amendment.label} is {amendment.state_label}; it can no longer be seconded."
        )
    try:
        with db.session.begin_nested():
            db.session.add(AmendmentSecond(amendment_id=amendment.id, member_id=actor.id))
    except IntegrityError:
        raise ValidationError(f"You have already seconded {amendment.label}.") from None
    count = second_count(amendment)
    if amendment.state == AmendmentState.PROPOSED and count >= draft.seconds_required:
        _move(
            amendment,
            None,
            AmendmentState.TABLED,
            "tabled",
            f"Tabled: {count} member{'s' if count != 1 else ''} seconded it.",
        )
        db.session.flush()
        return True
    db.session.flush()
    return False
