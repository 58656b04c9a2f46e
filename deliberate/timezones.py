"""Time zones and durations: a moment entered and shown in a named zone, a span read in words."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from deliberate.errors import ValidationError

UTC_NAME = "UTC"
MAX_ZONE_NAME = 64


# Files a system's zone database may hold that name no IANA zone (the machine's own setting,
# a placeholder zone).
NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})


@cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name this system knows, sorted (the choices of a time-zone setting)."""
    from zoneinfo import available_timezones

    return tuple(sorted(available_timezones() - NOT_ZONES))


def is_zone_name(name: str) -> bool:
    return name in _known_names()


@cache
def _known_names() -> frozenset[str]:
    return frozenset(zone_names())


def clean_zone_name(raw: str | None, *, empty_allowed: bool = True) -> str:
    """A time zone's IANA name as entered ("" meaning "the organization's" when allowed);
    raises ValidationError when it names no zone."""
    name = (raw or "").strip()
    if not name and empty_allowed:
        return ""
    if len(name) > MAX_ZONE_NAME or not is_zone_name(name):
        shown = name[:MAX_ZONE_NAME]
        raise ValidationError(
            f"“{shown}” is not a time zone. Choose one from the list, such as Europe/Paris."
        )
    return name


def zone(name: str | None) -> ZoneInfo:
    """The zone of an IANA name, UTC for an empty or unknown one (stored names are checked
    when entered; this never fails while showing a page)."""
    if name and is_zone_name(name):
        return ZoneInfo(name)
    return ZoneInfo(UTC_NAME)


def zone_abbreviation(moment: datetime) -> str:
    """How a zone is named beside a time: "CET", "EDT", "UTC"; an offset-only abbreviation
    ("+03") reads "UTC+03"."""
    abbreviation = moment.strftime("%Z")
    if not abbreviation or abbreviation[0] in "+-":
        return f"UTC{abbreviation}" if abbreviation else UTC_NAME
    return abbreviation


def _utc_reader() -> ZoneInfo:
    return ZoneInfo(UTC_NAME)


# Whose zone a moment in a message is written in: the app registers its reader's (the member's
# own, else the organization's) at start; UTC where no reader is known.
_reader_zone: list[Callable[[], ZoneInfo]] = [_utc_reader]
# A known reader who is not the viewer: a mail's recipient.
_addressee_zone: ContextVar[ZoneInfo | None] = ContextVar("addressee_zone", default=None)


def read_in(source: Callable[[], ZoneInfo]) -> None:
    """Register where the reader's zone comes from (create_app: the viewer's zone)."""
    _reader_zone[0] = source


@contextmanager
def written_for(where: ZoneInfo) -> Iterator[None]:
    """Within it, messages name moments in `where` (a mail, in its recipient's zone)."""
    token = _addressee_zone.set(where)
    try:
        yield
    finally:
        _addressee_zone.reset(token)


def format_moment(moment: datetime, where: ZoneInfo | None = None) -> str:
    """A moment as a message names it, in the reader's zone: "4 December 2026 at 19:00 CET"."""
    if moment.tzinfo is None:  # stored times are UTC
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(where or _addressee_zone.get() or _reader_zone[0]())
    return f"{local.day} {local:%B %Y} at {local:%H:%M} {zone_abbreviation(local)}"


def _wall(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y, %H:%M}"


def local_to_utc(wall: datetime, where: ZoneInfo) -> datetime:
    """The aware-UTC moment a wall-clock time in `where` names.

    Raises ValidationError when the clock skips that time (a gap when clocks go forward) or
    shows it twice (an overlap when they go back), so that nobody schedules a vote at a time
    that does not exist or means two moments.
    """
    wall = wall.replace(tzinfo=None)
    first = wall.replace(tzinfo=where, fold=0)
    second = wall.replace(tzinfo=where, fold=1)
    try:
        moment = first.astimezone(UTC)
        back = moment.astimezone(where).replace(tzinfo=None)
    except OverflowError:
        raise ValidationError(
            f"{_wall(wall)} is too far from today; give a date between the years 2 and 9998."
        ) from None
    if first.utcoffset() == second.utcoffset():
        return moment
    if back != wall:
        raise ValidationError(
            f"{_wall(wall)} does not exist in {where.key}: the clocks go forward then. "
            "Choose a time outside the skipped hour."
        )
    raise ValidationError(
        f"{_wall(wall)} happens twice in {where.key}: the clocks go back then. "
        "Choose a time outside the repeated hour."
    )


UNITS = (("day", 86_400), ("hour", 3_600), ("minute", 60))


def plural(count: int, singular: str, many: str | None = None) -> str:
    """A count with its word in agreement: "1 voter", "2 voters" (`many` when not
    `singular` + "s": plural(n, "link vouches", "links vouch"))."""
    return f"{count:,} {singular if count == 1 else (many or singular + 's')}"


def format_duration(span: timedelta) -> str:
    """A span in words, its two largest units: "1 day 23 hours", "5 minutes", "less than a
    minute" (rounded down: "in 1 day 23 hours" is never later than the moment)."""
    seconds = int(span.total_seconds())
    if seconds < 60:
        return "less than a minute"
    parts: list[str] = []
    for name, size in UNITS:
        amount, seconds = divmod(seconds, size)
        if amount and len(parts) < 2:
            parts.append(plural(amount, name))
        elif parts:
            break
    return " ".join(parts)
