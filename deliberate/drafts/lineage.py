"""Where each paragraph of an earlier version is in the current one (pure: no Flask, no
database), so that comments on a paragraph follow it while its text does not change."""

from __future__ import annotations

import difflib
from collections.abc import Sequence


def step(old: Sequence[str], new: Sequence[str]) -> dict[int, tuple[int, bool]]:
    """For each paragraph number of `old`: its number in `new` and whether its text is the
    same. A paragraph replaced in place maps to its replacement (changed); a deleted one, or
    one of a run replaced by fewer paragraphs, maps nowhere."""
    moves: dict[int, tuple[int, bool]] = {}
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                moves[i1 + k + 1] = (j1 + k + 1, True)
        elif tag == "replace":
            for k in range(min(i2 - i1, j2 - j1)):
                moves[i1 + k + 1] = (j1 + k + 1, False)
    return moves


def follow_paragraphs(
    versions: Sequence[Sequence[str]],
) -> tuple[tuple[int, int, int, bool], ...]:
    """For versions 1…n (each a list of paragraph texts), every paragraph of versions 1…n-1
    that still has a place in version n: (version, paragraph, paragraph in n, unchanged)."""
    if len(versions) < 2:
        return ()
    steps = [step(versions[i], versions[i + 1]) for i in range(len(versions) - 1)]
    found: list[tuple[int, int, int, bool]] = []
    for index in range(len(versions) - 1):
        for paragraph in range(1, len(versions[index]) + 1):
            place: int | None = paragraph
            unchanged = True
            for moves in steps[index:]:
                move = moves.get(place) if place is not None else None
                if move is None:
                    place = None
                    break
                place, same = move
                unchanged = unchanged and same
            if place is not None:
                found.append((index + 1, paragraph, place, unchanged))
    return tuple(found)
