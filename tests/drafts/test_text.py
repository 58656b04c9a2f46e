"""Paragraphs, line numbers, diffs and merging: examples and properties."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliberate.drafts.text import (
    DELETE,
    INSERT_AFTER,
    REPLACE,
    SUBSTITUTE,
    Change,
    CollisionError,
    RangeError,
    apply_change,
    changes_between,
    check_change,
    collides,
    diff_paragraph,
    diff_paragraphs,
    join_paragraphs,
    merge_changes,
    number_lines,
    rebase,
    side,
    split_paragraphs,
    strip_line_markers,
    word_diff,
)
from deliberate.markup import render_markdown

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- paragraphs ---------------------------------------------------------------------------


def test_paragraphs_are_blocks_separated_by_blank_lines():
    text = "First line\nstill first.\r\n\r\n  \n\nSecond.   \n\n\n- a\n- b\n"
    assert split_paragraphs(text) == ["First line\nstill first.", "Second.", "- a\n- b"]


def test_split_and_join_round_trip():
    paragraphs = ["One.", "Two\nlines.", "Three."]
    assert split_paragraphs(join_paragraphs(paragraphs)) == paragraphs


def test_empty_text_has_no_paragraphs():
    assert split_paragraphs(" \n\n \r\n") == []


# --- line numbers -------------------------------------------------------------------------


def test_lines_wrap_at_the_width_and_number_consecutively():
    source = "word " * 50
    numbered = number_lines(render_markdown(source), 20, first_line=31)
    assert numbered.line_count == len(numbered.lines) > 1
    assert all(len(line) <= 20 for line in numbered.lines)
    numbers = [int(n) for n in re.findall(r'data-ln="(\d+)"', numbered.html)]
    assert numbers == list(range(31, 31 + numbered.line_count))


def test_a_word_longer_than_a_line_is_cut():
    numbered = number_lines("<p>" + "x" * 45 + "</p>", 20)
    assert numbered.lines == ["x" * 20, "x" * 20, "x" * 5]


def test_blocks_start_new_lines_and_entities_count_once():
    numbered = number_lines(render_markdown("- a & b\n- c"), 80)
    assert numbered.lines == ["a & b", "c"]


def test_a_paragraph_without_text_still_has_a_line():
    numbered = number_lines(render_markdown("---"), 80, first_line=7)
    assert numbered.line_count == 1
    assert 'data-ln="7"' in numbered.html


def test_markers_sit_inside_table_cells():
    numbered = number_lines(render_markdown("| a | b |\n|---|---|\n| c | d |"), 80)
    assert "<tr>\n<span" not in numbered.html
    assert re.search(r"<th><span class=\"ln\"", numbered.html)


words = st.text(alphabet="abcdefghij&<>*_", min_size=1, max_size=14).map(
    lambda w: w.strip("*_") or "w"
)
markdown_paragraph = st.lists(words, min_size=1, max_size=60).flatmap(
    lambda ws: st.sampled_from(
        [
            " ".join(ws),
            "- " + " ".join(ws[: len(ws) // 2 + 1]) + "\n- " + " ".join(ws[len(ws) // 2 :]),
            "**" + " ".join(ws) + "**",
            "## " + " ".join(ws),
            "```\n" + " ".join(ws) + "\n```",
        ]
    )
)


def _text_content(rendered: str) -> str:
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]*>", "", rendered)))


@SETTINGS
@given(markdown_paragraph, st.integers(min_value=20, max_value=100), st.integers(1, 500))
def test_line_numbering_is_stable_and_loses_nothing(source, width, first_line):
    rendered = render_markdown(source)
    once = number_lines(rendered, width, first_line)
    again = number_lines(rendered, width, first_line)
    assert once == again
    assert all(len(line) <= width for line in once.lines)
    assert strip_line_markers(once.html) == rendered
    numbers = [int(n) for n in re.findall(r'data-ln="(\d+)"', once.html)]
    assert numbers == list(range(first_line, first_line + once.line_count))
    assert re.sub(r"\s+", "", "".join(once.lines)) == _text_content(rendered)


# --- changes, collisions, merge -----------------------------------------------------------


PARAS = ["p1", "p2", "p3", "p4", "p5"]


def test_apply_each_kind():
    assert apply_change(PARAS, Change(REPLACE, 2, 3, ("x",))) == ["p1", "x", "p4", "p5"]
    assert apply_change(PARAS, Change(DELETE, 5, 5)) == ["p1", "p2", "p3", "p4"]
    assert apply_change(PARAS, Change(INSERT_AFTER, 0, 0, ("x", "y")))[:3] == ["x", "y", "p1"]
    assert apply_change(PARAS, Change(INSERT_AFTER, 5, 5, ("x",)))[-1] == "x"
    assert apply_change(PARAS, Change(SUBSTITUTE, 1, 5, ("new",))) == ["new"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (Change(REPLACE, 4, 7, ("x",)), "¶4–7 is not a paragraph range of the text"),
        (Change(REPLACE, 3, 2, ("x",)), "must run forward"),
        (Change(DELETE, 0, 1), "not a paragraph range"),
        (Change(INSERT_AFTER, 6, 6, ("x",)), "after ¶0 (the beginning) to ¶5"),
        (Change(REPLACE, 1, 1, ("  ",)), "Write the new text"),
        (Change(SUBSTITUTE, 1, 4, ("x",)), "whole text"),
        (Change("rewrite", 1, 1, ("x",)), "Unknown kind"),
    ],
)
def test_changes_that_do_not_fit_are_refused(change, message):
    with pytest.raises(RangeError, match=re.escape(message)):
        check_change(change, 5)


def test_collision_rules():
    assert collides(Change(REPLACE, 2, 3, ("x",)), Change(DELETE, 3, 4))
    assert not collides(Change(REPLACE, 2, 3, ("x",)), Change(DELETE, 4, 4))
    assert collides(Change(INSERT_AFTER, 3, 3, ("x",)), Change(REPLACE, 2, 3, ("y",)))
    assert not collides(Change(INSERT_AFTER, 1, 1, ("x",)), Change(REPLACE, 2, 3, ("y",)))
    assert collides(Change(INSERT_AFTER, 1, 1, ("x",)), Change(INSERT_AFTER, 1, 1, ("y",)))
    assert collides(Change(SUBSTITUTE, 1, 5, ("x",)), Change(INSERT_AFTER, 0, 0, ("y",)))


def test_merge_refuses_colliding_changes_naming_the_paragraphs():
    a = Change(REPLACE, 2, 4, ("x",), label="A3")
    b = Change(DELETE, 4, 5, label="A7")
    c = Change(INSERT_AFTER, 0, 0, ("y",), label="A8")
    with pytest.raises(CollisionError) as caught:
        merge_changes(PARAS, [a, b, c])
    assert str(caught.value) == (
        "These changes collide and cannot be merged together: A3 and A7 both change ¶4."
    )


def test_merge_applies_bottom_up():
    merged = merge_changes(
        PARAS,
        [
            Change(REPLACE, 1, 1, ("one", "uno")),
            Change(INSERT_AFTER, 2, 2, ("after two",)),
            Change(DELETE, 3, 4),
        ],
    )
    assert merged == ["one", "uno", "p2", "after two", "p5"]


def test_rebase_shifts_and_refuses_collisions():
    applied = [Change(REPLACE, 1, 1, ("a", "b", "c")), Change(DELETE, 3, 3)]
    assert rebase(Change(REPLACE, 4, 5, ("x",)), applied) == Change(REPLACE, 5, 6, ("x",))
    assert rebase(Change(INSERT_AFTER, 2, 2, ("x",)), applied) == Change(INSERT_AFTER, 4, 4, ("x",))
    assert rebase(Change(INSERT_AFTER, 0, 0, ("x",)), applied) == Change(INSERT_AFTER, 0, 0, ("x",))
    assert rebase(Change(REPLACE, 3, 4, ("x",)), applied) is None


@st.composite
def text_and_changes(draw):
    n = draw(st.integers(min_value=1, max_value=12))
    paragraphs = [f"p{i}" for i in range(1, n + 1)]
    candidates = []
    for index in range(draw(st.integers(min_value=0, max_value=8))):
        kind = draw(st.sampled_from([REPLACE, INSERT_AFTER, DELETE]))
        new = tuple(f"new{index}-{j}" for j in range(draw(st.integers(1, 3))))
        if kind == INSERT_AFTER:
            point = draw(st.integers(0, n))
            candidates.append(Change(kind, point, point, new, f"A{index}"))
        else:
            first = draw(st.integers(1, n))
            last = draw(st.integers(first, n))
            candidates.append(Change(kind, first, last, () if kind == DELETE else new, f"A{index}"))
    chosen: list[Change] = []
    for change in candidates:
        if not any(collides(change, other) for other in chosen):
            chosen.append(change)
    return paragraphs, chosen


@SETTINGS
@given(text_and_changes(), st.randoms(use_true_random=False))
def test_merging_non_colliding_changes_is_order_independent(case, rnd):
    paragraphs, changes = case
    expected = merge_changes(paragraphs, changes)
    shuffled = list(changes)
    rnd.shuffle(shuffled)
    assert merge_changes(paragraphs, shuffled) == expected
    # One at a time, each moved onto the text the earlier ones produced (friendly amendments
    # merged one by one) gives the same text as merging them all at once.
    text, applied = list(paragraphs), []
    for change in shuffled:
        moved = rebase(change, applied)
        assert moved is not None
        text = apply_change(text, moved)
        applied = [*applied, change]
    assert text == expected
    # As the service does it: after each merge, the open ones are carried over to the new text.
    text, pending = list(paragraphs), shuffled
    while pending:
        head, rest = pending[0], pending[1:]
        text = apply_change(text, head)
        pending = [rebase(change, [head]) for change in rest]
        assert None not in pending
    assert text == expected


@SETTINGS
@given(text_and_changes())
def test_applying_a_change_and_diffing_gives_back_exactly_that_change(case):
    paragraphs, changes = case
    for change in changes:
        changed = apply_change(paragraphs, change)
        recovered = changes_between(paragraphs, changed)
        if change.kind == INSERT_AFTER or change.kind == DELETE:
            assert recovered == [change]
        else:
            assert recovered == [Change(REPLACE, change.first, change.last, change.paragraphs)]
        rows = diff_paragraphs(paragraphs, changed)
        touched_old = {r.old_number for r in rows if r.kind != "equal" and r.old_number}
        assert touched_old <= set(range(change.first, change.last + 1))
        assert [r.old_number for r in rows if r.old_number] == list(range(1, len(paragraphs) + 1))
        assert [r.new_number for r in rows if r.new_number] == list(range(1, len(changed) + 1))


sentences = st.lists(
    st.sampled_from(["the", "rent", "strike", "union", ",", ".", "tenants", "win", "\n", "  "]),
    max_size=30,
).map(" ".join)


@SETTINGS
@given(sentences, sentences)
def test_word_diff_rebuilds_both_sides(old, new):
    ops = word_diff(old, new)
    assert side(ops, "old") == old
    assert side(ops, "new") == new


def test_word_diff_shows_inserts_and_deletes():
    diff = diff_paragraph(
        "We organize five buildings by June.", "We organize eight buildings by June."
    )
    assert diff.kind == "changed"
    assert diff.html == "We organize <del>five</del><ins>eight</ins> buildings by June."


def test_mostly_changed_paragraph_is_shown_as_replaced():
    diff = diff_paragraph("A short aim.", "Something else entirely, longer than before.")
    assert diff.kind == "replaced"
    assert diff.old_html == "A short aim."


def test_diff_escapes_markup():
    diff = diff_paragraph("keep <script> this", "keep <style> this")
    assert "<script" not in diff.html
    assert "<style" not in diff.html
    assert diff.html.startswith("keep &lt;")
