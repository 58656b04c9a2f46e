"""Proof that a refused request changed nothing: a write counter, then contents if it moved."""

from __future__ import annotations

import hashlib
from functools import cache
from types import TracebackType

from sqlalchemy import Connection, Dialect

from deliberate.extensions import db
from deliberate.fragments import PENDING, draw


def database_snapshot() -> dict[str, str]:
    """Row count and a digest of every column of every row, per table.

    One statement reads every table, each row rendered as exact text by the database itself
    (SQLite's quote() of each column, PostgreSQL's text form of the whole row) and the rows of
    a table joined in primary-key order, so an UPDATE that keeps the row counts is seen as
    surely as an INSERT or a DELETE.
    """
    db.session.flush()
    # The stamps the setup touched are drawn at the next commit, the request's: draw them now,
    # as a commit would, so that they are not taken for the request's own change.
    touched = db.session.info.pop(PENDING, None)
    if touched:
        draw(db.session.connection(), sorted(touched))
    return _contents(db.session.connection())


class DatabaseWatch:
    """Whether the database changed while a block ran; whatever it wrote is undone at its end.

        with DatabaseWatch(connection) as watch:
            response = client.post(...)
            assert watch.unchanged(), watch.changed_tables

    Every session of the block must use `connection` (as under `rolled_back_connection`).
    `unchanged()` first reads the connection's count of rows written (SQLite's
    total_changes(), PostgreSQL's per-transaction tuple counters): it only grows, so when it
    has not moved nothing was written and no table needs reading. When it has moved (a write,
    perhaps undone since), the contents after the block are compared with the contents before
    it, recovered by rolling back to a savepoint taken at the start: reading every table only
    for the rare refused request that wrote something, never for the others.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.changed_tables: list[str] = []

    def __enter__(self) -> DatabaseWatch:
        db.session.commit()  # the test's own writes are the starting point
        self.connection.exec_driver_sql("SAVEPOINT database_watch")
        self.writes = _rows_written(self.connection)
        return self

    def unchanged(self) -> bool:
        db.session.flush()
        if _rows_written(self.connection) == self.writes:
            return True
        after = _contents(self.connection)
        db.session.remove()  # its savepoints sit above ours
        self.connection.exec_driver_sql("ROLLBACK TO SAVEPOINT database_watch")
        before = _contents(self.connection)
        self.changed_tables = sorted(name for name in before if before[name] != after[name])
        return not self.changed_tables

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        db.session.remove()
        self.connection.exec_driver_sql("ROLLBACK TO SAVEPOINT database_watch")
        self.connection.exec_driver_sql("RELEASE SAVEPOINT database_watch")


def _rows_written(connection: Connection) -> int:
    """Rows inserted, updated or deleted so far by this connection (SQLite) or transaction
    (PostgreSQL), counting those of rolled-back savepoints too."""
    if connection.dialect.name == "postgresql":
        sql = (
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
            "FROM pg_stat_xact_user_tables"
        )
    else:
        sql = "SELECT total_changes()"
    return int(connection.exec_driver_sql(sql).scalar_one())


def _contents(connection: Connection) -> dict[str, str]:
    snapshot = dict.fromkeys(_table_names(), "0:")
    for name, count, content in connection.exec_driver_sql(_every_table(connection.dialect)):
        digest = hashlib.sha256((content or "").encode()).hexdigest()[:16]
        snapshot[name] = f"{count}:{digest}"
    return snapshot


@cache
def _table_names() -> tuple[str, ...]:
    return tuple(table.name for table in db.metadata.sorted_tables)


@cache
def _every_table(dialect: Dialect) -> str:
    """One row per table: its name, its row count and all its rows as one text.

    Each row's text is unambiguous (quoted values), so different contents give different texts.
    The SQL is spelled out from our own metadata's names (never from input), once per dialect.
    """
    quote = dialect.identifier_preparer
    parts = []
    for table in db.metadata.sorted_tables:
        name = quote.format_table(table)
        key = ", ".join(f"t.{quote.format_column(c)}" for c in table.primary_key.columns)
        if dialect.name == "postgresql":
            parts.append(
                f"SELECT '{table.name}', count(*), "  # noqa: S608
                f"string_agg(CAST(t AS text), chr(30) ORDER BY {key}) FROM {name} AS t"
            )
        else:
            row = " || ',' || ".join(f"quote(t.{quote.format_column(c)})" for c in table.columns)
            # SQLite keeps a subquery's ORDER BY under an aggregate (it does not flatten it).
            parts.append(
                f"SELECT '{table.name}', count(*), group_concat(r, char(30)) "  # noqa: S608
                f"FROM (SELECT {row} AS r FROM {name} AS t ORDER BY {key})"
            )
    return " UNION ALL ".join(parts)
