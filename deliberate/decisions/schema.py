"""What the decisions tables need beyond columns: guards that make the database refuse to
change sealed rows, and the full-text index of the archive's texts, per database.

Installed when the tables are created (`create_all` through the `after_create` events below,
migrations through `install`). SQLite rebuilds a table in a batch migration by copying it, which
drops its triggers: a later migration that alters one of these tables calls `install` again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, MetaData, event, inspect, text

# Tables whose rows are never changed nor deleted once written.
APPEND_ONLY = (
    "archive_links",
    "archive_secrets",
    "commitment_entries",
    "minority_reports",
    "decision_record_revisions",
)
# Tables whose rows are frozen once sealed, with the condition that says a row is sealed.
SEALED_WHEN = {
    "decision_records": "OLD.state = 'sealed'",
    "evaluations": "OLD.sealed_at IS NOT NULL",
}
SEARCH_INDEX = "archive_texts_fts"

_SQLITE_RAISE = "SELECT RAISE(ABORT, '{table}: sealed rows cannot be changed or deleted');"


def _sqlite_guards(missing: frozenset[str] = frozenset()) -> list[str]:
    statements = []
    for table in APPEND_ONLY:
        if table in missing:
            continue
        for action in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN {_SQLITE_RAISE.format(table=table)} END"
            )
    conditions = {
        **SEALED_WHEN,
        "dissent_assessments": (
            "(SELECT sealed_at FROM evaluations WHERE id = OLD.evaluation_id) IS NOT NULL"
        ),
    }
    for table, condition in conditions.items():
        for action in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER {table}_sealed_no_{action.lower()} BEFORE {action} ON {table} "
                f"WHEN {condition} BEGIN {_SQLITE_RAISE.format(table=table)} END"
            )
    return statements


def _sqlite_search() -> list[str]:
    return [
        "CREATE VIRTUAL TABLE archive_texts_fts USING fts5(title, body, content='archive_texts', "
        "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
        "CREATE TRIGGER archive_texts_ai AFTER INSERT ON archive_texts BEGIN "
        "INSERT INTO archive_texts_fts(rowid, title, body) "
        "VALUES (new.id, new.title, new.body); END",
        "CREATE TRIGGER archive_texts_ad AFTER DELETE ON archive_texts BEGIN "
        "INSERT INTO archive_texts_fts(archive_texts_fts, rowid, title, body) "
        "VALUES ('delete', old.id, old.title, old.body); END",
        "CREATE TRIGGER archive_texts_au AFTER UPDATE ON archive_texts BEGIN "
        "INSERT INTO archive_texts_fts(archive_texts_fts, rowid, title, body) "
        "VALUES ('delete', old.id, old.title, old.body); "
        "INSERT INTO archive_texts_fts(rowid, title, body) "
        "VALUES (new.id, new.title, new.body); END",
    ]


_PG_REFUSE = """
CREATE OR REPLACE FUNCTION deliberate_refuse_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%: sealed rows cannot be changed or deleted', TG_TABLE_NAME
    USING ERRCODE = 'integrity_constraint_violation';
END $$
"""
_PG_REFUSE_ASSESSMENT = """
CREATE OR REPLACE FUNCTION deliberate_refuse_sealed_assessment() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT sealed_at FROM evaluations WHERE id = OLD.evaluation_id) IS NOT NULL THEN
    RAISE EXCEPTION 'dissent_assessments: sealed rows cannot be changed or deleted'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$
