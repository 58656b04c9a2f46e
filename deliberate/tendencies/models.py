"""Tendency, TendencyMembership (with history) and JoinRequest models."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deliberate.accounts.models import Member
from deliberate.database import Base, UTCDateTime, enum_check, utcnow


class MembershipRole(StrEnum):
    MEMBER = "member"
    COORDINATOR = "coordinator"


class JoinRequestState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Tendency(Base):
    __tablename__ = "tendencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    line_markdown: Mapped[str] = mapped_column(Text)
    line_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    def __repr__(self) -> str:
        return f"<Tendency {self.id} {self.name}>"


class TendencyMembership(Base):
    """One period of a member's belonging to a tendency; `left_at` is null while current."""

    __tablename__ = "tendency_memberships"
    __table_args__ = (
        # The one-tendency rule, held by the database: one current membership per member.
        Index(
            "uq_tendency_memberships_current_member",
            "member_id",
            unique=True,
            sqlite_where=text("left_at IS NULL"),
            postgresql_where=text("left_at IS NULL"),
        ),
        Index("ix_tendency_memberships_tendency_id", "tendency_id"),
        # A tendency's current members by role and seniority: its page reads them in order.
        Index(
            "ix_tendency_memberships_current_order",
            "tendency_id",
            "role",
            "joined_at",
            "id",
            sqlite_where=text("left_at IS NULL"),
            postgresql_where=text("left_at IS NULL"),
        ),
        CheckConstraint(enum_check("role", MembershipRole), name="role_known"),
        CheckConstraint("left_at IS NULL OR left_at >= joined_at", name="left_after_joined"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tendency_id: Mapped[int] = mapped_column(ForeignKey("tendencies.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    role: Mapped[str] = mapped_column(String(16), default=MembershipRole.MEMBER)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Why the period ended: "left", "removed by <coordinator>", "suspended".
    end_reason: Mapped[str | None] = mapped_column(String(200))

    tendency: Mapped[Tendency] = relationship(lazy="raise_on_sql")
    member: Mapped[Member] = relationship(lazy="raise_on_sql")

    @property
    def is_coordinator(self) -> bool:
        return self.role == MembershipRole.COORDINATOR


class JoinRequest(Base):
    __tablename__ = "join_requests"
    __table_args__ = (
        Index(
            "uq_join_requests_pending",
            "tendency_id",
            "member_id",
            unique=True,
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
        CheckConstraint(enum_check("state", JoinRequestState), name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tendency_id: Mapped[int] = mapped_column(ForeignKey("tendencies.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    message: Mapped[str] = mapped_column(String(500), default="")
    state: Mapped[str] = mapped_column(String(16), default=JoinRequestState.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    tendency: Mapped[Tendency] = relationship(lazy="raise_on_sql")
    member: Mapped[Member] = relationship(foreign_keys=[member_id], lazy="raise_on_sql")
