"""Fixtures: one app per session, one rolled-back transaction per test, an auth helper,
stand-in subjects and a query counter."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import Connection, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import scoped_session

from config import database_url
from deliberate import create_app
from deliberate.accounts.models import Member
from deliberate.decisions import schema
from deliberate.extensions import db, limiter
from tests.factories import MakeSubject, stand_in_subjects

POSTGRES_URL = os.environ.get("DELIBERATE_TEST_DB")
# The Redis of the tests of production settings, which need one (each under a key prefix of its
# own, so runs may share it); CI sets REQUIRE_SERVICES so that a missing one fails, not skips.
TEST_REDIS = os.environ.get("DELIBERATE_TEST_REDIS", "redis://127.0.0.1:6379/0")


class CommittingClient(FlaskClient):
    """A test client that commits the test's own writes before each request.

    Requests share the test's app context and so its session; committing first (a SAVEPOINT
    release inside the test's outer transaction) makes the setup durable for the request as
    it would be in real use, so a request that rolls back undoes only its own work.
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        # The shared app context also shares `g`; forget the member loaded by the previous
        # request so each request authenticates afresh, as it would in a real deployment.
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


def database_uri_for_tests(tmp_dir: Path) -> str:
    if POSTGRES_URL:
        return database_url(POSTGRES_URL)
    return f"sqlite:///{tmp_dir / 'test.db'}"


@contextmanager
def private_postgres_database(url: str) -> Iterator[str]:
    """A database of this test run's own on the given server, dropped afterwards, so that
    simultaneous runs never share tables. Falls back to the given database, with its public
    schema reset, when the account may not create databases."""
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"deliberate_test_{os.getpid()}"
    try:
        with server.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            connection.execute(text(f"CREATE DATABASE {name}"))
    except ProgrammingError:
        with server.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        server.dispose()
        yield url
        return
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        server.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    uri = database_uri_for_tests(tmp_path_factory.mktemp("db"))
    with ExitStack() as stack:
        if uri.startswith("postgresql"):
            uri = stack.enter_context(private_postgres_database(uri))
        app = create_app(
            {
                "ENV_NAME": "testing",
                "SQLALCHEMY_DATABASE_URI": uri,
                "WTF_CSRF_ENABLED": False,
                "SERVER_NAME": "deliberate.test",
                # Mail sent with no server set (the demo command's) stays out of instance/.
                "MAIL_LETTERBOX": str(tmp_path_factory.mktemp("mail")),
            }
        )
        app.test_client_class = CommittingClient
        with app.app_context():
            db.create_all()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """TEST_REDIS, once it answers."""
    from redis import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(TEST_REDIS, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except RedisError as error:
        message = f"no Redis answers at {TEST_REDIS} (DELIBERATE_TEST_REDIS): {error}"
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail(message)
        pytest.skip(message)
    finally:
        client.close()
    return TEST_REDIS


@contextmanager
def limiter_kept() -> Iterator[None]:
    """Making another app re-initializes the one limiter (its store, its key prefix): the
    session's app gets its own back afterwards, and never a production app's Redis."""
    saved = dict(limiter.__dict__)
    try:
        yield
    finally:
        limiter.__dict__.clear()
        limiter.__dict__.update(saved)


@contextmanager
def rolled_back_connection(app: Flask) -> Iterator[Connection]:
    """A connection in an open transaction, rolled back at the end, that every session joins
    (each session's commit only releases a SAVEPOINT inside it). Needs an app context."""
    engine = db.engine
    conn = engine.connect()
    outer = conn.begin()
    engines = db._app_engines[app]
    # The ignores: Flask-SQLAlchemy types its binds as engines and `session` as a method-like
    # attribute; SQLAlchemy's "join an external transaction" recipe binds sessions to a
    # connection, and Flask-SQLAlchemy has no other hook for per-test session options.
    engines[None] = conn  # type: ignore[assignment]
    original_session = db.session
    db.session = db._make_scoped_session(  # type: ignore[method-assign]
        {"join_transaction_mode": "create_savepoint"}
    )
    try:
        yield conn
    finally:
        db.session.remove()
        db.session = original_session  # type: ignore[method-assign]
        engines[None] = engine
        outer.rollback()
        conn.close()


@pytest.fixture
def connection(app: Flask) -> Iterator[Connection]:
    """A connection in an open transaction that every session of this test joins."""
    with app.app_context(), rolled_back_connection(app) as conn:
        yield conn


@pytest.fixture
def session(app: Flask, connection: Connection) -> Iterator[scoped_session]:
    """The database session of a test, inside an app context; rolled back afterwards."""
    limiter.reset()
    with app.app_context():
        yield db.session


@pytest.fixture
def client(app: Flask, session: scoped_session) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def csrf_enabled(app: Flask) -> Iterator[None]:
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def login(client: FlaskClient, member: Member) -> FlaskClient:
    """Log `member` in on `client` without going through the password form."""
    return login_with_id(client, member.get_id())


def login_with_id(client: FlaskClient, user_id: str) -> FlaskClient:
    """Log in the member whose Member.get_id() is `user_id`."""
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = user_id
        flask_session["_fresh"] = True
    return client


@pytest.fixture
def login_as(client: FlaskClient):
    def _login(member: Member) -> FlaskClient:
        return login(client, member)

    return _login


@pytest.fixture
def committed(app: Flask) -> Iterator[None]:
    """For tests of concurrent requests: data is really committed, and wiped afterwards."""
    with app.app_context():
        yield
        db.session.rollback()
        # Sealed and append-only rows are refused deletion by the database's own guards.
        with db.engine.begin() as conn, schema.guards_lifted(conn):
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        db.session.remove()


@pytest.fixture
def make_subject(session: scoped_session) -> Iterator[MakeSubject]:
    """A factory of stand-in subjects (registered as the "vote" kind for the test)."""
    with stand_in_subjects() as make:
        yield make


@contextmanager
def queries_sent() -> Iterator[list[str]]:
    """The SQL statements sent to the database while the block runs."""
    statements: list[str] = []

    def before(_conn, _cursor, statement, _params, _context, _executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def count_queries(session: scoped_session) -> Callable[[], AbstractContextManager[list[str]]]:
    """`with count_queries() as statements:` holds a page to its query budget."""
    return queries_sent


def warm_navigation(client: FlaskClient, member: Member) -> None:
    """Read a page as `member` (logged in on `client`) that shows the navigation's count and
    a date, so that both are kept (deliberate/main/watches.py): a page measured next sends
    what it sends on every later read, not the first read's count and time zone."""
    response = client.get(f"/members/{member.id}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


def page_queries(client: FlaskClient, url: str) -> list[str]:
    """The statements a GET of `url` sends (it must answer 200)."""
    db.session.commit()  # the client commits setup first; keep that out of the count
    with queries_sent() as statements:
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return statements
