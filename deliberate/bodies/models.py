"""Body and BodyMembership (with history): the named lists of members a vote may go to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deliberate.accounts.models import Member
from deliberate.database import Base, UTCDateTime, utcnow


class Body(Base):
    """A named list of members who may vote: a convention's delegates, a committee."""

    __tablename__ = "bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    def __repr__(self) -> str:
        return f"<Body {self.id} {self.name}>"


class BodyMembership(Base):
    """One period of a member's seat in a body; `removed_at` is null while current.

    Removing a member closes the period and keeps it; adding them again opens a new one. The
    partial unique index holds "one current seat per member per body" even when two admins
    add the same person at the same moment.
    """

    __tablename__ = "body_memberships"
    __table_args__ = (
        Index(
            "uq_body_memberships_current",
            "body_id",
            "member_id",
            unique=True,
            sqlite_where=text("removed_at IS NULL"),
            postgresql_where=text("removed_at IS NULL"),
        ),
        Index("ix_body_memberships_member_id", "member_id"),
        CheckConstraint("removed_at IS NULL OR removed_at >= added_at", name="removed_after_added"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    member: Mapped[Member] = relationship(foreign_keys=[member_id], lazy="raise_on_sql")

    @property
    def is_current(self) -> bool:
        return self.removed_at is None
