"""Cleaners for what members type: one-line titles, names and reasons, and multi-line texts.

Pure: no app, request or database needed (only the domain's ValidationError is raised).
Every domain cleans its input here and words its own messages. NUL characters are dropped;
other control characters (tabs and newlines apart) are refused, as the forms refuse them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from deliberate.errors import ValidationError
from deliberate.markup import render_markdown

CONTROL_CHARACTERS = "Control characters are not allowed."
# C0 control characters other than a tab and the two newlines.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def has_control_characters(value: str) -> bool:
    """Whether `value` holds a control character other than a tab or a newline."""
    return _CONTROL.search(value) is not None


def one_line(raw: str | None) -> str:
    """NUL dropped, each run of whitespace (newlines too) made one space, both ends trimmed."""
    return " ".join((raw or "").replace("\x00", "").split())


def multiline(raw: str | None) -> str:
    """NUL dropped, Windows and old Mac newlines made Unix, whitespace at both ends trimmed.

    Spaces at the end of inner lines stay: in Markdown two of them make a line break.
    """
    return (raw or "").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


def refuse_control_characters(
    value: str, message: str = CONTROL_CHARACTERS, *, field: str | None = None
) -> None:
    """Raise ValidationError(`message`) if `value` holds a control character other than a tab
    or a newline (about the form field `field`, when given)."""
    if has_control_characters(value):
        raise ValidationError(message, field=field)


def _checked(
    value: str,
    *,
    max_length: int,
    empty: str | None,
    too_long: str,
    control: str,
    field: str | None,
) -> str:
    refuse_control_characters(value, control, field=field)
    if empty is not None and not value.strip():
        raise ValidationError(empty, field=field)
    if len(value) > max_length:
        raise ValidationError(too_long.format(limit=max_length, length=len(value)), field=field)
    return value


def clean_line(
    raw: str | None,
    *,
    max_length: int,
    empty: str,
    too_long: str,
    control: str = CONTROL_CHARACTERS,
    field: str | None = None,
) -> str:
    """A title, a name or a short reason on one line (see `one_line`).

    Raises ValidationError with `control` when a control character remains, `empty` when
    nothing is left, and `too_long` (formatted with `limit` and `length`) past `max_length`;
    the error names `field`, the form field a page shows it beside.
    """
    return _checked(
        one_line(raw),
        max_length=max_length,
        empty=empty,
        too_long=too_long,
        control=control,
        field=field,
    )


def clean_text(
    raw: str | None,
    *,
    max_length: int,
    empty: str | None,
    too_long: str,
    control: str = CONTROL_CHARACTERS,
    normalize: Callable[[str], str] = multiline,
    field: str | None = None,
) -> str:
    """A text of several lines, normalized by `normalize` (by default `multiline`).

    `empty` None makes the text optional (an empty text returns ""); otherwise raises
    ValidationError as `clean_line` does.
    """
    return _checked(
        normalize(raw or ""),
        max_length=max_length,
        empty=empty,
        too_long=too_long,
        control=control,
        field=field,
    )


def clean_markdown(
    raw: str | None,
    *,
    max_length: int,
    empty: str,
    too_long: str,
    control: str = CONTROL_CHARACTERS,
    field: str | None = None,
) -> tuple[str, str]:
    """A required Markdown text and its sanitized HTML: `clean_text`, then refused with `empty`
    also when it renders to nothing."""
    markdown = clean_text(
        raw, max_length=max_length, empty=empty, too_long=too_long, control=control, field=field
    )
    html = render_markdown(markdown)
    if not html.strip():
        raise ValidationError(empty, field=field)
    return markdown, html


def read_csv_upload(data: bytes) -> list[list[str]]:
    """The rows of an uploaded CSV file: UTF-8 (a byte-order mark, as spreadsheets write, is
    fine), no NUL bytes. Raises ValidationError saying what is wrong otherwise."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            f"The file is not UTF-8 text (byte {error.start} cannot be read)."
        ) from None
    if "\x00" in text:
        raise ValidationError("The file contains NUL bytes; it is not a CSV text file.")
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise ValidationError(f"The file is not valid CSV: {error}.") from None
