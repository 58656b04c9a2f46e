"""Member, Invitation and PasswordReset models."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deliberate.database import Base, UTCDateTime, enum_check, utcnow

if TYPE_CHECKING:
    from deliberate.tendencies.models import Tendency


class MemberRole(StrEnum):
    MEMBER = "member"
    CONVENER = "convener"
    ADMIN = "admin"


class MemberStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (
        CheckConstraint(enum_check("role", MemberRole), name="role_known"),
        CheckConstraint(enum_check("status", MemberStatus), name="status_known"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        # The directory and the admins' list page through members by name: with this index a
        # page is read in order instead of sorting the whole membership.
        Index("ix_members_display_name_id", "display_name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(80))
    # Stored lower-cased so the unique constraint is case-insensitive on every backend.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=MemberRole.MEMBER)
    status: Mapped[str] = mapped_column(String(16), default=MemberStatus.ACTIVE)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Part of the login cookie: rotating it ends every existing session of the member.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    # The IANA zone the member reads and enters times in; "" follows the organization's.
    time_zone: Mapped[str] = mapped_column(String(64), default="", server_default="")

    # Flask-Login protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.status == MemberStatus.ACTIVE

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_admin(self) -> bool:
        return self.role == MemberRole.ADMIN

    @property
    def is_convener(self) -> bool:
        """Conveners run processes; admins may too."""
        return self.role in (MemberRole.CONVENER, MemberRole.ADMIN)

    def __repr__(self) -> str:
        return f"<Member {self.id} {self.email}>"


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    display_name: Mapped[str] = mapped_column(String(80), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    tendency_id: Mapped[int | None] = mapped_column(
        ForeignKey("tendencies.id", ondelete="SET NULL")
    )
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    tendency: Mapped[Tendency | None] = relationship(lazy="raise_on_sql")
    invited_by: Mapped[Member | None] = relationship(
        foreign_keys=[invited_by_id], lazy="raise_on_sql"
    )

    def is_usable(self, now: datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at


class PasswordReset(Base):
    __tablename__ = "password_resets"
    __table_args__ = (Index("ix_password_resets_member_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    member: Mapped[Member] = relationship(foreign_keys=[member_id], lazy="raise_on_sql")

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at


class OrganizationSettings(Base):
    """The organization's settings an admin changes on its pages: one row (id 1), absent until
    an admin first saves them (the deployment's configuration applies until then)."""

    __tablename__ = "organization_settings"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The IANA zone times are entered and shown in, for members who chose none of their own.
    time_zone: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
