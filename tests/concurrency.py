"""Run the same unit of work from several threads at once, each with its own session."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

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
