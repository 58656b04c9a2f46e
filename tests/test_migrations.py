"""Upgrading an empty database gives exactly the models' schema."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from deliberate import create_app
from deliberate.decisions import schema
from deliberate.extensions import db
from tests.conftest import POSTGRES_URL, database_uri_for_tests

MIGRATION_DB = f"deliberate_migration_test_{os.getpid()}"


@pytest.fixture
def empty_database_uri(tmp_path: Path) -> Iterator[str]:
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    url = make_url(database_uri_for_tests(tmp_path))
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {MIGRATION_DB}"))
        connection.execute(text(f"CREATE DATABASE {MIGRATION_DB}"))
    yield url.set(database=MIGRATION_DB).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {MIGRATION_DB} WITH (FORCE)"))
    admin.dispose()


def test_upgrade_gives_the_models_schema(empty_database_uri):
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_uri})
    with app.app_context():
        try:
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection,
                    opts={
                        "compare_type": True,
                        "compare_server_default": False,
                        "include_name": schema.include_name,
                    },
                )
                differences = compare_metadata(context, db.metadata)
                tables = set(inspect(connection).get_table_names())
            assert differences == []
            assert set(db.metadata.tables) <= tables
            downgrade(revision="base")
            with db.engine.connect() as connection:
                assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        finally:
            db.engine.dispose()


def _insert_consensus_vote(connection, vote_id: int, percent: int) -> None:
    connection.execute(
        text(
            "INSERT INTO votes (id, title, description_markdown, description_html, purpose, "
            "method, seats, quota, abstentions_in_base, quorum_percent, block_rule, "
            "fallback_percent, secret, replaceable, breakdown_by_tendency, in_person, state, "
            "created_at, created_by_id, tie_break) VALUES (:id, 'Q', '', '', 'question', "
            "'consensus', 1, 'droop', false, 0, 'fallback', :percent, true, true, false, "
            "false, 'scheduled', '2026-01-01 00:00:00', 1, 'earlier_rounds')"
        ),
        {"id": vote_id, "percent": percent},
    )


def test_fallback_percentages_become_exact_fractions_and_back(empty_database_uri):
    """A stored whole percentage becomes its exact fraction in lowest terms; the database then
    refuses a fallback of half or less; downgrading rounds up to a percentage."""
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_uri})
    with app.app_context():
        try:
            upgrade(revision="0011")
            with db.engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO members (id, display_name, email, password_hash, role, "
                        "status, joined_at, session_token) VALUES (1, 'C', 'c@example.org', "
                        "'x', 'convener', 'active', '2026-01-01 00:00:00', 'token')"
                    )
                )
                for vote_id, percent in ((1, 75), (2, 66), (3, 100)):
                    _insert_consensus_vote(connection, vote_id, percent)
            upgrade(revision="0014")
            with db.engine.begin() as connection:
                stored = connection.execute(
                    text(
                        "SELECT id, fallback_numerator, fallback_denominator FROM votes ORDER BY id"
                    )
                ).all()
                assert [tuple(row) for row in stored] == [(1, 3, 4), (2, 33, 50), (3, 1, 1)]
                connection.execute(
                    text("UPDATE votes SET fallback_numerator = 2, fallback_denominator = 3")
                )
            for numerator, denominator in ((1, 2), (3, 2), (2, None)):
                with pytest.raises(DBAPIError), db.engine.begin() as connection:
                    connection.execute(
                        text(
                            "UPDATE votes SET fallback_numerator = :n, "
                            "fallback_denominator = :d WHERE id = 1"
                        ),
                        {"n": numerator, "d": denominator},
                    )
            downgrade(revision="0011")
            with db.engine.connect() as connection:
                percents = connection.execute(
                    text("SELECT fallback_percent FROM votes ORDER BY id")
                ).scalars()
                assert list(percents) == [67, 67, 67]
            downgrade(revision="base")
        finally:
            db.engine.dispose()


def test_ballots_lose_their_rowid_and_keep_their_rows(empty_database_uri):
    """0012 makes the ballots table again on SQLite, WITHOUT ROWID, with every ballot kept."""
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_uri})
    with app.app_context():
        try:
            upgrade(revision="0011")
            with db.engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO members (id, email, display_name, password_hash, role,"
                        " status, joined_at, session_token) VALUES (1, 'a@example.org', 'A',"
                        " 'x', 'convener', 'active', CURRENT_TIMESTAMP, 't')"
                    )
                )
                connection.execute(
                    text(
                        "INSERT INTO votes (id, title, description_markdown, description_html,"
                        " purpose, method, seats, quota, tie_break, threshold,"
                        " abstentions_in_base, quorum_percent, secret, replaceable,"
                        " breakdown_by_tendency, in_person, state, created_at, created_by_id,"
                        " lot, opened_at) VALUES (1, 'Q', '', '', 'question', 'majority', 1,"
                        " 'droop', 'earlier_rounds', 'simple', false, 0, true, true, false,"
                        " false, 'open', CURRENT_TIMESTAMP, 1, '[]', CURRENT_TIMESTAMP)"
                    )
                )
                connection.execute(
                    text(
                        "INSERT INTO ballots (id, vote_id, receipt_hash, source, content)"
                        " VALUES ('ab', 1, :h, 'online', '{\"choice\":\"yes\"}')"
                    ),
                    {"h": "0" * 64},
                )
            upgrade()
            with db.engine.connect() as connection:
                assert connection.execute(text("SELECT id, content FROM ballots")).all() == [
                    ("ab", '{"choice":"yes"}')
                ]
                if connection.dialect.name == "sqlite":
                    with pytest.raises(Exception, match="rowid"):
                        connection.execute(text("SELECT rowid FROM ballots"))
            downgrade(revision="base")
        finally:
            db.engine.dispose()
