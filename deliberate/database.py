"""Declarative base, naming convention, aware-UTC datetimes, enum checks, immutable rows and
SQLite connection settings."""

from __future__ import annotations

import contextvars
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TypeAlias, TypeVar, cast

from sqlalchemy import BindParameter, CursorResult, DateTime, Engine, MetaData, Result, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapper
from sqlalchemy.sql.expression import Insert
from sqlalchemy.types import TypeDecorator

# What a read-side query compares with: a value, or a bind parameter standing for it, so that
# a statement built once runs for every member (deliberate/main/needs.py).
MemberId: TypeAlias = int | BindParameter[int]
Moment: TypeAlias = datetime | BindParameter[datetime]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Whether the current unit of work may write. SQLite transactions that may write start with
# BEGIN IMMEDIATE so concurrent writers queue on the busy timeout instead of failing with
# "database is locked" when a read lock would have to be upgraded.
write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=True)


class Base(DeclarativeBase):
    """What every model derives from. Flask-SQLAlchemy builds `db.Model` from it with the
    same registry and metadata; models name `Base` itself so type checkers see their columns."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use aware UTC datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def rows_matched(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE run through `Session.execute` matched.

    The session types every result as a `Result`; for these statements it is a
    `CursorResult`, the only kind that knows the count.
    """
    return cast(CursorResult[Any], result).rowcount


def insert_or_skip(table: Any, dialect: str) -> Insert:
    """An INSERT that skips rows a unique key already holds, on either database."""
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def enum_check(column: str, values: Iterable[str]) -> str:
    """The SQL of a CHECK that `column` holds one of `values` (a StrEnum or strings), as in
    `CheckConstraint(enum_check("state", DraftState), name="state_known")`."""
    quoted = ("'" + str(value).replace("'", "''") + "'" for value in values)
    return f"{column} IN ({', '.join(quoted)})"


ModelT = TypeVar("ModelT", bound=type[Any])


def _refuse_change(_mapper: Mapper[Any], _connection: Any, target: Any) -> None:
    raise RuntimeError(
        f"{type(target).__name__} {target.id} is immutable: append-only rows are never "
        "updated or deleted"
    )


def immutable_rows(model: ModelT) -> ModelT:
    """Class decorator: the session refuses to UPDATE or DELETE rows of `model`.

    A flush that would change or delete one raises RuntimeError, a programming error rather
    than a member's: such rows (versions, revisions, histories, the audit log) are only ever
    added. Bulk statements and database cascades are not seen by the session.
    """
    event.listen(model, "before_update", _refuse_change)
    event.listen(model, "before_delete", _refuse_change)
    return model


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, foreign keys, a busy timeout, and explicit BEGIN so SAVEPOINTs behave."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")
