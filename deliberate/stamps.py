"""The stamps table: the token each stamp of the page cache holds now (deliberate/fragments.py
draws them afresh and reads them)."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from deliberate.database import Base


class Stamp(Base):
    """The token of one stamp: drawn afresh by every transaction that changes what it covers."""

    __tablename__ = "stamps"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    token: Mapped[int] = mapped_column(BigInteger)


# Stamps of what every page of a member shows beside its own content (deliberate/main/
# watches.py says which changes touch them): the organization's settings (its time zone),
# and what waits for members ("needs you"): NEEDS for a change that may concern any member
# (a vote opened, a record sealed, an amendment flagged), `needs_of` for one that concerns
# one member alone (their ballot, their commitment, a reply to their comment).
ORGANIZATION = "organization"
NEEDS = "needs"


def needs_of(member_id: int) -> str:
    """The stamp of what waits for one member alone."""
    return f"needs:{member_id}"
