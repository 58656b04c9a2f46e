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
