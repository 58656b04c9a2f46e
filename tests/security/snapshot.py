"""A content fingerprint of the whole database, to prove a refused request changed nothing."""

from __future__ import annotations

import hashlib
from functools import cache

from sqlalchemy import Dialect

from deliberate.extensions import db


def database_snapshot() -> dict[str, str]:
    """Row count and a digest of every column of every row, per table.

    One statement reads every table, each row rendered as exact text by the database itself
    (SQLite's quote() of each column, PostgreSQL's text form of the whole row) and the rows of
    a table joined in primary-key order, so an UPDATE that keeps the row counts is seen as
    surely as an INSERT or a DELETE. One round trip instead of one ORM query per table: the
    security sweeps check the database before and after every request.
    """
    db.session.flush()
    connection = db.session.connection()
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
