"""Template filters the whole app shares: dates and times, written one way everywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


# Dates never break across lines: their words are joined by no-break spaces, and a moment may
# break only between its day and its time.
NBSP = "\u00a0"


def format_date(value: date | datetime) -> str:
    """A day: "4 December 2026" (no-break spaces)."""
    return f"{value.day}{NBSP}{value:%B}{NBSP}{value:%Y}"


def format_datetime(value: datetime) -> str:
    """A moment, in UTC: "4 December 2026 at 18:00 UTC" (no-break spaces but before "at")."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return f"{format_date(value)} at{NBSP}{value:%H:%M}{NBSP}UTC"


def register_filters(app: Flask) -> None:
    """Offer the filters to every template: `|date` and `|datetime`."""
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
