"""Conveners' decisions on amendments: accept, rule out, group as competing, merge, put to a
vote and record its outcome."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update

from deliberate.accounts.models import Member
from deliberate.audit.services import record_action
from deliberate.database import rows_matched, utcnow
from deliberate.drafts import rules, text
from deliberate.drafts.models import (
    Amendment,
    AmendmentState,
    CompetitionGroup,
    Draft,
    DraftVersion,
)
from deliberate.drafts.queries import as_change, open_amendments_on
from deliberate.drafts.services.common import (
    _clean_reason,
    _event,
    _lock_amendment,
    _lock_amendments,
    _lock_draft,
    _move,
    _require_convener,
    _require_not_final,
)
from deliberate.drafts.services.versions import _advance_version, _current_version, _paragraph_texts
from deliberate.errors import InvalidTransition, ValidationError
from deliberate.extensions import db


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
    if rows_matched(claimed) != len(chosen_ids):  # pragma: no cover - rows are locked above
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
