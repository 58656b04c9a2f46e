"""`flask backup` and `flask restore`: a live SQLite database with votes and sealed records,
backed up while it is written, restored into a fresh one where the archive verifies; files
that are not backups of Deliberate refused; a database with data never replaced unasked.
And the PostgreSQL way: pg_dump and pg_restore, then the archive verifies there too."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from deliberate import create_app
from deliberate.extensions import db
from tests.conftest import POSTGRES_URL, database_uri_for_tests

on_sqlite_only = pytest.mark.skipif(POSTGRES_URL is not None, reason="SQLite files")


def app_on(uri: str, tmp_path: Path) -> Flask:
    return create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": uri,
            "MAIL_LETTERBOX": str(tmp_path / "mail"),
        }
    )


def demo_database(app: Flask) -> None:
    """Migrated to head, with the demo organization: votes closed, records sealed."""
    with app.app_context():
        upgrade()
        loaded = app.test_cli_runner().invoke(args=["demo"])
        assert loaded.exit_code == 0, loaded.output
        db.engine.dispose()


def run(app: Flask, *args: str):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
        db.engine.dispose()
    return result


def content(path: Path) -> str:
    """A digest of what the database holds (its SQL dump: the same whatever a checkpoint
    moved between the file and its write-ahead log)."""
    with closing(sqlite3.connect(path)) as connection:
        return hashlib.sha256("\n".join(connection.iterdump()).encode()).hexdigest()


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the demo organization, made once; each test copies it."""
    folder = tmp_path_factory.mktemp("demo")
    demo_database(app_on(f"sqlite:///{folder / 'demo.db'}", folder))
    return folder / "demo.db"


@pytest.fixture
def live(demo_file: Path, tmp_path: Path) -> tuple[Flask, Path]:
    path = tmp_path / "live.db"
    with sqlite3.connect(demo_file) as source, sqlite3.connect(path) as copy:
        source.backup(copy)
    return app_on(f"sqlite:///{path}", tmp_path), path


