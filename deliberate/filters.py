"""Template filters the whole app shares: dates and times in the viewer's zone, spans and counts
in words, written one way everywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from deliberate.timezones import format_duration, format_moment, plural, read_in, zone

if TYPE_CHECKING:
    from flask import Flask


# Dates never break across lines: their words are joined by no-break spaces, and a moment may
# break only between its day and its time.
NBSP = "\u00a0"
ORGANIZATION_ZONE_KEY = "deliberate.organization_zone"


def organization_zone_name() -> str:
    """The organization's zone: the one an admin chose, else the configured one (read once a
    request)."""
    from flask import current_app, has_request_context, request

    from deliberate.accounts.queries import organization_time_zone

    if not has_request_context():
        return organization_time_zone() or current_app.config["ORGANIZATION_TIME_ZONE"]
    # Kept with the request itself: an application context may outlive one request. Between
    # requests, kept under the organization's stamp, read with the page's own (fragments.py):
    # no query while it is unchanged.
    cached = request.environ.get(ORGANIZATION_ZONE_KEY)
    if cached is None:
        from deliberate import fragments
        from deliberate.stamps import ORGANIZATION

        chosen = fragments.kept(
            "organization zone",
            fragments.ambient_tokens().only(ORGANIZATION),
            None,
            organization_time_zone,
        )
        cached = chosen or current_app.config["ORGANIZATION_TIME_ZONE"]
        request.environ[ORGANIZATION_ZONE_KEY] = cached
    return str(cached)


def viewer_zone() -> ZoneInfo:
    """The zone times are entered and shown in: the member's own, else the organization's."""
    from flask import current_app, has_request_context
    from flask_login import current_user

    if not current_app:
        return zone(None)
    own = ""
    if has_request_context() and current_user and current_user.is_authenticated:
        own = current_user.time_zone
    return _zone_named(own or organization_zone_name())


@cache
def _zone_named(name: str) -> ZoneInfo:
    """`zone(name)`, looked up once per process: a page shows many times."""
    return zone(name)


def _in_zone(value: datetime, where: ZoneInfo | None) -> datetime:
    if value.tzinfo is None:  # stored times are UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(where or viewer_zone())


def format_date(value: date | datetime, where: ZoneInfo | None = None) -> str:
    """A day: "4 December 2026" (no-break spaces); a moment's day in the viewer's zone."""
    if isinstance(value, datetime):
        value = _in_zone(value, where)
    return f"{value.day}{NBSP}{value:%B}{NBSP}{value:%Y}"


def format_datetime(value: datetime, where: ZoneInfo | None = None) -> str:
    """A moment in the viewer's zone, named: "4 December 2026 at 19:00 CET" (no-break spaces
    but before "at")."""
    day, time = format_moment(value, where or viewer_zone()).rsplit(" at ", 1)
    return f"{day.replace(' ', NBSP)} at{NBSP}{time.replace(' ', NBSP)}"


def format_input(value: datetime | None, where: ZoneInfo | None = None) -> str:
    """A moment as a datetime-local field shows it: its wall time in the viewer's zone."""
    return "" if value is None else _in_zone(value, where).strftime("%Y-%m-%dT%H:%M")


def format_span(value: timedelta) -> str:
    """A span in words (`|duration`): "1 day 23 hours"."""
    return format_duration(value)


def counted(count: int, singular: str, many: str | None = None) -> str:
    """`{{ n|counted("voter") }}`: "1 voter", "2 voters"."""
    return plural(count, singular, many)


def noun(count: int, singular: str, many: str | None = None) -> str:
    """`{{ n }} {{ n|noun("seconder") }}`: the word alone, agreeing with the count."""
    return plural(count, singular, many).split(" ", 1)[1]


_FIXED_URLS: dict[tuple[str, str, str], str] = {}


def fixed_url(endpoint: str, filename: str = "") -> str:
    """`url_for(endpoint)` for an endpoint that takes no values (the navigation's), or a static
    file's (`filename`, named in a template), built once per process: the same for every
    request under one script root."""
    from flask import request, url_for

    key = (request.script_root, endpoint, filename)
    found = _FIXED_URLS.get(key)
    if found is None:
        found = url_for(endpoint, filename=filename) if filename else url_for(endpoint)
        _FIXED_URLS[key] = found
    return found


def register_filters(app: Flask) -> None:
    """Offer the filters to every template: `|date`, `|datetime`, `|duration`, `|counted`,
    `|noun`, and `fixed_url()`; and write the moments in services' messages in the viewer's
    zone."""
    read_in(viewer_zone)
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_span, "duration")
    app.add_template_filter(counted, "counted")
    app.add_template_filter(noun, "noun")
    app.add_template_global(viewer_zone, "viewer_zone")
    app.add_template_global(fixed_url, "fixed_url")