"""


def _postgresql_guards(missing: frozenset[str] = frozenset()) -> list[str]:
    statements = [_PG_REFUSE, _PG_REFUSE_ASSESSMENT]
    for table in APPEND_ONLY:
        if table in missing:
            continue
        statements.append(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION deliberate_refuse_sealed()"
        )
    for table, condition in SEALED_WHEN.items():
        statements.append(
            f"CREATE TRIGGER {table}_sealed BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW WHEN ({condition}) EXECUTE FUNCTION deliberate_refuse_sealed()"
        )
    statements.append(
        "CREATE TRIGGER dissent_assessments_sealed BEFORE UPDATE OR DELETE ON "
        "dissent_assessments FOR EACH ROW EXECUTE FUNCTION deliberate_refuse_sealed_assessment()"
    )
    return statements


def _postgresql_search() -> list[str]:
    # A stored tsvector, computed by the database when a text is written, so that ranking a
    # search reads it instead of parsing every matching text again.
    return [
        "ALTER TABLE archive_texts ADD COLUMN search tsvector GENERATED ALWAYS AS "
        "(to_tsvector('english', title || ' ' || body)) STORED",
        "CREATE INDEX ix_archive_texts_search ON archive_texts USING GIN (search)",
    ]


def statements(dialect: str, missing: frozenset[str] = frozenset()) -> list[str]:
    """Every statement that installs the guards and the search index on `dialect` (but the
    guards of the append-only tables `missing`, which a later migration makes)."""
    if dialect == "sqlite":
        return _sqlite_guards(missing) + _sqlite_search()
    if dialect == "postgresql":
        return _postgresql_guards(missing) + _postgresql_search()
    return []


def _missing(connection: Connection) -> frozenset[str]:
    """The append-only tables not made yet (the migration that makes one installs its
    guards)."""
    existing = set(inspect(connection).get_table_names())
    return frozenset(table for table in APPEND_ONLY if table not in existing)


def install_append_only(connection: Connection, table: str) -> None:
    """The guards of one append-only table: for a migration that made the table, or that
    rebuilt it (SQLite batch mode copies a table without its triggers)."""
    if connection.dialect.name == "sqlite":
        for statement in _sqlite_guards():
            if statement.startswith(f"CREATE TRIGGER {table}_no_"):
                connection.execute(text(statement))
    elif connection.dialect.name == "postgresql":
        connection.execute(
            text(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION deliberate_refuse_sealed()"
            )
        )


def install(connection: Connection) -> None:
    for statement in statements(connection.dialect.name, _missing(connection)):
        connection.execute(text(statement))


def uninstall(connection: Connection) -> None:
    """What `install` made that dropping the tables leaves behind."""
    if connection.dialect.name == "sqlite":
        connection.execute(text(f"DROP TABLE IF EXISTS {SEARCH_INDEX}"))
    elif connection.dialect.name == "postgresql":
        connection.execute(text("DROP FUNCTION IF EXISTS deliberate_refuse_sealed() CASCADE"))
        connection.execute(
            text("DROP FUNCTION IF EXISTS deliberate_refuse_sealed_assessment() CASCADE")
        )


def _sqlite_guard_names() -> list[str]:
    return [s.split()[2] for s in _sqlite_guards()]


@contextmanager
def guards_lifted(connection: Connection) -> Iterator[None]:
    """For the operator's maintenance and the tests that play an attacker with database
    access: the guards do not apply inside the block (PostgreSQL: for this transaction; SQLite:
    the triggers are dropped and made again)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        try:
            yield
        finally:
            connection.execute(text("SET LOCAL session_replication_role = origin"))
        return
    for name in _sqlite_guard_names():
        connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    try:
        yield
    finally:
        for statement in _sqlite_guards(_missing(connection)):
            connection.execute(text(statement))


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """For schema comparison: the search index, its own tables and PostgreSQL's stored
    tsvector column are not models."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(SEARCH_INDEX)
    if type_ == "column":
        return not (name == "search" and parent_names.get("table_name") == "archive_texts")
    return not (type_ == "index" and name == "ix_archive_texts_search")


def _install_after(_metadata: MetaData, connection: Connection, **kw: Any) -> None:
    created = {table.name for table in kw.get("tables") or ()}
    if "decision_records" in created:
        install(connection)


def listen(metadata: MetaData) -> None:
    """Install the guards and the index when `create_all` has made the decisions tables."""
    event.listen(metadata, "after_create", _install_after)