class Writer(threading.Thread):
    """Writes to the live database until stopped, two rows per transaction, as the app's
    requests would write while a backup is taken."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.stop = threading.Event()
        self.written = 0
        self.committed = 0  # rows whose transaction has committed

    def run(self) -> None:
        with sqlite3.connect(self.path, timeout=15, isolation_level=None) as connection:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("CREATE TABLE IF NOT EXISTS probe (n INTEGER, pair INTEGER)")
            while not self.stop.is_set():
                connection.execute("BEGIN IMMEDIATE")
                for _ in range(2):
                    connection.execute(
                        "INSERT INTO probe VALUES (?, ?)", (self.written, self.written // 2)
                    )
                    self.written += 1
                connection.execute("COMMIT")
                self.committed = self.written


@on_sqlite_only
def test_a_live_database_is_backed_up_consistently_and_restores_where_the_archive_holds(
    live, tmp_path
):
    app, path = live
    writer = Writer(path)
    writer.start()
    try:
        while writer.committed < 200:
            pass
        backups = []
        for round_ in range(3):
            before = writer.committed
            target = tmp_path / f"backup-{round_}.db"
            result = run(app, "backup", str(target))
            assert result.exit_code == 0, result.output
            assert f"Backed up {path} to {target}" in result.output
            backups.append((target, before))
    finally:
        writer.stop.set()
        writer.join()
    assert writer.committed > backups[-1][1]  # the writer went on while the backups were taken
    for target, before in backups:
        with sqlite3.connect(target) as copy:
            query = "SELECT count(*), count(DISTINCT pair) FROM probe"
            rows, pairs = copy.execute(query).fetchone()
            assert rows >= before  # everything committed before it started
            assert rows == 2 * pairs  # and no transaction halfway
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    fresh = app_on(f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path)
    restored = run(fresh, "restore", str(backups[-1][0]))
    assert restored.exit_code == 0, restored.output
    verified = run(fresh, "verify-archive")
    assert verified.exit_code == 0, verified.output
    assert "The archive holds" in verified.output
    original = run(app, "verify-archive")
    assert original.exit_code == 0, original.output
    # The same links, closed votes and sealed records as the live database: all of the demo's.
    assert verified.output.splitlines()[0] == original.output.splitlines()[0]
    assert "4 decision records" in verified.output


def probe(path: Path, statement: str, *parameters: object) -> None:
    with closing(sqlite3.connect(path, timeout=15)) as connection, connection:
        connection.execute("CREATE TABLE IF NOT EXISTS probe (n INTEGER, pair INTEGER)")
        connection.execute(statement, parameters)


@on_sqlite_only
def test_what_was_deleted_before_a_backup_is_not_in_it(live, tmp_path):
    app, path = live
    marker = "erased-before-the-backup-7c1d"
    with closing(sqlite3.connect(path)) as connection, connection:
        # As SQLite is built by default (Debian builds it with secure deletion on): deleted
        # rows stay in the file's free space until it is reused.
        connection.execute("PRAGMA secure_delete = OFF")
        connection.execute("CREATE TABLE probe (n TEXT)")
        connection.execute("INSERT INTO probe VALUES (?)", (marker * 50,))
        connection.commit()
        connection.execute("DELETE FROM probe")
    log = Path(f"{path}-wal")
    live_bytes = path.read_bytes() + (log.read_bytes() if log.exists() else b"")
    assert marker.encode() in live_bytes  # still in the live file's pages or its log
    target = tmp_path / "clean.db"
    assert run(app, "backup", str(target)).exit_code == 0
    assert marker.encode() not in target.read_bytes()


def fake(path: Path, *statements: str) -> Path:
    with sqlite3.connect(path) as connection:
        for statement in statements:
            connection.execute(statement)
    return path


def text_file(path: Path) -> Path:
    path.write_text("name,email\nAda,ada@example.org\n")
    return path


def damaged(path: Path) -> Path:
    path.write_bytes(b"SQLite format 3\x00" + b"\x07" * 400)
    return path


NOT_BACKUPS = {
    "text": (text_file, "is not a SQLite database"),
    "damaged": (damaged, "cannot be read as a database"),
    "other application": (
        lambda p: fake(p, "CREATE TABLE notes (t TEXT)"),
        "records no migration",
    ),
    "later version": (
        lambda p: fake(
            p,
            "CREATE TABLE alembic_version (version_num TEXT)",
            "INSERT INTO alembic_version VALUES ('9999_from_the_future')",
        ),
        "'9999_from_the_future', which this version of Deliberate does not know",
    ),
    "tables missing": (
        lambda p: fake(
            p,
            "CREATE TABLE alembic_version (version_num TEXT)",
            "INSERT INTO alembic_version VALUES ('0023')",
            "CREATE TABLE members (id INTEGER)",
        ),
        "it lacks the tables",
    ),
    "no file": (lambda p: p, "There is no file at"),
}


@on_sqlite_only
@pytest.mark.parametrize("kind", NOT_BACKUPS)
def test_restore_refuses_what_is_not_a_backup_of_deliberate(tmp_path, kind):
    made, said = NOT_BACKUPS[kind]
    candidate = made(tmp_path / "candidate.db")
    fresh = app_on(f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path)
    result = run(fresh, "restore", str(candidate))
    assert result.exit_code == 1
    assert said in result.output
    target = tmp_path / "fresh.db"
    assert not target.exists() or target.stat().st_size == 0


@on_sqlite_only
def test_a_database_with_data_is_replaced_only_with_force_and_kept_beside(live, tmp_path):
    app, _path = live
    backup = tmp_path / "backup.db"
    assert run(app, "backup", str(backup)).exit_code == 0
    other_path = tmp_path / "other.db"
    other = app_on(f"sqlite:///{other_path}", tmp_path)
    with other.app_context():
        upgrade()
        db.engine.dispose()
    probe(other_path, "INSERT INTO probe VALUES (1, 1)")  # a database with data of its own
    before = content(other_path)
    refused = run(other, "restore", str(backup))
    assert refused.exit_code == 1
    assert "already holds data; restoring would replace it" in refused.output
    assert "--force" in refused.output
    assert content(other_path) == before
    forced = run(other, "restore", "--force", str(backup))
    assert forced.exit_code == 0, forced.output
    [kept] = tmp_path.glob("other.db.before-restore-*")
    assert f"kept in {kept}" in forced.output
    with sqlite3.connect(kept) as connection:
        assert connection.execute("SELECT count(*) FROM probe").fetchone() == (1,)
    with sqlite3.connect(other_path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert "probe" not in tables
    assert run(other, "verify-archive").exit_code == 0


@on_sqlite_only
def test_a_backup_never_writes_over_a_file(live, tmp_path):
    app, _path = live
    existing = tmp_path / "precious.txt"
    existing.write_text("keep me")
    result = run(app, "backup", str(existing))
    assert result.exit_code == 1
    assert "exists already; give the backup a new name" in result.output
    assert existing.read_text() == "keep me"
    assert not list(tmp_path.glob("*.part"))


def test_on_postgresql_the_commands_say_to_use_pg_dump(tmp_path):
    app = app_on("postgresql+psycopg://nobody@127.0.0.1:1/nothing", tmp_path)
    for args in (["backup", str(tmp_path / "b.db")], ["restore", str(tmp_path / "b.db")]):
        result = run(app, *args)
        assert result.exit_code == 1
        assert 'pg_dump --format=custom --file=deliberate.dump "$DATABASE_URL"' in result.output
        assert "pg_restore --no-owner" in result.output
    assert not (tmp_path / "b.db").exists()


# --- PostgreSQL: pg_dump and pg_restore -------------------------------------------------


@pytest.fixture
def two_postgres_databases(tmp_path: Path) -> Iterator[tuple[str, str]]:
    server_url = make_url(database_uri_for_tests(tmp_path))
    names = [f"deliberate_backup_{which}_{os.getpid()}" for which in ("live", "restored")]
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        live, restored = (
            server_url.set(database=name).render_as_string(hide_password=False) for name in names
        )
        yield live, restored
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def libpq(url: str) -> str:
    """The URL as pg_dump reads it (no SQLAlchemy driver name)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.mark.skipif(POSTGRES_URL is None, reason="PostgreSQL only")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs pg_dump and pg_restore")
def test_pg_dump_and_pg_restore_carry_a_live_database_whose_archive_holds(
    two_postgres_databases, tmp_path
):
    live_url, restored_url = two_postgres_databases
    live = app_on(live_url, tmp_path)
    demo_database(live)
    dump = tmp_path / "deliberate.dump"
    dumped = ["pg_dump", "--format=custom", f"--file={dump}", libpq(live_url)]
    subprocess.run(dumped, check=True)  # noqa: S603 (our arguments)
    restoring = ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={libpq(restored_url)}"]
    subprocess.run([*restoring, str(dump)], check=True)  # noqa: S603 (our arguments)
    restored = app_on(restored_url, tmp_path)
    verified = run(restored, "verify-archive")
    assert verified.exit_code == 0, verified.output
    assert "The archive holds" in verified.output
    original = run(live, "verify-archive")
    assert verified.output.splitlines()[0] == original.output.splitlines()[0]
    assert "4 decision records" in verified.output
