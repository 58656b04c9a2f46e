"""The shared text cleaners, without an app."""

from __future__ import annotations

import pytest

from deliberate import cleaning
from deliberate.errors import ValidationError

LINE = {"max_length": 10, "empty": "Say something.", "too_long": "At most {limit}, not {length}."}


def test_one_line_drops_nul_and_folds_whitespace():
    assert cleaning.one_line("  a\x00b \t c\r\n d  ") == "ab c d"
    assert cleaning.one_line(None) == ""


def test_multiline_unifies_newlines_and_keeps_inner_line_ends():
    assert cleaning.multiline(" \n a  \r\nb\rc\x00 \n") == "a  \nb\nc"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("   ", "Say something."),
        ("\x00", "Say something."),
        ("x" * 11, "At most 10, not 11."),
        ("bell\x07", cleaning.CONTROL_CHARACTERS),
    ],
)
def test_clean_line_refuses_with_the_callers_words(raw, message):
    with pytest.raises(ValidationError) as caught:
        cleaning.clean_line(raw, **LINE)
    assert caught.value.message == message


def test_clean_line_returns_the_cleaned_line():
    assert cleaning.clean_line("  a\n b ", **LINE) == "a b"
    with pytest.raises(ValidationError, match="no bells"):
        cleaning.clean_line("\x07", **LINE, control="no bells")


def test_clean_text_may_be_optional_and_normalized_by_the_caller():
    assert cleaning.clean_text(" \n ", max_length=5, empty=None, too_long="{limit}") == ""
    assert cleaning.clean_text("a\tb", max_length=5, empty=None, too_long="{limit}") == "a\tb"
    shout = cleaning.clean_text(
        "a", max_length=5, empty=None, too_long="{limit}", normalize=str.upper
    )
    assert shout == "A"
    with pytest.raises(ValidationError, match=r"^5$"):
        cleaning.clean_text("abcdef", max_length=5, empty=None, too_long="{limit}")


def test_clean_markdown_renders_and_refuses_what_renders_to_nothing():
    markdown, html = cleaning.clean_markdown(
        "**hi**\r\n", max_length=50, empty="Empty.", too_long="{limit}"
    )
    assert (markdown, html.strip()) == ("**hi**", "<p><strong>hi</strong></p>")
    with pytest.raises(ValidationError, match="Empty"):
        cleaning.clean_markdown("[a]: /b", max_length=50, empty="Empty.", too_long="{limit}")
