"""Slowly moving figures read at most once per interval in each process: how many members the
organization has, how many each tendency has, who coordinates. Counting 90,000 rows on every
page buys nothing; a worker reads them again after `TENDENCY_SIZES_SECONDS` (0: every time).

A transaction of this process that changes a row they count records a `Changed` event: the
figures are forgotten once it commits (deliberate/events.py), so a member sees their own change
on the next page, and other workers see it within the interval. Until then the transaction
reads them afresh without keeping them, so what a rolled-back transaction saw is never kept.
Values are kept per database, so tests and tools on several databases never share them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from deliberate import events

T = TypeVar("T")


@dataclass(frozen=True)
class Changed(events.Event):
    """A transaction changed rows that the figures called `figures` count."""

    figures: str


class Recent:
    """Values forgotten once this process commits a change to a row of `models` (with
    `updates` False, only an added or deleted row counts)."""

    def __init__(self, name: str, *models: type, updates: bool = True) -> None:
        self.name = name
        self._models = models
        self._updates = updates
        self._values: dict[tuple[str, Hashable], tuple[float, Any]] = {}
        event.listen(Session, "after_flush", self._note)
        events.subscribe(Changed, self._forget)

    def _note(self, session: Session, _context: object) -> None:
        rows = (*session.new, *session.deleted, *(session.dirty if self._updates else ()))
        if any(isinstance(row, self._models) for row in rows) and not self._changing(session):
            events.record(Changed(self.name), session)

    def _changing(self, session: Session | None = None) -> bool:
        return any(c.figures == self.name for c in events.pending(Changed, session))

    def _forget(self, changed: Changed) -> None:
        if changed.figures == self.name:
            self._values.clear()

    def get(self, what: Hashable, read: Callable[[], T]) -> T:
        interval = current_app.config.get("TENDENCY_SIZES_SECONDS", 0)
        if not interval or self._changing():
            return read()
        key = (current_app.config["SQLALCHEMY_DATABASE_URI"], what)
        now = time.monotonic()
        kept = self._values.get(key)
        if kept is not None and now - kept[0] < interval:
            return cast(T, kept[1])
        value = read()
        self._values[key] = (now, value)
        return value
