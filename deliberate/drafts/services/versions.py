"""Immutable versions: render and number paragraphs, add a version, advance the draft to the
next one and carry open amendments over."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from deliberate.accounts.models import Member
from deliberate.database import rows_matched, utcnow
from deliberate.drafts import rules, text
from deliberate.drafts.models import (
    Amendment,
    AmendmentKind,
    AmendmentState,
    Draft,
    DraftParagraph,
    DraftVersion,
)
from deliberate.drafts.queries import as_change
from deliberate.drafts.services.common import MAX_NOTE, _event, _lock_amendments, _move
from deliberate.errors import InvalidTransition, ValidationError
from deliberate.extensions import db
from deliberate.markup import render_markdown


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
    if rows_matched(advanced) != 1:
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
