"""Which scopes a member may give a token, and what a token may do."""

from __future__ import annotations

from deliberate.accounts.models import Member
from deliberate.api.models import ApiToken, Scope


def scopes_allowed(member: Member) -> tuple[Scope, ...]:
    """The scopes `member`'s role allows: every active member reads, writes and votes; only
    admins manage members. A token never holds more than this, and when a member's role
    shrinks, so does what their tokens can do (see `effective_scopes`)."""
    if not member.is_active:
        return ()
    if member.is_admin:
        return tuple(Scope)
    return (Scope.READ, Scope.WRITE, Scope.VOTE)


def effective_scopes(token: ApiToken, member: Member) -> frozenset[str]:
    """What `token` may do now: its scopes within what its member's role allows today."""
    return token.scope_set & {scope.value for scope in scopes_allowed(member)}


def can_revoke_token(actor: Member, token: ApiToken) -> bool:
    """A member revokes their own tokens (an admin ends someone's by suspending them)."""
    return actor.is_active and token.member_id == actor.id
