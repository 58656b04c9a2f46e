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
