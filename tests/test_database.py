"""Helpers every model uses: enum checks and immutable rows."""

from __future__ import annotations

from enum import StrEnum

from deliberate.database import enum_check


class Colour(StrEnum):
    RED = "red"
    SEA_GREEN = "sea_green"


def test_enum_check_lists_the_values_in_order():
    assert enum_check("colour", Colour) == "colour IN ('red', 'sea_green')"


def test_enum_check_quotes_strings_as_sql_does():
    assert enum_check("name", ["o'clock", "plain"]) == "name IN ('o''clock', 'plain')"
