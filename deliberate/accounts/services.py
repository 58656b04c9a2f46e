"""State changes for members: invitations, import, login checks, roles, suspension, passwords."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from deliberate import cleaning
from deliberate.accounts import hooks
from deliberate.accounts.models import (
    Invitation,
    Member,
    MemberRole,
    MemberStatus,
    OrganizationSettings,
    PasswordReset,
    new_session_token,
)
from deliberate.accounts.passwords import hash_password, needs_rehash, verify_password
from deliberate.accounts.queries import member_count, members_by_email
from deliberate.audit.services import record_action
from deliberate.database import rows_matched, utcnow
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.tendencies.models import Tendency
from deliberate.timezones import clean_zone_name
from deliberate.tokens import new_token, token_hash

MAX_NAME_LENGTH = 80
# The reason is kept in the audit log's summary; a longer one is cut, not refused.
MAX_SUSPENSION_REASON_LENGTH = 300


def normalize_email(raw: str) -> str:
    """Validate an email address and return its stored (lower-case) form."""
    raw = (raw or "").strip()
    if not raw:
        raise ValidationError("An email address is required.")
    try:
        info = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValidationError(f"“{raw[:80]}” is not a valid email address: {error}") from None
    return info.normalized.lower()


def login_identity(raw: str) -> str:
    """The account a login form names: the normalized address (the form it is stored and
    looked up in), or "" when the text is no valid address and so names no account."""
    try:
        return normalize_email(raw)
    except ValidationError:
        return ""


def clean_display_name(raw: str) -> str:
    return cleaning.clean_line(
        raw,
        max_length=MAX_NAME_LENGTH,
        empty="A display name is required.",
        too_long="A display name has at most {limit} characters.",
        control="A display name cannot contain control characters.",
    )


def check_password_strength(password: str, min_length: int) -> None:
    if len(password) < min_length:
        raise ValidationError(f"A password needs at least {min_length} characters.")
    if len(password) > 1024:
        raise ValidationError("A password has at most 1024 characters.")
    if "\x00" in password:
        raise ValidationError("A password cannot contain a NUL character.")


def _require_admin(actor: Member) -> None:
    if not (actor.is_active and actor.is_admin):
        raise PermissionDenied("Only an admin can manage members.")


def email_in_use(email: str) -> bool:
    return db.session.scalar(select(Member.id).where(Member.email == email)) is not None


# --- members -------------------------------------------------------------------------------


def create_member(
    email: str,
    display_name: str,
    password: str,
    *,
    role: MemberRole = MemberRole.MEMBER,
    min_password_length: int = 10,
) -> Member:
    """Create an active member directly (first admin, demo data). Raises ValidationError."""
    email = normalize_email(email)
    display_name = clean_display_name(display_name)
    check_password_strength(password, min_password_length)
    if email_in_use(email):
        raise ValidationError(f"A member with the email {email} already exists.")
    member = Member(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        status=MemberStatus.ACTIVE,
    )
    db.session.add(member)
    db.session.flush()
    return member


def authenticate(email: str, password: str) -> Member | None:
    """Return the member whose email and password match, else None.

    The password hash is verified even when no account has this email, so that the time taken
    does not reveal whether an account exists. Suspended members are refused by the caller
    (Member.is_active) after the same work. A matching hash made with older parameters is
    replaced by one made with the current ones (flushed; the caller commits), so a change of
    the hashing cost reaches every member at their next login.
    """
    email = login_identity(email)
    member = db.session.scalar(select(Member).where(Member.email == email)) if email else None
    ok = verify_password(member.password_hash if member else None, password)
    if not ok or member is None:
        return None
    if member.password_hash and needs_rehash(member.password_hash):
        member.password_hash = hash_password(password)
        db.session.flush()
    return member


def change_role(actor: Member, member: Member, role: str) -> None:
    """Give `member` the role `role`. Admin only; an admin cannot demote themself."""
    _require_admin(actor)
    if role not in {r.value for r in MemberRole}:
        raise ValidationError(f"Unknown role “{role[:40]}”.")
    if member.id == actor.id and role != MemberRole.ADMIN:
        raise InvalidTransition("You cannot remove your own admin role; ask another admin.")
    if member.role == role:
        raise InvalidTransition(f"{member.display_name} already has the role {role}.")
    old = member.role
    member.role = role
    db.session.flush()
    record_action(
        actor, "member.role", member, f"{member.display_name}: {old} → {role}", old=old, new=role
    )


def suspend_member(actor: Member, member: Member, reason: str) -> None:
    """Suspend `member`: their sessions end at once and they can no longer act."""
    _require_admin(actor)
    reason = cleaning.one_line(reason)[:MAX_SUSPENSION_REASON_LENGTH]
    if not reason:
        raise ValidationError("Give a reason for the suspension; it is kept in the audit log.")
    if member.id == actor.id:
        raise InvalidTransition("You cannot suspend yourself.")
    if member.status == MemberStatus.SUSPENDED:
        raise InvalidTransition(f"{member.display_name} is already suspended.")
    member.status = MemberStatus.SUSPENDED
    member.session_token = new_session_token()
    db.session.flush()
    record_action(actor, "member.suspend", member, f"Suspended {member.display_name}: {reason}")


def reactivate_member(actor: Member, member: Member) -> None:
    _require_admin(actor)
    if member.status == MemberStatus.ACTIVE:
        raise InvalidTransition(f"{member.display_name} is already active.")
    member.status = MemberStatus.ACTIVE
    db.session.flush()
    record_action(actor, "member.reactivate", member, f"Reactivated {member.display_name}")


# --- invitations ---------------------------------------------------------------------------


def invite_member(
    actor: Member,
    email: str,
    display_name: str = "",
    tendency: Tendency | None = None,
    *,
    valid_for: timedelta,
    audit: bool = True,
) -> tuple[Invitation, str]:
    """Create an invitation; return it with the token for its link (shown once)."""
    _require_admin(actor)
    email = normalize_email(email)
    display_name = clean_display_name(display_name) if display_name.strip() else ""
    if email_in_use(email):
        raise ValidationError(f"{email} is already a member.")
    now = utcnow()
    open_invitation = db.session.scalar(
        select(Invitation.id).where(
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
    )
    if open_invitation is not None:
        raise ValidationError(f"{email} already has an open invitation.")
    token, digest = new_token()
    invitation = Invitation(
        email=email,
        display_name=display_name,
        token_hash=digest,
        tendency_id=tendency.id if tendency else None,
        invited_by_id=actor.id,
        created_at=now,
        expires_at=now + valid_for,
    )
    db.session.add(invitation)
    db.session.flush()
    if audit:
        record_action(actor, "invitation.create", invitation, f"Invited {email}")
    hooks.invited(invitation, token)
    return invitation, token


@dataclass
class ImportRow:
    line: int
    email: str
    name: str
    created: bool
    reason: str = ""
    token: str = ""


def import_invitations(
    actor: Member, data: bytes, *, valid_for: timedelta, max_rows: int
) -> list[ImportRow]:
    """Invite everyone in a CSV of name,email[,tendency]; report each row's fate.

    A header row is recognised when its second cell is "email". Rows that are refused create
    nothing; the others are invited. Raises ValidationError when the file is unreadable.
    """
    _require_admin(actor)
    rows = cleaning.read_csv_upload(data)
    if rows and len(rows[0]) >= 2 and rows[0][1].strip().lower() == "email":
        rows = [[], *rows[1:]]  # keep line numbers aligned with the file
    if sum(1 for row in rows if any(cell.strip() for cell in row)) > max_rows:
        raise ValidationError(f"A file may hold at most {max_rows} rows.")
    tendencies = {t.name.lower(): t for t in db.session.scalars(select(Tendency))}
    results: list[ImportRow] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row):
            continue
        name = row[0].strip() if row else ""
        email = row[1].strip() if len(row) > 1 else ""
        tendency_name = row[2].strip() if len(row) > 2 else ""
        result = ImportRow(line=number, email=email[:320], name=name[:80], created=False)
        results.append(result)
        if len(row) > 3:
            result.reason = f"expected at most 3 columns, found {len(row)}"
            continue
        tendency = None
        if tendency_name:
            tendency = tendencies.get(tendency_name.lower())
            if tendency is None:
                result.reason = f"unknown tendency “{tendency_name[:80]}”"
                continue
        try:
            normalized = normalize_email(email)
            if normalized in seen:
                raise ValidationError(f"{normalized} appears earlier in this file")
            seen.add(normalized)
            with db.session.begin_nested():
                _, token = invite_member(
                    actor, normalized, name, tendency, valid_for=valid_for, audit=False
                )
        except ValidationError as error:
            result.reason = error.message.rstrip(".")
            continue
        result.created, result.token, result.email = True, token, normalized
    created = sum(r.created for r in results)
    record_action(
        actor,
        "member.import",
        actor,
        f"Imported invitations: {created} created, {len(results) - created} refused",
        created=created,
        refused=len(results) - created,
    )
    return results


def get_invitation_by_token(token: str) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))


def accept_invitation(
    token: str, display_name: str, password: str, *, min_password_length: int
) -> Member:
    """Turn an open invitation into an active member. Single use, enforced by the database."""
    from deliberate.tendencies.services import add_membership

    invitation = get_invitation_by_token(token)
    now = utcnow()
    if invitation is None:
        raise ValidationError("This invitation link is not valid.")
    if invitation.accepted_at is not None:
        raise InvalidTransition("This invitation has already been used. Log in instead.")
    if invitation.revoked_at is not None:
        raise InvalidTransition(
            "This invitation was withdrawn by an admin. Ask them for a new one."
        )
    if now >= invitation.expires_at:
        raise InvalidTransition("This invitation has expired. Ask an admin for a new one.")
    display_name = clean_display_name(display_name)
    check_password_strength(password, min_password_length)
    # Claim the invitation first: a concurrent second use updates no row and stops here.
    claimed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    if rows_matched(claimed) != 1:
        raise InvalidTransition("This invitation has already been used. Log in instead.")
    if email_in_use(invitation.email):
        raise ValidationError(f"{invitation.email} is already a member. Log in instead.")
    member = Member(
        email=invitation.email,
        display_name=display_name,
        password_hash=hash_password(password),
        role=MemberRole.MEMBER,
        status=MemberStatus.ACTIVE,
        joined_at=now,
    )
    db.session.add(member)
    try:
        db.session.flush()
    except IntegrityError:
        raise ValidationError(f"{invitation.email} is already a member.") from None
    db.session.refresh(invitation)
    invitation.member_id = member.id
    if invitation.tendency_id is not None:
        tendency = db.session.get(Tendency, invitation.tendency_id)
        if tendency is not None:
            add_membership(tendency, member, joined_at=now)
    db.session.flush()
    record_action(
        member,
        "invitation.accept",
        invitation,
        f"{invitation.email} accepted the invitation and joined as {member.display_name}",
    )
    return member


def revoke_invitation(actor: Member, invitation: Invitation) -> None:
    """An admin withdraws an invitation nobody has used: its link is refused from now on.
    Raises PermissionDenied (not an admin), InvalidTransition (used or already withdrawn);
    audited."""
    _require_admin(actor)
    if invitation.accepted_at is not None:
        raise InvalidTransition(f"The invitation of {invitation.email} was already accepted.")
    if invitation.revoked_at is not None:
        raise InvalidTransition(f"The invitation of {invitation.email} was already withdrawn.")
    invitation.revoked_at = utcnow()
    db.session.flush()
    record_action(
        actor, "invitation.revoke", invitation, f"Withdrew the invitation of {invitation.email}"
    )


# --- passwords -----------------------------------------------------------------------------


def issue_password_reset(
    actor: Member, member: Member, *, valid_for: timedelta
) -> tuple[PasswordReset, str]:
    """Create a single-use reset link for `member`; earlier unused links stop working."""
    _require_admin(actor)
    now = utcnow()
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.member_id == member.id, PasswordReset.used_at.is_(None))
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    token, digest = new_token()
    reset = PasswordReset(
        member_id=member.id,
        token_hash=digest,
        issued_by_id=actor.id,
        created_at=now,
        expires_at=now + valid_for,
    )
    db.session.add(reset)
    db.session.flush()
    record_action(actor, "member.password_reset", member, f"Reset link for {member.display_name}")
    hooks.reset_issued(reset, token)
    return reset, token


def get_password_reset_by_token(token: str) -> PasswordReset | None:
    return db.session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))
    )


def reset_password(token: str, password: str, *, min_password_length: int) -> Member:
    """Set a new password through a reset link; the link works once."""
    reset = get_password_reset_by_token(token)
    now = utcnow()
    if reset is None:
        raise ValidationError("This password reset link is not valid.")
    if not reset.is_usable(now):
        raise InvalidTransition("This password reset link has expired or was already used.")
    check_password_strength(password, min_password_length)
    claimed = db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if rows_matched(claimed) != 1:
        raise InvalidTransition("This password reset link was already used.")
    member = db.session.get_one(Member, reset.member_id)
    member.password_hash = hash_password(password)
    member.session_token = new_session_token()
    db.session.flush()
    return member


def log_out(member: Member) -> None:
    """End every session of `member`, on every device: the session token that their session
    and remember cookies carry is replaced, so a copy of either no longer logs anyone in."""
    member.session_token = new_session_token()
    db.session.flush()


def change_password(member: Member, current: str, new: str, *, min_password_length: int) -> None:
    """Change one's own password; other sessions of the member end."""
    if not verify_password(member.password_hash, current):
        raise ValidationError("The current password is not correct.", field="current")
    check_password_strength(new, min_password_length)
    if current == new:
        raise ValidationError("The new password must differ from the current one.")
    member.password_hash = hash_password(new)
    member.session_token = new_session_token()
    db.session.flush()


