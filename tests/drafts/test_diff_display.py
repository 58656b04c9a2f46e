"""Diffs read like the text: a reader compares the words they see, never the Markdown."""

from __future__ import annotations

from deliberate.drafts.text import DELETE, Change, change_diff, diff_paragraphs
from deliberate.markup import displayed


def test_a_changed_paragraph_compares_its_words_without_markdown():
    rows = diff_paragraphs(
        ["We **demand** rent control in every ward."],
        ["We **demand** strict rent control in every ward."],
        display=displayed,
    )
    assert [row.kind for row in rows] == ["changed"]
    assert "**" not in rows[0].html
    assert "<ins>strict </ins>" in rows[0].html or "<ins> strict</ins>" in rows[0].html


def test_whole_paragraphs_are_shown_rendered_and_sanitized():
    rows = diff_paragraphs(
        ["# Aims", "Keep *this*."],
        ["# Aims", "Keep *this*.", "Add [a link](javascript:alert(1)) **now**."],
        display=displayed,
    )
    assert [row.kind for row in rows] == ["equal", "equal", "inserted"]
    assert "<h1>Aims</h1>" in rows[0].html
    assert "<em>this</em>" in rows[1].html
    assert "<strong>now</strong>" in rows[2].html
    assert 'href="javascript' not in rows[2].html


def test_an_amendment_deleting_a_paragraph_shows_it_as_read():
    change = Change(DELETE, 1, 1)
    rows = change_diff(change, ["A _quiet_ paragraph."], displayed)
    assert rows[0].kind == "deleted"
    assert "<em>quiet</em>" in rows[0].html
