"""Run the same unit of work from several threads at once, each with its own session."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, event
from sqlalchemy.pool import NullPool

from deliberate.errors import DomainError
from deliberate.extensions import db


def run_concurrently(app: Flask, works: list[Callable[[], Any]]) -> list[Any]:
    """Start every work together (a barrier), commit each; return results or DomainErrors."""
    barrier = threading.Barrier(len(works))
    results: list[Any] = [None] * len(works)

    def runner(index: int, work: Callable[[], Any]) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results[index] = work()
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                results[index] = error
            except Exception as error:  # reported to the test, which fails on it
                db.session.rollback()
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=runner, args=(i, w)) for i, w in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def run_in_pool(app: Flask, works: list[Callable[[], Any]], workers: int = 24) -> list[Any]:
    """Run many works on a fixed number of threads, in the order given, each as one
    transaction of its own (its own app context and session, committed); return, in that
    order, each work's result or the exception it raised (rolled back).

    Many more works than threads, as a real crowd arrives: works next to each other in the
    list are in flight at the same time."""

    def one(work: Callable[[], Any]) -> Any:
        with app.app_context():
            try:
                result = work()
                db.session.commit()
                return result
            except Exception as error:  # domain refusals and failures alike, for the test
                db.session.rollback()
                return error
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, works, timeout=120))


@contextmanager
def backend_killed_before(statement_prefix: str) -> Iterator[list[int]]:
    """Terminate, once, the PostgreSQL backend of the first connection about to run a
    statement starting with `statement_prefix` ("COMMIT": about to commit), from a connection
    outside the app's pool (which busy threads may have exhausted). Needs an app context.
    Yields a list that receives the killed backend's pid."""
    engine = db.engine
    killer = create_engine(engine.url, poolclass=NullPool)
    prefix = statement_prefix.lstrip().upper()
    killed: list[int] = []
    claiming = threading.Lock()

    def claim(statement: str) -> bool:
        # Only the first matching statement, in whichever thread, is interrupted.
        with claiming:
            if killed or not statement.lstrip().upper().startswith(prefix):
                return False
            killed.append(0)
            return True

    def kill(pid: int) -> None:
        killed[0] = pid
        with killer.connect() as other:
            other.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")

    def before_statement(conn, cursor, statement, parameters, context, executemany):
        if claim(statement):
            kill(cursor.connection.info.backend_pid)

    def before_commit(conn):
        if claim("COMMIT"):
            kill(conn.connection.dbapi_connection.info.backend_pid)

    event.listen(engine, "before_cursor_execute", before_statement)
    event.listen(engine, "commit", before_commit)
    try:
        yield killed
    finally:
        event.remove(engine, "before_cursor_execute", before_statement)
        event.remove(engine, "commit", before_commit)
        killer.dispose()