def rename_member(member: Member, display_name: str) -> None:
    """A member changes the name other members see. Raises ValidationError."""
    if not member.is_active:
        raise PermissionDenied("Suspended members cannot change their name.")
    member.display_name = clean_display_name(display_name)
    db.session.flush()


def set_time_zone(member: Member, name: str) -> str:
    """A member chooses the zone they read and enter times in ("" follows the organization's).
    Returns the name kept; raises ValidationError for a name that is no IANA zone."""
    if not member.is_active:
        raise PermissionDenied("Suspended members cannot change their settings.")
    member.time_zone = clean_zone_name(name)
    db.session.flush()
    return member.time_zone


def set_organization_time_zone(actor: Member, name: str) -> str:
    """An admin sets the zone times are entered and shown in for members who chose none.
    Raises PermissionDenied (not an admin), ValidationError (no IANA zone); audited."""
    _require_admin(actor)
    name = clean_zone_name(name, empty_allowed=False)
    settings = db.session.get(OrganizationSettings, 1)
    if settings is None:
        settings = OrganizationSettings(id=1, time_zone=name)
        db.session.add(settings)
        old = ""
    else:
        old, settings.time_zone = settings.time_zone, name
        settings.updated_at = utcnow()
    db.session.flush()
    record_action(
        actor,
        "organization.time_zone",
        settings,
        f"The organization's time zone: {old or 'not set'} → {name}",
        old=old,
        new=name,
    )
    return name


def active_members_named(raw: str, *, most: int) -> list[Member]:
    """The active members whose emails `raw` lists (one a line, or separated by commas), in
    that order: ValidationError when it names none, more than `most`, or an address no active
    member has (a suspended member is refused like an unknown address, so the one asking
    learns neither who has an account nor who is suspended)."""
    emails: list[str] = []
    for part in (raw or "").replace(",", "\n").splitlines():
        email = part.strip().lower()
        if email and email not in emails:
            emails.append(email)
    if not emails:
        raise ValidationError("Name at least one member by their email.")
    if len(emails) > most:
        raise ValidationError(f"Name at most {most} members at once.")
    found = {e: m for e, m in members_by_email(emails).items() if m.is_active}
    unknown = [e for e in emails if e not in found]
    if unknown:
        raise ValidationError("No active member has the email " + ", ".join(unknown[:5]) + ".")
    return [found[e] for e in emails]


def count_members() -> int:
    """How many members the organization has; see `queries.member_count`."""
    return member_count()
