"""Following paragraphs of earlier versions into the current one (pure)."""

from __future__ import annotations

from deliberate.drafts.lineage import follow_paragraphs


def test_unchanged_paragraphs_follow_even_when_their_number_moves() -> None:
    v1 = ["a", "b", "c"]
    v2 = ["new", "a", "b", "c"]  # inserted at the start
    assert follow_paragraphs([v1, v2]) == ((1, 1, 2, True), (1, 2, 3, True), (1, 3, 4, True))


def test_a_replaced_paragraph_is_followed_as_changed_and_a_deleted_one_is_not() -> None:
    v1 = ["a", "b", "c"]
    v2 = ["a", "B!", "c"]
    v3 = ["a", "B!"]  # ¶3 deleted
    assert follow_paragraphs([v1, v2, v3]) == (
        (1, 1, 1, True),
        (1, 2, 2, False),
        (2, 1, 1, True),
        (2, 2, 2, True),
    )


def test_one_version_has_nothing_earlier() -> None:
    assert follow_paragraphs([["a"]]) == ()
