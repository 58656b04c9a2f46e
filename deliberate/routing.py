"""What an address may carry: ids in the path and page numbers in the query string.

Every `<int:…>` in a route is a row id or a number within a draft: the app's `int` converter
takes 1 to 2**31 - 1 in ASCII digits and nothing else, so a larger number, a zero, or a digit
from another script answers 404 before any view runs (SQLite cannot bind an integer beyond
2**63, and PostgreSQL refuses to compare one beyond its column's range). Every `?page=` is read
by `page_number`, which answers a clear 400 for anything but a page from 1 to MAX_PAGE, and
every `?q=` by `search_text`, which refuses control characters (PostgreSQL cannot hold a NUL).
"""

from __future__ import annotations

from collections.abc import Mapping

from werkzeug.routing import IntegerConverter, ValidationError

from deliberate.cleaning import has_control_characters
from deliberate.errors import ValidationError as RequestRefused

MAX_ID = 2**31 - 1
MAX_PAGE = 10_000


class IdConverter(IntegerConverter):
    """`<int:name>`: a whole number from 1 to MAX_ID, written in ASCII digits."""

    regex = r"[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValidationError()
        return number


def id_from(raw: str) -> int | None:
    """`raw` as an id the `int` converter would take, or None."""
    if raw.isascii() and raw.isdigit() and len(raw) <= len(str(MAX_ID)):
        number = int(raw)
        return number if 1 <= number <= MAX_ID else None
    return None


def whole_number(raw: str, what: str, upper: int) -> int:
    """`raw` as a number from 1 to `upper`; ValidationError naming `what` otherwise."""
    if raw.isascii() and raw.isdigit() and len(raw) <= len(str(upper)) and 1 <= int(raw) <= upper:
        return int(raw)
    raise RequestRefused(f"{what} must be a whole number from 1 to {upper}.")


def page_number(args: Mapping[str, str], name: str = "page") -> int:
    """The page asked for by `?<name>=` (1 when absent or empty); 400 for anything else."""
    raw = args.get(name) or "1"
    return whole_number(raw, "The page number", MAX_PAGE)


def search_text(args: Mapping[str, str]) -> str:
    """The search asked for by `?q=`; 400 if it holds control characters."""
    raw = args.get("q", "")
    if has_control_characters(raw):
        raise RequestRefused("A search cannot contain control characters.")
    return raw
