"""State changes for drafts, versions and amendments: propose, second, sponsor, accept, merge.

Every function takes the acting member, flushes and never commits, and raises the domain
errors with a message for the member. Rows whose state decides what is allowed (the draft
while a version or number is allocated, an amendment while its state changes) are locked
first, so concurrent requests queue instead of both succeeding.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from deliberate.accounts.models import Member
from deliberate.audit.services import record_action
from deliberate.database import utcnow
from deliberate.drafts import rules, text
from deliberate.drafts.models import (
    Amendment,
    AmendmentCosponsor,
    AmendmentEvent,
    AmendmentKind,
    AmendmentSecond,
    AmendmentState,
    CompetitionGroup,
    Draft,
    DraftConvener,
    DraftKind,
    DraftParagraph,
    DraftState,
    DraftVersion,
)
from deliberate.drafts.permissions import can_convene, can_create_draft
from deliberate.drafts.queries import (
    as_change,
    named_convener_ids,
    open_amendments_on,
    second_count,
)
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.markup import render_markdown
from deliberate.tendencies.models import Tendency
from deliberate.tendencies.permissions import is_coordinator
from deliberate.tendencies.queries import current_membership

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


def _refuse_control_characters(value: str, what: str) -> None:
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise ValidationError(f"{what} contains control characters; remove them.")


def _clean_title(raw: str | None, what: str = "The title") -> str:
    title = " ".join((raw or "").split())
    _refuse_control_characters(title, what)
    if not title:
        raise ValidationError(f"{what} is empty; write one.")
    if len(title) > MAX_TITLE:
        raise ValidationError(f"{what} has at most {MAX_TITLE} characters.")
    return title


def _clean_markdown(raw: str | None, what: str, limit: int, *, required: bool = True) -> str:
    value = text.normalize_text(raw or "")
    _refuse_control_characters(value, what)
    if required and not value.strip():
        raise ValidationError(f"{what} is empty; write it.")
    if len(value) > limit:
        raise ValidationError(f"{what} has at most {limit:,} characters.")
    return value


def _clean_body(raw: str | None) -> list[str]:
    body = _clean_markdown(raw, "The text", MAX_BODY)
    paragraphs = text.split_paragraphs(body)
    if len(paragraphs) > MAX_PARAGRAPHS:
        raise ValidationError(f"A text has at most {MAX_PARAGRAPHS:,} paragraphs.")
    return paragraphs


def _clean_reason(raw: str | None, what: str = "The reason", *, required: bool = True) -> str:
    reason = text.normalize_text(raw or "").strip()
    _refuse_control_characters(reason, what)
    if required and not reason:
        raise ValidationError(f"{what} is required; say why.")
    if len(reason) > MAX_REASON:
        raise ValidationError(f"{what} has at most {MAX_REASON:,} characters.")
    return reason


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


def _require_active(actor: Member) -> None:
    if not actor.is_active:
        raise PermissionDenied("Suspended members cannot take part.")


def _require_convener(actor: Member, draft: Draft, what: str) -> None:
    if not can_convene(actor, draft):
        raise PermissionDenied(f"Only the draft's conveners can {what}.")


def _require_not_final(draft: Draft) -> None:
    if draft.is_final:
        raise InvalidTransition(f"This draft is {draft.state_label}; it cannot change any more.")


# --- versions -----------------------------------------------------------------------------------


def _render_paragraphs(
    version: DraftVersion, paragraphs: Sequence[str], width: int
) -> tuple[list[DraftParagraph], str, int]:
    rows, htmls, line = [], [], 1
    for number, markdown in enumerate(paragraphs, start=1):
        html = render_markdown(markdown)
        numbered = text.number_lines(html, width, line)
        rows.append(
            DraftParagraph(
                version_id=version.id,
                number=number,
                markdown=markdown,
                html=html,
                numbered_html=numbered.html,
                first_line=line,
                line_count=numbered.line_count,
            )
        )
        htmls.append(html)
        line += numbered.line_count
    return rows, "\n".join(htmls), line - 1


def _add_version(
    draft: Draft, author: Member | None, paragraphs: Sequence[str], note: str, number: int
) -> DraftVersion:
    """Insert version `number` with its rendered paragraphs (the caller holds the draft lock)."""
    if not paragraphs:
        raise ValidationError("The text would be empty; a draft needs at least one paragraph.")
    body = text.join_paragraphs(paragraphs)
    version = DraftVersion(
        draft_id=draft.id,
        number=number,
        body=body,
        body_html="",
        line_width=draft.line_width,
        paragraph_count=len(paragraphs),
        line_count=0,
        author_id=author.id if author is not None else None,
        note=note[:MAX_NOTE],
    )
    rows, body_html, line_count = _render_paragraphs(version, paragraphs, draft.line_width)
    version.body_html = body_html
    version.line_count = line_count
    try:
        with db.session.begin_nested():
            db.session.add(version)
            db.session.flush()
            for row in rows:
                row.version_id = version.id
            db.session.add_all(rows)
            db.session.flush()
    except IntegrityError:
        raise InvalidTransition(
            f"Version {number} of this draft was just made by someone else. Reload the page "
            "and try again."
        ) from None
    return version


def _advance_version(
    draft: Draft,
    author: Member | None,
    old: DraftVersion,
    paragraphs: Sequence[str],
    changes: Sequence[text.Change],
    note: str,
    merged_ids: frozenset[int] = frozenset(),
) -> DraftVersion:
    """Make version n+1 from `paragraphs`, then carry open amendments over or flag them
    (except `merged_ids`, the amendments this version merges)."""
    advanced = db.session.execute(
        update(Draft)
        .where(Draft.id == draft.id, Draft.current_version_number == old.number)
        .values(current_version_number=old.number + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if advanced.rowcount != 1:
        raise InvalidTransition(
            f"This draft moved past version {old.number} meanwhile. Reload the page and try again."
        )
    new = _add_version(draft, author, paragraphs, note, old.number + 1)
    db.session.refresh(draft)
    _carry_over(old, new, changes, merged_ids)
    return new


def _carry_over(
    old: DraftVersion,
    new: DraftVersion,
    changes: Sequence[text.Change],
    merged_ids: frozenset[int],
) -> None:
    """Open amendments on `old` whose paragraphs did not change move to `new`; the others are
    marked as needing an update, with the reason on their page."""
    for amendment in _lock_amendments(
        Amendment.version_id == old.id,
        Amendment.state.in_(rules.OPEN_AMENDMENT_STATES),
        Amendment.id.not_in(merged_ids),
    ):
        moved = text.rebase(as_change(amendment), changes)
        if moved is None:
            _move(
                amendment,
                None,
                AmendmentState.NEEDS_UPDATE,
                "needs_update",
                f"Version {new.number} changed the paragraphs this amendment touches "
                f"({amendment.range_label} of version {old.number}); the proposer must update it.",
                reason=new.note,
            )
            continue
        before = amendment.range_label
        amendment.version_id = new.id
        if amendment.kind == AmendmentKind.SUBSTITUTE:  # pragma: no cover - always collides
            continue
        amendment.first_paragraph, amendment.last_paragraph = moved.first, moved.last
        after = amendment.range_label
        _event(
            amendment,
            None,
            "carried_over",
            f"Carried over to version {new.number}"
            + (f": {before} is now {after}." if before != after else f", still {after}."),
        )
    db.session.flush()


def _current_version(draft: Draft) -> DraftVersion:
    return db.session.execute(
        select(DraftVersion).where(
            DraftVersion.draft_id == draft.id,
            DraftVersion.number == draft.current_version_number,
        )
    ).scalar_one()


def _paragraph_texts(version: DraftVersion) -> list[str]:
    return list(
        db.session.scalars(
            select(DraftParagraph.markdown)
            .where(DraftParagraph.version_id == version.id)
            .order_by(DraftParagraph.number)
        )
    )


# --- drafts -------------------------------------------------------------------------------------


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
    if removed.rowcount != 1:
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
            f"The deadline must be in the future; {format_utc(deadline)} has passed."
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
    """None while members may propose amendments; otherwise why not."""
    now = now or utcnow()
    if draft.is_final:
        return f"This draft is {draft.state_label}; it takes no more amendments."
    if draft.state == DraftState.AMENDMENTS_OPEN:
        deadline = draft.amendment_deadline_at
        if deadline is not None and now < deadline:
            return None
        if deadline is not None:
            return f"The amendment window closed on {format_utc(deadline)}."
    if draft.amendments_closed_at is not None:
        return f"The amendment window closed on {format_utc(draft.amendments_closed_at)}."
    return "The amendment window for this draft has not opened yet."


# --- amendments: proposing and editing ------------------------------------------------------


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
        raise ValidationError("Choose the first and last paragraph the amendment changes.")
    new_text = "" if kind == AmendmentKind.DELETE else body
    paragraphs = tuple(text.split_paragraphs(new_text))
    if kind != AmendmentKind.DELETE and len(paragraphs) > MAX_PARAGRAPHS:
        raise ValidationError(f"An amendment has at most {MAX_PARAGRAPHS:,} paragraphs.")
    change = text.Change(kind, first, last, paragraphs)
    try:
        text.check_change(change, n, f"version {version.number}")
    except text.RangeError as error:
        raise ValidationError(str(error)) from None
    if kind in (AmendmentKind.REPLACE, AmendmentKind.SUBSTITUTE):
        old = text.split_paragraphs(version.body)[first - 1 : last]
        if list(paragraphs) == old:
            raise ValidationError(
                "The new text is the same as the current text of "
                f"{change.describe()}; change something."
            )
    return change


def _auto_group(actor: Member | None, draft: Draft, amendment: Amendment) -> None:
    """Put `amendment` in one competition group with the open amendments it collides with."""
    mine = as_change(amendment)
    rivals = [
        other
        for other in open_amendments_on(amendment.version_id)
        if other.id != amendment.id and text.collides(mine, as_change(other))
    ]
    if not rivals:
        return
    _join_group(actor, draft, [amendment, *rivals], automatic=True)


def _join_group(
    actor: Member | None, draft: Draft, amendments: list[Amendment], *, automatic: bool
) -> CompetitionGroup:
    existing_ids = sorted({a.competition_group_id for a in amendments if a.competition_group_id})
    if existing_ids:
        group = db.session.get_one(CompetitionGroup, existing_ids[0])
        others = existing_ids[1:]
        if others:
            db.session.execute(
                update(Amendment)
                .where(Amendment.competition_group_id.in_(others))
                .values(competition_group_id=group.id)
                .execution_options(synchronize_session="fetch")
            )
    else:
        number = (
            db.session.scalar(
                select(CompetitionGroup.number)
                .where(CompetitionGroup.draft_id == draft.id)
                .order_by(CompetitionGroup.number.desc())
                .limit(1)
            )
            or 0
        ) + 1
        group = CompetitionGroup(
            draft_id=draft.id, number=number, created_by_id=actor.id if actor else None
        )
        db.session.add(group)
        db.session.flush()
    for amendment in amendments:
        if amendment.competition_group_id != group.id:
            amendment.competition_group_id = group.id
            _event(
                amendment,
                None if automatic else actor,
                "grouped",
                (
                    f"Grouped as competing ({group.label}): its paragraphs overlap with "
                    if automatic
                    else f"Grouped by the conveners as competing ({group.label}) with "
                )
                + ", ".join(a.label for a in amendments if a.id != amendment.id)
                + ".",
            )
    db.session.flush()
    return group


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
        cleared = db.session.execute(
            delete(AmendmentSecond).where(AmendmentSecond.amendment_id == amendment.id)
        ).rowcount
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


# --- seconds and sponsors -------------------------------------------------------------------------


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


def request_sponsorship(actor: Member, amendment: Amendment) -> Tendency:
    """The proposer asks their tendency to sponsor the amendment; its coordinators confirm."""
    _require_active(actor)
    if amendment.proposer_id != actor.id:
        raise PermissionDenied("Only the proposer can ask their tendency to sponsor it.")
    membership = current_membership(actor)
    if membership is None:
        raise InvalidTransition("You do not belong to a tendency that could sponsor it.")
    amendment = _lock_amendment(amendment)
    if amendment.state not in rules.SPONSORABLE_AMENDMENT_STATES:
        raise InvalidTransition(
            f"{amendment.label} is {amendment.state_label}; sponsorship can no longer change."
        )
    if amendment.sponsor_tendency_id is not None:
        tendency = db.session.get_one(Tendency, amendment.sponsor_tendency_id)
        raise InvalidTransition(
            f"Sponsorship by {tendency.name} is already "
            + ("confirmed." if amendment.sponsor_confirmed_at else "requested.")
        )
    amendment.sponsor_tendency_id = membership.tendency_id
    amendment.sponsor_confirmed_at = None
    _event(
        amendment,
        actor,
        "sponsor_requested",
        f"Asked {membership.tendency.name} to sponsor it.",
    )
    db.session.flush()
    return membership.tendency


def _sponsor(amendment: Amendment) -> Tendency:
    if amendment.sponsor_tendency_id is None:
        raise InvalidTransition(f"No tendency has been asked to sponsor {amendment.label}.")
    return db.session.get_one(Tendency, amendment.sponsor_tendency_id)


def confirm_sponsorship(actor: Member, amendment: Amendment) -> None:
    """A coordinator of the requested tendency confirms its sponsorship."""
    _require_active(actor)
    amendment = _lock_amendment(amendment)
    tendency = _sponsor(amendment)
    if not is_coordinator(actor, tendency):
        raise PermissionDenied(f"Only coordinators of {tendency.name} can confirm its sponsorship.")
    if amendment.sponsor_confirmed_at is not None:
        raise InvalidTransition(f"{tendency.name} already sponsors {amendment.label}.")
    if amendment.state not in rules.SPONSORABLE_AMENDMENT_STATES:
        raise InvalidTransition(
            f"{amendment.label} is {amendment.state_label}; sponsorship can no longer change."
        )
    amendment.sponsor_confirmed_at = utcnow()
    amendment.sponsor_confirmed_by_id = actor.id
    _event(amendment, actor, "sponsored", f"Sponsored by {tendency.name}.")
    db.session.flush()


def decline_sponsorship(actor: Member, amendment: Amendment, reason: str = "") -> None:
    """A coordinator declines (or ends) the tendency's sponsorship; the proposer may cancel
    a request not yet confirmed. Co-sponsorships lapse with the sponsorship."""
    _require_active(actor)
    reason = _clean_reason(reason, required=False)
    amendment = _lock_amendment(amendment)
    tendency = _sponsor(amendment)
    coordinating = is_coordinator(actor, tendency)
    cancelling = amendment.proposer_id == actor.id and amendment.sponsor_confirmed_at is None
    if not (coordinating or cancelling):
        raise PermissionDenied(f"Only coordinators of {tendency.name} can decline its sponsorship.")
    if amendment.state not in rules.SPONSORABLE_AMENDMENT_STATES:
        raise InvalidTransition(
            f"{amendment.label} is {amendment.state_label}; sponsorship can no longer change."
        )
    confirmed = amendment.sponsor_confirmed_at is not None
    amendment.sponsor_tendency_id = None
    amendment.sponsor_confirmed_at = None
    amendment.sponsor_confirmed_by_id = None
    db.session.execute(
        delete(AmendmentCosponsor).where(AmendmentCosponsor.amendment_id == amendment.id)
    )
    if cancelling and not coordinating:
        summary = f"The proposer cancelled the request to {tendency.name}."
    elif confirmed:
        summary = f"{tendency.name} ended its sponsorship."
    else:
        summary = f"{tendency.name} declined to sponsor it."
    _event(amendment, actor, "sponsor_declined", summary, reason=reason)
    db.session.flush()


def cosponsor_amendment(actor: Member, amendment: Amendment) -> None:
    """A member of another tendency co-sponsors a tendency-sponsored amendment."""
    _require_active(actor)
    amendment = _lock_amendment(amendment)
    if amendment.sponsor_tendency_id is None or amendment.sponsor_confirmed_at is None:
        raise InvalidTransition(
            f"{amendment.label} has no confirmed tendency sponsor; second it instead."
        )
    if amendment.state not in rules.SPONSORABLE_AMENDMENT_STATES:
        raise InvalidTransition(
            f"{amendment.label} is {amendment.state_label}; it can no longer be co-sponsored."
        )
    membership = current_membership(actor)
    if membership is None:
        raise InvalidTransition("Co-sponsors speak for members of a tendency; you belong to none.")
    if membership.tendency_id == amendment.sponsor_tendency_id:
        raise InvalidTransition(
            "Your tendency already sponsors this amendment; co-sponsors come from other tendencies."
        )
    try:
        with db.session.begin_nested():
            db.session.add(
                AmendmentCosponsor(
                    amendment_id=amendment.id,
                    member_id=actor.id,
                    tendency_id=membership.tendency_id,
                )
            )
    except IntegrityError:
        raise ValidationError(f"You already co-sponsor {amendment.label}.") from None
    _event(
        amendment, actor, "cosponsored", f"Co-sponsored by a member of {membership.tendency.name}."
    )
    db.session.flush()


def withdraw_cosponsorship(actor: Member, amendment: Amendment) -> None:
    _require_active(actor)
    removed = db.session.execute(
        delete(AmendmentCosponsor).where(
            AmendmentCosponsor.amendment_id == amendment.id,
            AmendmentCosponsor.member_id == actor.id,
        )
    )
    if removed.rowcount != 1:
        raise InvalidTransition(f"You do not co-sponsor {amendment.label}.")
    _event(amendment, actor, "cosponsor_withdrawn", "A co-sponsor withdrew.")
    db.session.flush()


# --- conveners' decisions -----------------------------------------------------------------------


def accept_amendment(
    actor: Member, amendment: Amendment, *, merge: bool = True
) -> DraftVersion | None:
    """Accept an amendment as friendly; by default it is merged at once into a new version."""
    draft = db.session.get_one(Draft, amendment.draft_id)
    _require_convener(actor, draft, "accept amendments")
    draft = _lock_draft(draft)
    _require_not_final(draft)
    amendment = _lock_amendment(amendment)
    if amendment.state not in rules.ACCEPTABLE_AMENDMENT_STATES:
        raise InvalidTransition(
            f"{amendment.label} is {amendment.state_label}; only amendments awaiting seconders "
            "or tabled can be accepted as friendly."
        )
    _move(amendment, actor, AmendmentState.ACCEPTED, "accepted", "Accepted as friendly.")
    db.session.flush()
    record_action(actor, "amendment.accept", amendment, f"Accepted {amendment.label} as friendly")
    if not merge:
        return None
    return merge_amendments(
        actor, draft, [amendment], note=f"accepted friendly amendment {amendment.label}"
    )


def rule_out_amendment(actor: Member, amendment: Amendment, reason: str) -> None:
    """Rule an amendment out of order, with the reason shown on its page."""
    draft = db.session.get_one(Draft, amendment.draft_id)
    _require_convener(actor, draft, "rule amendments out of order")
    reason = _clean_reason(reason)
    _require_not_final(draft)
    amendment = _lock_amendment(amendment)
    if amendment.state not in rules.RULABLE_OUT_AMENDMENT_STATES:
        raise InvalidTransition(
            f"{amendment.label} is {amendment.state_label}; it can no longer be ruled out of order."
        )
    _move(amendment, actor, AmendmentState.RULED_OUT, "ruled_out", "Ruled out of order.", reason)
    db.session.flush()
    record_action(
        actor,
        "amendment.rule_out",
        amendment,
        f"Ruled {amendment.label} out of order",
        reason=reason,
    )


def group_amendments(
    actor: Member, draft: Draft, amendments: Sequence[Amendment]
) -> CompetitionGroup:
    """Group amendments as competing (decided together); joins any groups they are in."""
    _require_convener(actor, draft, "group competing amendments")
    _require_not_final(draft)
    chosen = list({a.id: a for a in amendments}.values())
    if len(chosen) < 2:
        raise ValidationError("Choose at least two amendments to group as competing.")
    draft = _lock_draft(draft)
    locked = []
    for amendment in chosen:
        if amendment.draft_id != draft.id:
            raise ValidationError(f"{amendment.label} belongs to another draft.")
        amendment = _lock_amendment(amendment)
        if amendment.state not in rules.LIVE_AMENDMENT_STATES:
            raise InvalidTransition(
                f"{amendment.label} is {amendment.state_label}; only open amendments compete."
            )
        locked.append(amendment)
    group = _join_group(actor, draft, locked, automatic=False)
    record_action(
        actor,
        "amendment.group",
        draft,
        f"Grouped {', '.join(a.label for a in locked)} as competing",
        group=group.number,
    )
    return group


def ungroup_amendment(actor: Member, amendment: Amendment) -> None:
    """Take an amendment out of its competition group."""
    draft = db.session.get_one(Draft, amendment.draft_id)
    _require_convener(actor, draft, "change competition groups")
    _require_not_final(draft)
    amendment = _lock_amendment(amendment)
    if amendment.competition_group_id is None:
        raise InvalidTransition(f"{amendment.label} is not in a competition group.")
    group = db.session.get_one(CompetitionGroup, amendment.competition_group_id)
    amendment.competition_group_id = None
    _event(amendment, actor, "ungrouped", f"Taken out of {group.label} by the conveners.")
    db.session.flush()
    record_action(
        actor, "amendment.ungroup", amendment, f"Took {amendment.label} out of {group.label}"
    )


def merge_amendments(
    actor: Member | None,
    draft: Draft,
    amendments: Sequence[Amendment],
    *,
    note: str | None = None,
) -> DraftVersion:
    """Merge accepted or adopted amendments into the next version of the draft, in one step.

    `actor` must convene the draft; None means the system acting on a vote's recorded outcome,
    and then only adopted amendments are merged. The amendments must all be based on the
    current version and must not collide (the error names the colliding paragraphs); nor may
    they collide with other amendments already accepted, adopted or being voted on. Applies
    them bottom-up, makes version n+1 (a second concurrent merge is refused, not duplicated),
    marks them merged, carries other open amendments over and flags the rest as needing an
    update. Reusable outside a request: it imports nothing from Flask.
    """
    if actor is not None:
        _require_convener(actor, draft, "merge amendments")
    allowed = (
        rules.MERGEABLE_AMENDMENT_STATES if actor is not None else rules.MERGEABLE_AFTER_VOTE_STATES
    )
    chosen = list({a.id: a for a in amendments}.values())
    if not chosen:
        raise ValidationError("Choose at least one accepted or adopted amendment to merge.")
    draft = _lock_draft(draft)
    _require_not_final(draft)
    version = _current_version(draft)
    for amendment in chosen:
        if amendment.draft_id != draft.id:
            raise ValidationError(f"{amendment.label} belongs to another draft.")
    locked = _lock_amendments(Amendment.id.in_([a.id for a in chosen]))
    for amendment in locked:
        if amendment.state not in allowed:
            raise InvalidTransition(
                f"{amendment.label} is {amendment.state_label}; only "
                + ("accepted or adopted" if actor is not None else "adopted")
                + " amendments can be merged."
            )
        if amendment.version_id != version.id:
            raise InvalidTransition(
                f"{amendment.label} is based on an older version; the draft is at version "
                f"{version.number}. It must be updated before it can be merged."
            )
    changes = [as_change(a) for a in locked]
    paragraphs = _paragraph_texts(version)
    try:
        merged = text.merge_changes(paragraphs, changes)
    except text.CollisionError as error:
        raise InvalidTransition(str(error)) from None
    except text.RangeError as error:  # pragma: no cover - validated when proposed and carried
        raise InvalidTransition(f"{error}") from None
    chosen_ids = {a.id for a in locked}
    for other in open_amendments_on(version.id):
        if other.id in chosen_ids or other.state not in rules.COMMITTED_AMENDMENT_STATES:
            continue
        hits = [c for c in changes if text.collides(c, as_change(other))]
        if hits:
            where = text.collision_region(hits[0], as_change(other))
            if other.state == AmendmentState.VOTING:
                advice = "wait until its vote closes"
            else:
                advice = "merge it in the same step or decide between them first"
            raise InvalidTransition(
                f"{other.label} ({other.state_label}) also changes {where}, which "
                f"{hits[0].label} changes; {advice}."
            )
    labels = ", ".join(a.label for a in locked)
    note = note or f"merged amendment{'s' if len(locked) > 1 else ''} {labels}"
    new = _advance_version(
        draft, actor, version, merged, changes, note, merged_ids=frozenset(chosen_ids)
    )
    claimed = db.session.execute(
        update(Amendment)
        .where(
            Amendment.id.in_(chosen_ids),
            Amendment.state.in_(allowed),
            Amendment.version_id == version.id,
        )
        .values(state=AmendmentState.MERGED, merged_into_version_id=new.id, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != len(chosen_ids):  # pragma: no cover - rows are locked above
        raise InvalidTransition(
            "These amendments changed meanwhile. Reload the page and try again."
        )
    for amendment in locked:
        from_state = amendment.state
        db.session.refresh(amendment)
        _event(
            amendment,
            actor,
            "merged",
            f"Merged into version {new.number}.",
            from_state=from_state,
            to_state=AmendmentState.MERGED,
        )
    db.session.flush()
    record_action(
        actor,
        "draft.merge",
        draft,
        f"Merged {labels} into version {new.number}",
        amendments=[a.number for a in locked],
        version=new.number,
    )
    return new


# --- for the voting process -----------------------------------------------------------------------


def put_amendments_to_vote(actor: Member, amendments: Sequence[Amendment]) -> None:
    """Tabled amendments go to a vote; from now on they cannot be withdrawn."""
    for amendment in amendments:
        draft = db.session.get_one(Draft, amendment.draft_id)
        _require_convener(actor, draft, "put amendments to a vote")
        amendment = _lock_amendment(amendment)
        if amendment.state not in rules.VOTABLE_AMENDMENT_STATES:
            raise InvalidTransition(
                f"{amendment.label} is {amendment.state_label}; only tabled amendments "
                "go to a vote."
            )
        _move(amendment, actor, AmendmentState.VOTING, "vote_opened", "Put to a vote.")
    db.session.flush()


def record_vote_outcome(
    actor: Member | None, amendment: Amendment, *, adopted: bool | None, summary: str = ""
) -> None:
    """Record a closed vote on the amendment: adopted, rejected, or (None) cancelled, which
    returns it to the floor. `actor` None means the system closing a vote on schedule."""
    if actor is not None:
        draft = db.session.get_one(Draft, amendment.draft_id)
        _require_convener(actor, draft, "record vote outcomes")
    amendment = _lock_amendment(amendment)
    if amendment.state != AmendmentState.VOTING:
        raise InvalidTransition(f"{amendment.label} is not being voted on.")
    if adopted is None:
        _move(
            amendment, actor, AmendmentState.TABLED, "vote_cancelled", summary or "Vote cancelled."
        )
    elif adopted:
        _move(amendment, actor, AmendmentState.ADOPTED, "adopted", summary or "Adopted by vote.")
    else:
        _move(amendment, actor, AmendmentState.REJECTED, "rejected", summary or "Rejected by vote.")
    db.session.flush()
