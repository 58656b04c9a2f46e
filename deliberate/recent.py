"""Slowly moving figures read at most once per interval in each process: how many members the
organization has, how many each tendency has, who coordinates. Counting 90,000 rows on every
page buys nothing; a worker reads them again after `TENDENCY_SIZES_SECONDS` (0: every time).

What this process flushes forgets them at once (a member added, a membership ended), so a
member sees their own change on the next page; other workers see it within the interval.
Values are kept per database, so tests and tools on several databases never share them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

T = TypeVar("T")


class Recent:
    """Values forgotten when this process flushes a change to a row of `models` (with
    `updates` False, only an added or deleted row counts)."""

    def __init__(self, *models: type, updates: bool = True) -> None:
        self._models = models
        self._updates = updates
        self._values: dict[tuple[str, Hashable], tuple[float, Any]] = {}
        event.listen(Session, "after_flush", self._forget)

    def _forget(self, session: Session, _context: object) -> None:
        rows = (*session.new, *session.deleted, *(session.dirty if self._updates else ()))
        if any(isinstance(row, self._models) for row in rows):
            self._values.clear()

    def get(self, what: Hashable, read: Callable[[], T]) -> T:
        interval = current_app.config.get("TENDENCY_SIZES_SECONDS", 0)
        if not interval:
            return read()
        key = (current_app.config["SQLALCHEMY_DATABASE_URI"], what)
        now = time.monotonic()
        kept = self._values.get(key)
        if kept is not None and now - kept[0] < interval:
            return cast(T, kept[1])
        value = read()
        self._values[key] = (now, value)
        return value
