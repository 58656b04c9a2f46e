"""Stored values that read as words."""

from __future__ import annotations

from enum import StrEnum


class Worded(StrEnum):
    """A stored value whose label is its own words: "partly_achieved" reads "partly
    achieved"."""

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")
