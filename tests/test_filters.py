"""Dates and times are written one way on every page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from deliberate.filters import NBSP, format_date, format_datetime


def spaced(text: str) -> str:
    """The filter's output as it reads: no-break spaces shown as spaces."""
    return text.replace(NBSP, " ")


def test_a_day_reads_day_month_year():
    assert spaced(format_date(date(2026, 12, 4))) == "4 December 2026"
    assert spaced(format_date(datetime(2026, 1, 10, 23, 59, tzinfo=UTC))) == "10 January 2026"


def test_a_moment_reads_in_utc():
    assert spaced(format_datetime(datetime(2026, 12, 4, 18, 0, tzinfo=UTC))) == (
        "4 December 2026 at 18:00 UTC"
    )
    east = timezone(timedelta(hours=2))
    assert spaced(format_datetime(datetime(2026, 12, 5, 1, 30, tzinfo=east))) == (
        "4 December 2026 at 23:30 UTC"
    )


def test_templates_use_the_filters(app):
    template = app.jinja_env.from_string("{{ day|date }} · {{ moment|datetime }}")
    rendered = template.render(
        day=date(2026, 7, 10), moment=datetime(2026, 7, 10, 9, 5, tzinfo=UTC)
    )
    assert spaced(rendered) == "10 July 2026 · 10 July 2026 at 09:05 UTC"


def test_a_date_never_breaks_across_lines():
    moment = format_datetime(datetime(2026, 12, 4, 18, 0, tzinfo=UTC))
    assert moment.count(" ") == 1  # the one place a line may break: before "at"
    assert " " not in format_date(date(2026, 12, 4))
