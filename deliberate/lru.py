"""A bounded, per-process cache of what never changes once written (a draft version's
paragraphs, an amendment's change against its version, a diff between two revisions).

Keys must name the content itself, not only a row id: the same id may hold other content in
another database (a test's rolled-back rows, a fresh deployment), so a key carries what the
value is computed from (an immutable version's id with its text, for instance).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Immutables(Generic[V]):
    """At most `size` values, the least recently used forgotten first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value for `key`, made by `make()` the first time (outside the lock: two
        threads may both make it, and either result is the same)."""
        found = self.find(key)
        if found is not None:
            return found
        value = make()
        self.keep(key, value)
        return value

    def find(self, key: Hashable) -> V | None:
        """The value kept for `key`, or None."""
        with self._lock:
            if key not in self._values:
                self.misses += 1
                return None
            self._values.move_to_end(key)
            self.hits += 1
            return self._values[key]

    def keep(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
