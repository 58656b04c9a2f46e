"""State changes for bodies: create, edit, add and remove members, import a list of members.

Services take the actor, flush and never commit, and import nothing from Flask. A seat is a
period: removing a member closes it (kept, with who and when) and adding them again opens a
new one. "One current seat per member per body" is a partial unique index, so two admins
adding the same person at the same moment get one seat and one clear refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from deliberate import cleaning
from deliberate.accounts.models import Member
from deliberate.accounts.services import normalize_email
from deliberate.audit.services import record_action
from deliberate.bodies.models import Body, BodyMembership
from deliberate.bodies.permissions import can_manage_bodies
from deliberate.bodies.queries import current_member_ids, current_membership, members_by_email
from deliberate.database import rows_matched, utcnow
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db

MAX_NAME_LENGTH = 120
MAX_DESCRIPTION_LENGTH = 2000
IMPORT_COLUMNS = ("email", "name")


class ImportOutcome(StrEnum):
    ADDED = "added"
    ALREADY = "already a member"
    REFUSED = "refused"


@dataclass
class BodyImportRow:
    """What became of one line of an imported file."""

    line: int
    email: str
    outcome: ImportOutcome = ImportOutcome.REFUSED
    reason: str = ""
    member_name: str = ""


def _require_manager(actor: Member, doing: str) -> None:
    if not can_manage_bodies(actor):
        raise PermissionDenied(f"Only admins {doing}.")


def _clean_name(raw: str) -> str:
    return cleaning.clean_line(
        raw,
        max_length=MAX_NAME_LENGTH,
        empty="A body needs a name.",
        too_long="A body's name has at most {limit} characters.",
    )


def _clean_description(raw: str) -> str:
    return cleaning.clean_text(
        raw,
        max_length=MAX_DESCRIPTION_LENGTH,
        empty=None,
        too_long="A description has at most {limit} characters.",
    )


def _check_name_free(name: str, body: Body | None = None) -> None:
    """Names are unique whatever their case, so "Delegates" and "delegates" cannot both exist."""
    query = select(Body.id).where(func.lower(Body.name) == name.lower())
    if body is not None:
        query = query.where(Body.id != body.id)
    if db.session.scalar(query) is not None:
        raise ValidationError(f"A body named “{name}” already exists.")


def create_body(actor: Member, name: str, description: str = "") -> Body:
    """Create an empty body.

    Raises PermissionDenied unless the actor is an active admin, ValidationError for an empty,
    too long or taken name (whatever its case) or a too long description. Audited.
    """
    _require_manager(actor, "create bodies")
    name, description = _clean_name(name), _clean_description(description)
    _check_name_free(name)
    body = Body(name=name, description=description, created_by_id=actor.id, created_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(body)
    except IntegrityError:
        # Another admin took the name between our check and our write.
        raise ValidationError(f"A body named “{name}” already exists.") from None
    record_action(actor, "body.create", body, f"Created the body {name}")
    return body


def edit_body(actor: Member, body: Body, *, name: str, description: str) -> None:
    """Rename a body and restate its description; votes already taken keep their rolls.

    Raises as `create_body`. Audited with the former name when it changes.
    """
    _require_manager(actor, "edit bodies")
    name, description = _clean_name(name), _clean_description(description)
    _check_name_free(name, body)
    former = body.name
    try:
        with db.session.begin_nested():  # the change is written inside the savepoint
            body.name, body.description = name, description
    except IntegrityError:
        raise ValidationError(f"A body named “{name}” already exists.") from None
    summary = f"Renamed the body {former} to {name}" if former != name else f"Edited {name}"
    record_action(actor, "body.edit", body, summary, former_name=former)


def add_member(
    actor: Member, body: Body, member: Member, *, now: datetime | None = None
) -> BodyMembership:
    """Give `member` a seat in `body` (a new period if they sat there before).

    Raises PermissionDenied unless the actor is an active admin, InvalidTransition when the
    member is suspended or already sits in the body (also when a concurrent request seated
    them first: the partial unique index decides). Audited.
    """
    _require_manager(actor, "add members to bodies")
    if not member.is_active:
        raise InvalidTransition(f"{member.display_name} is suspended; a body seats active members.")
    already = f"{member.display_name} is already a member of {body.name}."
    if current_membership(body, member) is not None:
        raise InvalidTransition(already)
    seat = BodyMembership(
        body_id=body.id,
        member_id=member.id,
        member=member,
        added_at=now or utcnow(),
        added_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(seat)
    except IntegrityError:
        raise InvalidTransition(already) from None
    record_action(
        actor,
        "body.add_member",
        body,
        f"Added {member.display_name} to {body.name}",
        member=member.id,
    )
    return seat


def add_member_by_email(actor: Member, body: Body, email: str) -> BodyMembership:
    """`add_member` for the member with this email.

    Raises ValidationError for a malformed email or one no member has, then as `add_member`.
    """
    _require_manager(actor, "add members to bodies")
    normalized = normalize_email(email)
    member = db.session.scalar(select(Member).where(Member.email == normalized))
    if member is None:
        raise ValidationError(f"No member has the email {normalized}.")
    return add_member(actor, body, member)


def remove_member(
    actor: Member, body: Body, member: Member, *, now: datetime | None = None
) -> BodyMembership:
    """End `member`'s current seat in `body`; the period stays in the body's history.

    Votes already open keep their roll. Raises PermissionDenied unless the actor is an active
    admin, InvalidTransition when the member has no current seat (or another admin removed
    them a moment ago). Audited.
    """
    _require_manager(actor, "remove members from bodies")
    seat = current_membership(body, member)
    missing = f"{member.display_name} is not a member of {body.name}."
    if seat is None:
        raise InvalidTransition(missing)
    now = max(now or utcnow(), seat.added_at)
    claimed = db.session.execute(
        update(BodyMembership)
        .where(BodyMembership.id == seat.id, BodyMembership.removed_at.is_(None))
        .values(removed_at=now, removed_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if rows_matched(claimed) != 1:
        raise InvalidTransition(missing)
    db.session.refresh(seat)
    record_action(
        actor,
        "body.remove_member",
        body,
        f"Removed {member.display_name} from {body.name}",
        member=member.id,
    )
    return seat


# --- import --------------------------------------------------------------------------------


def _email_column(rows: list[list[str]]) -> tuple[int, int]:
    """Where the email is and how many columns a row may have; a header row is blanked."""
    first = [cell.strip().lower() for cell in rows[0]] if rows else []
    if "email" not in first:
        return 0, len(IMPORT_COLUMNS)
    if any(c not in IMPORT_COLUMNS for c in first) or len(set(first)) != len(first):
        raise ValidationError(
            "The header row names the columns email and, if you wish, name (ignored), each "
            f"once; it reads “{','.join(rows[0])[:120]}”."
        )
    rows[0] = []  # keep line numbers aligned with the file
    return first.index("email"), len(first)


def _blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


def import_members(
    actor: Member, body: Body, data: bytes, *, max_rows: int, now: datetime | None = None
) -> list[BodyImportRow]:
    """Seat in `body` the members whose emails a CSV lists; report each line's fate.

    One email per line (`email` or `email,name`; the name is ignored); a header row naming the
    columns `email` and `name` is optional and may put them in either order. Blank lines are
    skipped. Each line is added, found already a member, or refused with its reason (malformed,
    unknown or repeated email, suspended member, too many columns); refused lines change
    nothing. Raises PermissionDenied unless the actor is an active admin, and ValidationError
    (nothing done) for a file that is not UTF-8 CSV text or holds more than `max_rows` rows.
    Audited once for the whole file; each seat keeps who added it and when.
    """
    _require_manager(actor, "import members into bodies")
    rows = cleaning.read_csv_upload(data)
    column, width = _email_column(rows)
    if sum(not _blank(row) for row in rows) > max_rows:
        raise ValidationError(f"A file may hold at most {max_rows} rows.")
    results: list[BodyImportRow] = []
    wanted: dict[str, BodyImportRow] = {}
    for number, row in enumerate(rows, start=1):
        if _blank(row):
            continue
        raw = row[column].strip() if len(row) > column else ""
        result = BodyImportRow(line=number, email=raw[:320])
        results.append(result)
        if len(row) > width:
            result.reason = f"expected at most {width} columns, found {len(row)}"
            continue
        try:
            result.email = normalize_email(raw)
        except ValidationError as error:
            result.reason = error.message.rstrip(".")
            continue
        if result.email in wanted:
            result.reason = f"appears earlier in this file (line {wanted[result.email].line})"
            continue
        wanted[result.email] = result
    _seat(actor, body, wanted, now or utcnow())
    counts = {o: sum(r.outcome == o for r in results) for o in ImportOutcome}
    record_action(
        actor,
        "body.import",
        body,
        f"Imported members into {body.name}: {counts[ImportOutcome.ADDED]} added, "
        f"{counts[ImportOutcome.ALREADY]} already members, {counts[ImportOutcome.REFUSED]} refused",
        **{o.name.lower(): n for o, n in counts.items()},
    )
    return results


def _seat(actor: Member, body: Body, wanted: dict[str, BodyImportRow], now: datetime) -> None:
    """Classify the well-formed lines and seat the members who are not yet in the body, in
    one statement; a concurrent addition makes it fall back to one savepoint per seat."""
    members = members_by_email(list(wanted))
    seated = current_member_ids(body)
    to_add: list[tuple[BodyImportRow, Member]] = []
    for email, result in wanted.items():
        member = members.get(email)
        if member is None:
            result.reason = "no member has this email"
            continue
        result.member_name = member.display_name
        if not member.is_active:
            result.reason = f"{member.display_name} is suspended"
        elif member.id in seated:
            result.outcome = ImportOutcome.ALREADY
        else:
            to_add.append((result, member))

    def values(member: Member) -> dict[str, object]:
        return {
            "body_id": body.id,
            "member_id": member.id,
            "added_at": now,
            "added_by_id": actor.id,
        }

    try:
        with db.session.begin_nested():
            if to_add:
                db.session.execute(insert(BodyMembership), [values(m) for _, m in to_add])
        for result, _ in to_add:
            result.outcome = ImportOutcome.ADDED
        return
    except IntegrityError:
        pass  # someone seated one of them meanwhile: find out which, seat by seat
    for result, member in to_add:
        try:
            with db.session.begin_nested():
                db.session.execute(insert(BodyMembership), [values(member)])
            result.outcome = ImportOutcome.ADDED
        except IntegrityError:
            result.outcome = ImportOutcome.ALREADY
