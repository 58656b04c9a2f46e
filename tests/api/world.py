"""The API objects of the security world: a token of each role's member (every scope its
role allows; the suspended member's made before the suspension), named `<role>_token`, whose
secrets the matrix sends as `Authorization: Bearer` on rows marked `token: true`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from deliberate.api.models import ApiToken
from deliberate.api.permissions import scopes_allowed
from deliberate.database import utcnow
from deliberate.extensions import db
from deliberate.tokens import token_hash

TOKEN_ROLES = ("member", "other_member", "owner", "coordinator", "convener", "admin", "suspended")


def build_api(world: dict[str, Any]) -> None:
    now = utcnow()
    for role in TOKEN_ROLES:
        member = world[role]
        scopes = scopes_allowed(member) or ("read", "write", "vote")
        secret = f"dlb_world-{role}-token-secret-of-the-security-world"
        token = ApiToken(
            member_id=member.id,
            name=f"{role}'s script",
            token_hash=token_hash(secret),
            prefix=secret[:10],
            scopes=" ".join(scopes),
            created_at=now,
            expires_at=now + timedelta(days=30),
            # Used just now: a request within the hour writes nothing.
            last_used_at=now,
        )
        db.session.add(token)
        db.session.flush()
        world[f"{role}_token"] = token
        world[f"{role}_secret"] = secret
