"""Personal access tokens: a member's named, scoped, expiring keys to the API."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deliberate.accounts.models import Member
from deliberate.database import Base, UTCDateTime, utcnow


class Scope(StrEnum):
    """What a token may do: read what its member may read, write what a member writes
    (amendments, seconds, comments, commitments), cast ballots, manage members (admins)."""

    READ = "read"
    WRITE = "write"
    VOTE = "vote"
    ADMIN = "admin"


class ApiToken(Base):
    """A personal access token. Only the SHA-256 of the secret is stored; the secret is shown
    once, when the token is made. `prefix` (the secret's first characters) tells a member's
    tokens apart in their list and in logs without revealing them."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("scopes <> ''", name="scopes_given"),
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
        Index("ix_api_tokens_member_id", "member_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    # Space-separated Scope values, in Scope's order.
    scopes: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Stamped at most once an hour (a read must not write on every request).
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    member: Mapped[Member] = relationship(lazy="raise_on_sql")

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}… of member {self.member_id}>"
