"""Backups of a SQLite database, taken while the app serves, and restoring them.

A backup is SQLite's online backup API (https://sqlite.org/backup.html) in one step: one read
transaction copies every page, so the copy is the database as of one moment, whatever the
app writes meanwhile (in WAL mode writers are not even held up). The copy is then vacuumed:
it keeps none of the free pages where deleted content lingers (a secret vote's ballots as
they were before its close, SECURITY.md), so it holds what a logical dump would. It is
written beside its name and moved into place when whole and checked.

A restore takes only a file that is a backup of this app: a SQLite database, undamaged,
with an Alembic revision this version knows and the app's tables. It copies the backup into
the configured database through the same API, and never over a database that holds data
unless told to (then it first backs that database up beside itself).

PostgreSQL is backed up with pg_dump and restored with pg_restore (README, "Backups").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

SQLITE_HEADER = b"SQLite format 3\x00"
#: Tables every revision of the app has had since its first migration.
CORE_TABLES = frozenset({"members", "tendencies", "audit_entries", "alembic_version"})

POSTGRESQL_ADVICE = """\
This database is PostgreSQL: back it up with pg_dump, which reads one consistent snapshot
while the app serves, and restore it with pg_restore into a new, empty database:

  pg_dump --format=custom --file=deliberate.dump "$DATABASE_URL"
  createdb --host=HOST --username=USER deliberate_restored
  pg_restore --no-owner --exit-on-error \\
      --dbname=postgresql://USER@HOST/deliberate_restored deliberate.dump

then point DATABASE_URL at the restored database and run `flask --app deliberate
verify-archive` there (README, "Backups")."""


class BackupRefused(Exception):
    """What a backup or restore would not do, and why (a sentence for the operator)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class BackupFacts:
    """What a backup file holds: its Alembic revision, its tables, its size in bytes."""

    revision: str
    tables: frozenset[str]
    size: int


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL; None for another database. Raises BackupRefused
    for an in-memory SQLite database (nothing to back up or restore into)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupRefused("This database is in memory: there is no file to back up.")
    return Path(parsed.database)


@contextmanager
def _connected(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection that waits for a writer's lock as the app does."""
    target = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    with closing(sqlite3.connect(target, uri=True, timeout=15)) as connection:
        yield connection


def back_up(source: Path, target: Path) -> BackupFacts:
    """Copy the SQLite database `source` to the new file `target`, consistently while it is
    in use. Raises BackupRefused when there is no database at `source`, `target` exists, or
    the copy is not sound."""
    if not source.is_file():
        raise BackupRefused(f"There is no database at {source}.")
    if target.exists():
        raise BackupRefused(f"{target} exists already; give the backup a new name.")
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    try:
        with _connected(source) as live, _connected(partial) as copy:
            live.backup(copy)  # every page at once: one read transaction, one moment
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            copy.execute("VACUUM")  # no free page keeps what was deleted
        facts = inspect_backup(partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
    return facts


def inspect_backup(path: Path) -> BackupFacts:
    """What the file at `path` holds, if it is a sound backup of this app. Raises
    BackupRefused saying what it is not: a SQLite database, undamaged, with the Alembic
    revision and the tables of this app."""
    if not path.is_file():
        raise BackupRefused(f"There is no file at {path}.")
    with path.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise BackupRefused(f"{path} is not a SQLite database, so not a backup of Deliberate.")
    try:
        with _connected(path, read_only=True) as backup:
            check = backup.execute("PRAGMA quick_check").fetchone()[0]
            tables = frozenset(
                row[0]
                for row in backup.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            )
            revisions = (
                [row[0] for row in backup.execute("SELECT version_num FROM alembic_version")]
                if "alembic_version" in tables
                else []
            )
    except sqlite3.DatabaseError as error:
        raise BackupRefused(f"{path} cannot be read as a database ({error}).") from None
    if check != "ok":
        raise BackupRefused(f"{path} is damaged: SQLite's check says {check!r}.")
    if len(revisions) != 1:
        raise BackupRefused(
            f"{path} is not a backup of Deliberate: it records no migration "
            "(no alembic_version), so it was not made by `flask --app deliberate backup`."
        )
    [revision] = revisions
    script = script_directory()
    if not _known(script, revision):
        raise BackupRefused(
            f"{path} is at migration {revision!r}, which this version of Deliberate does not "
            "know: restore it with the version that made it (or a later one)."
        )
    required = _tables_at_head() if revision == script.get_current_head() else CORE_TABLES
    missing = sorted(required - tables)
    if missing:
        raise BackupRefused(
            f"{path} is not a backup of Deliberate: it lacks the tables {', '.join(missing)}."
        )
    return BackupFacts(revision=revision, tables=tables, size=path.stat().st_size)


def script_directory() -> ScriptDirectory:
    from deliberate.app import PROJECT_ROOT

    return ScriptDirectory(str(PROJECT_ROOT / "migrations"))


def _known(script: ScriptDirectory, revision: str) -> bool:
    return revision in {known.revision for known in script.walk_revisions()}


def _tables_at_head() -> frozenset[str]:
    from deliberate.extensions import db

    return frozenset(db.metadata.tables) | {"alembic_version"}


def holds_data(path: Path) -> bool:
    """Whether the SQLite database at `path` has a table with a row in it."""
    if not path.is_file() or path.stat().st_size == 0:
        return False
    with _connected(path) as database:
        names = [
            row[0]
            for row in database.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return any(
            database.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone()  # noqa: S608 (names from sqlite_master)
            for name in names
            if name != "alembic_version"
        )


@dataclass(frozen=True)
class Restored:
    facts: BackupFacts
    kept: Path | None  # the database that was there, backed up before being replaced


def restore(backup: Path, target: Path, *, force: bool = False) -> Restored:
    """Copy the backup at `backup` into the SQLite database `target`. Refuses a file that is
    not a backup of this app, and a `target` that holds data unless `force` (which first
    backs that data up beside it). Stop the app and the workers first: a database replaced
    under them would surprise what they hold in memory."""
    facts = inspect_backup(backup)
    if backup.resolve() == target.resolve():
        raise BackupRefused("The backup is the database itself.")
    kept = None
    if holds_data(target):
        if not force:
            raise BackupRefused(
                f"The database {target} already holds data; restoring would replace it. Stop "
                "the app and the workers, then run again with --force (the database there "
                "now is backed up beside it first)."
            )
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = target.with_name(f"{target.name}.before-restore-{stamp}")
        back_up(target, kept)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _connected(backup, read_only=True) as source, _connected(target) as database:
        source.backup(database)
    return Restored(facts=facts, kept=kept)
