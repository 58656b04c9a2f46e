"""Making, revoking and checking personal access tokens."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from deliberate import cleaning
from deliberate.accounts.models import Member, MemberStatus
from deliberate.api.models import ApiToken, Scope
from deliberate.api.permissions import can_revoke_token, scopes_allowed
from deliberate.audit.services import record_action
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.tokens import token_hash

TOKEN_PREFIX = "dlb_"  # noqa: S105 (a marker that makes a leaked token recognizable, not a secret)
MAX_NAME_LENGTH = 80
MAX_LIVE_TOKENS = 20
LIFETIMES_DAYS = (7, 30, 90, 365)
# A token's use is written down at most this often: a read must not write on every request.
USE_STAMP_EVERY = timedelta(hours=1)


def create_token(
    actor: Member, name: str, scopes: Collection[str], valid_days: int, *, now: datetime
) -> tuple[ApiToken, str]:
    """Make a token for `actor` named `name` with `scopes`, expiring after `valid_days`.

    Returns the token and its secret, which is never stored nor shown again (only its hash
    is kept). Raises ValidationError (naming the field) for an empty or long name, no scope,
    a scope the member's role does not allow, or a lifetime not offered; InvalidTransition
    when the member already has MAX_LIVE_TOKENS usable tokens. Writes an audit entry.
    """
    clean_name = cleaning.clean_line(
        name,
        max_length=MAX_NAME_LENGTH,
        empty="Name the token after what will use it, such as “website results”.",
        too_long="A token's name has at most {limit} characters.",
        field="name",
    )
    allowed = scopes_allowed(actor)
    wanted = set(scopes)
    unknown = wanted - {scope.value for scope in Scope}
    if unknown:
        raise ValidationError(f"Unknown scope “{sorted(unknown)[0][:40]}”.", field="scopes")
    if not wanted:
        raise ValidationError("Choose at least one scope.", field="scopes")
    beyond = wanted - {scope.value for scope in allowed}
    if beyond:
        raise ValidationError(
            f"Your role does not allow the scope “{sorted(beyond)[0]}”.", field="scopes"
        )
    if valid_days not in LIFETIMES_DAYS:
        raise ValidationError("Choose one of the lifetimes offered.", field="valid_days")
    live = db.session.scalar(
        select(func.count(ApiToken.id)).where(
            ApiToken.member_id == actor.id,
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
        )
    )
    if (live or 0) >= MAX_LIVE_TOKENS:
        raise InvalidTransition(
            f"You have {MAX_LIVE_TOKENS} tokens in use; revoke one you no longer need first.",
            field="name",
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        member_id=actor.id,
        name=clean_name,
        token_hash=token_hash(secret),
        prefix=secret[:10],
        scopes=" ".join(scope.value for scope in Scope if scope.value in wanted),
        created_at=now,
        expires_at=now + timedelta(days=valid_days),
    )
    db.session.add(token)
    db.session.flush()
    record_action(
        actor,
        "token.create",
        token,
        f"Token “{clean_name}” ({token.scopes}) until {token.expires_at:%Y-%m-%d}",
        scopes=token.scopes,
        prefix=token.prefix,
    )
    return token, secret


def revoke_token(actor: Member, token: ApiToken, *, now: datetime) -> None:
    """Revoke `token` at once. Raises PermissionDenied unless it is `actor`'s own, and
    InvalidTransition when it is already revoked. Writes an audit entry."""
    if not can_revoke_token(actor, token):
        raise PermissionDenied("You can revoke only your own tokens.")
    if token.revoked_at is not None:
        raise InvalidTransition(f"The token “{token.name}” is already revoked.")
    token.revoked_at = now
    db.session.flush()
    record_action(
        actor, "token.revoke", token, f"Revoked token “{token.name}”", prefix=token.prefix
    )


def tokens_of(member: Member) -> list[ApiToken]:
    """A member's tokens, newest first (revoked and expired ones too, for the record)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.member_id == member.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def authenticate_token(secret: str, *, now: datetime) -> tuple[ApiToken, Member] | None:
    """The usable token whose secret is `secret` and its active member, or None (unknown,
    revoked, expired, or its member suspended)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    row = db.session.execute(
        select(ApiToken, Member)
        .join(Member, Member.id == ApiToken.member_id)
        .where(ApiToken.token_hash == token_hash(secret))
    ).first()
    if row is None:
        return None
    token, member = row
    if not token.is_usable(now) or member.status != MemberStatus.ACTIVE:
        return None
    return token, member


def needs_use_stamp(token: ApiToken, now: datetime) -> bool:
    return token.last_used_at is None or now - token.last_used_at >= USE_STAMP_EVERY


def stamp_use(token: ApiToken, now: datetime) -> None:
    """Write down that `token` was used (the caller commits it on its own)."""
    db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    token.last_used_at = now
