"""Pure text functions: paragraphs, deterministic line numbers, word diffs, applying and merging.

Nothing here touches the database or Flask, so the merge rules are the same wherever they run
(a convener's merge, a vote's outcome, a benchmark, a property test).
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

# ---------------------------------------------------------------------------------------------
# Paragraphs

_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")


def normalize_text(text: str) -> str:
    """Unix newlines, no NUL, no trailing spaces on a line, no blank lines at either end."""
    text = (text or "").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def split_paragraphs(text: str) -> list[str]:
    """The blocks of `text` separated by blank lines, in order, without empty ones."""
    text = normalize_text(text)
    return [block.strip("\n") for block in _BLANK_LINES.split(text) if block.strip()]


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    return "\n\n".join(paragraphs)


# ---------------------------------------------------------------------------------------------
# Line numbers
#
# A line holds at most `width` characters of the rendered text (an entity counts as one).
# Block elements (and table cells) start a new line; inside a block, words fill lines greedily
# and a word longer than a line is cut. The result depends only on the HTML and the width.

_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9]+)")
_TEXT_UNIT = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);|\s+|[^&\s]+|&")
BLOCK_TAGS = frozenset(
    {
        "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
        "pre", "table", "thead", "tbody", "tr", "th", "td", "hr", "br",
    }
)  # fmt: skip
LINE_BREAK = '<br class="lb">'


def line_marker(number: int) -> str:
    return f'<span class="ln" data-ln="{number}" aria-hidden="true"></span>'


_MARKERS = re.compile(r'<br class="lb">|<span class="ln" data-ln="\d+" aria-hidden="true"></span>')


def strip_line_markers(numbered_html: str) -> str:
    """The HTML `number_lines` was given."""
    return _MARKERS.sub("", numbered_html)


@dataclass
class NumberedHtml:
    html: str
    first_line: int
    lines: list[str]

    @property
    def line_count(self) -> int:
        return len(self.lines)


class _Liner:
    def __init__(self, width: int, first_line: int) -> None:
        self.width = width
        self.next_line = first_line
        self.out: list[str] = []
        self.lines: list[str] = []
        self.col = 0
        self.line_open = False
        self.pending_space = ""
        self.word: list[tuple[bool, str]] = []  # (is_tag, text) pieces of the word being read
        self.word_len = 0
        self.in_pre = 0

    def start_line(self, *, soft: bool) -> None:
        if soft:
            self.out.append(LINE_BREAK)
        self.out.append(line_marker(self.next_line))
        self.next_line += 1
        self.lines.append("")
        self.col = 0
        self.line_open = True

    def end_line(self) -> None:
        self.line_open = False
        self.col = 0

    def emit_text(self, text: str, length: int) -> None:
        self.out.append(text)
        self.lines[-1] += html.unescape(text) if "&" in text else text
        self.col += length

    def flush_word(self) -> None:
        word, word_len = self.word, self.word_len
        self.word, self.word_len = [], 0
        if not word:
            return
        if word_len == 0:
            self.out.append(self.pending_space)
            self.pending_space = ""
            self.out.extend(piece for _is_tag, piece in word)
            return
        if not self.line_open:
            self.out.append(self.pending_space)
            self.start_line(soft=False)
        elif self.col > 0 and self.col + 1 + word_len > self.width:
            self.out.append(self.pending_space)
            self.start_line(soft=True)
        elif self.pending_space:
            self.out.append(self.pending_space)
            if self.col > 0:
                self.lines[-1] += " "
                self.col += 1
        self.pending_space = ""
        for is_tag, piece in word:
            if is_tag:
                self.out.append(piece)
            else:
                self.emit_unit(piece)

    def emit_unit(self, unit: str) -> None:
        """Emit one text unit, cutting it where a line is full."""
        if unit.startswith("&") and len(unit) > 1:
            if self.col >= self.width:
                self.start_line(soft=True)
            self.emit_text(unit, 1)
            return
        while unit:
            if self.col >= self.width:
                self.start_line(soft=True)
            room = self.width - self.col
            self.emit_text(unit[:room], len(unit[:room]))
            unit = unit[room:]

    def tag(self, tag: str) -> None:
        match = _TAG_NAME.match(tag)
        name = match.group(1).lower() if match else ""
        if name in BLOCK_TAGS:
            self.flush_word()
            self.out.append(self.pending_space)
            self.pending_space = ""
            self.out.append(tag)
            self.end_line()
            if name == "pre":
                self.in_pre += -1 if tag.startswith("</") else 1
        elif self.in_pre > 0:
            self.out.append(tag)
        else:
            # Inline tags belong to the word they touch ("a <em>b</em>," is two words).
            self.word.append((True, tag))

    def text(self, text: str) -> None:
        if self.in_pre > 0:
            self.pre_text(text)
            return
        for unit in _TEXT_UNIT.findall(text):
            if unit.isspace():
                self.flush_word()
                if self.line_open and self.col > 0:
                    self.pending_space += unit
                else:
                    self.out.append(unit)
            else:
                self.word.append((False, unit))
                self.word_len += 1 if unit.startswith("&") and len(unit) > 1 else len(unit)

    def pre_text(self, text: str) -> None:
        # Preformatted text keeps its own lines and spaces; long lines are cut at the width.
        for index, segment in enumerate(text.split("\n")):
            if index > 0:
                self.out.append("\n")
                self.end_line()
            if not segment:
                continue
            if not self.line_open:
                self.start_line(soft=False)
            for unit in _TEXT_UNIT.findall(segment):
                self.emit_unit(unit)

    def finish(self) -> None:
        self.flush_word()
        self.out.append(self.pending_space)
        self.pending_space = ""


def number_lines(rendered_html: str, width: int, first_line: int = 1) -> NumberedHtml:
    """Insert line-number markers into sanitized HTML so that each line has at most `width`
    characters. Returns the marked HTML and the plain text of each line.

    A block without any text (a rule) still takes one line so every paragraph has a number.
    """
    if width < 1:
        raise ValueError("line width must be positive")
    liner = _Liner(width, first_line)
    position = 0
    for match in _TAG.finditer(rendered_html):
        if match.start() > position:
            liner.text(rendered_html[position : match.start()])
        liner.tag(match.group(0))
        position = match.end()
    if position < len(rendered_html):
        liner.text(rendered_html[position:])
    liner.finish()
    if not liner.lines:
        return NumberedHtml(line_marker(first_line) + rendered_html, first_line, [""])
    return NumberedHtml("".join(liner.out), first_line, liner.lines)


# ---------------------------------------------------------------------------------------------
# Changes to a list of paragraphs

REPLACE = "replace"
INSERT_AFTER = "insert_after"
DELETE = "delete"
SUBSTITUTE = "substitute"
KINDS = (REPLACE, INSERT_AFTER, DELETE, SUBSTITUTE)


class RangeError(ValueError):
    """A change does not fit the text it is meant for; the message is for the member, about
    the amendment form's `field` (where it goes, "first" or "after", or its "new_text")."""

    def __init__(self, message: str, *, field: str = "first") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Change:
    """A change to paragraphs ¶first–¶last (1-based, inclusive) of one version.

    For INSERT_AFTER, first == last == the paragraph after which the new paragraphs go
    (0: before the first). SUBSTITUTE replaces the whole text (first=1, last=n).
    """

    kind: str
    first: int
    last: int
    paragraphs: tuple[str, ...] = ()
    label: str = field(default="", compare=False)

    @property
    def is_range(self) -> bool:
        return self.kind in (REPLACE, DELETE, SUBSTITUTE)

    @property
    def delta(self) -> int:
        """How many paragraphs the text gains (or loses) by this change."""
        if self.kind == INSERT_AFTER:
            return len(self.paragraphs)
        return len(self.paragraphs) - (self.last - self.first + 1)

    def describe(self) -> str:
        if self.kind == SUBSTITUTE:
            return "the whole text"
        if self.kind == INSERT_AFTER:
            return "the beginning" if self.first == 0 else f"the place after ¶{self.first}"
        if self.first == self.last:
            return f"¶{self.first}"
        return f"¶{self.first}–{self.last}"


def check_change(change: Change, paragraph_count: int, version_label: str = "the text") -> None:
    """Raise RangeError unless `change` fits a text of `paragraph_count` paragraphs."""
    n = paragraph_count
    if change.kind not in KINDS:
        raise RangeError(f"Unknown kind of change “{change.kind[:30]}”.")
    if change.kind == INSERT_AFTER:
        if not 0 <= change.first <= n or change.first != change.last:
            raise RangeError(
                f"New text can go after ¶0 (the beginning) to ¶{n}; {version_label} has "
                f"{n} paragraph{'s' if n != 1 else ''}.",
                field="after",
            )
    elif change.kind == SUBSTITUTE:
        if (change.first, change.last) != (1, n):
            raise RangeError(
                "A substitute replaces the whole text, ¶1 to the last paragraph.", field="kind"
            )
    else:
        if change.first < 1 or change.last > n or change.first > change.last:
            raise RangeError(
                f"¶{change.first}–{change.last} is not a paragraph range of {version_label}, "
                f"which has ¶1–{n}."
                if change.first <= change.last
                else f"The range must run forward: ¶{change.first} comes after ¶{change.last}."
            )
    if change.kind == DELETE and change.paragraphs:
        raise RangeError("A deletion carries no new text.", field="new_text")
    if change.kind != DELETE and not any(p.strip() for p in change.paragraphs):
        raise RangeError("Write the new text of the amendment.", field="new_text")


def collides(a: Change, b: Change) -> bool:
    """Whether two changes to the same text touch the same paragraphs (or insertion point).

    An insertion after ¶k collides with a range that contains ¶k (its anchor changes) and with
    another insertion at the same point (their order would be arbitrary).
    """
    if a.kind == SUBSTITUTE or b.kind == SUBSTITUTE:
        return True
    if a.is_range and b.is_range:
        return a.first <= b.last and b.first <= a.last
    if a.is_range:
        return a.first <= b.first <= a.last
    if b.is_range:
        return b.first <= a.first <= b.last
    return a.first == b.first


def collisions(changes: Sequence[Change]) -> list[tuple[Change, Change]]:
    return [(a, b) for a, b in combinations(changes, 2) if collides(a, b)]


def collision_region(a: Change, b: Change) -> str:
    """Where two colliding changes meet, for messages: "¶4–5", "¶3", "the whole text"."""
    if a.kind == SUBSTITUTE or b.kind == SUBSTITUTE:
        return "the whole text"
    if a.is_range and b.is_range:
        first, last = max(a.first, b.first), min(a.last, b.last)
        return f"¶{first}" if first == last else f"¶{first}–{last}"
    point = a.first if not a.is_range else b.first
    return "the beginning" if point == 0 else f"¶{point}"


class CollisionError(ValueError):
    def __init__(self, pairs: list[tuple[Change, Change]]) -> None:
        self.pairs = pairs
        parts = [
            f"{a.label or a.describe()} and {b.label or b.describe()} both change "
            f"{collision_region(a, b)}"
            for a, b in pairs
        ]
        super().__init__(
            "These changes collide and cannot be merged together: " + "; ".join(parts) + "."
        )


def apply_change(paragraphs: Sequence[str], change: Change) -> list[str]:
    """The paragraphs with `change` applied (the change must fit; see check_change)."""
    result = list(paragraphs)
    if change.kind == INSERT_AFTER:
        result[change.first : change.first] = change.paragraphs
    elif change.kind == DELETE:
        del result[change.first - 1 : change.last]
    else:
        result[change.first - 1 : change.last] = change.paragraphs
    return result


def _position(change: Change) -> float:
    # An insertion after ¶k sits between ¶k and ¶k+1.
    return change.first + 0.5 if change.kind == INSERT_AFTER else float(change.first)


def merge_changes(paragraphs: Sequence[str], changes: Sequence[Change]) -> list[str]:
    """Apply non-colliding changes to the same text, from the bottom up so ranges stay valid.

    Raises CollisionError naming each colliding pair, RangeError for a change that does not fit.
    """
    for change in changes:
        check_change(change, len(paragraphs))
    pairs = collisions(changes)
    if pairs:
        raise CollisionError(pairs)
    result = list(paragraphs)
    for change in sorted(changes, key=_position, reverse=True):
        result = apply_change(result, change)
    return result


def _offset_before(paragraph: int, applied: Iterable[Change]) -> int:
    """How far ¶`paragraph` moved, given non-colliding changes applied before it."""
    offset = 0
    for change in applied:
        if change.kind == INSERT_AFTER:
            if change.first < paragraph:
                offset += change.delta
        elif change.last < paragraph:
            offset += change.delta
    return offset


def rebase(change: Change, applied: Sequence[Change]) -> Change | None:
    """`change` moved onto the text that `applied` produced, or None when they collide."""
    if any(collides(change, other) for other in applied):
        return None
    if change.kind == INSERT_AFTER:
        point = change.first + _offset_before(change.first + 1, applied)
        return Change(INSERT_AFTER, point, point, change.paragraphs, change.label)
    offset = _offset_before(change.first, applied)
    return Change(
        change.kind, change.first + offset, change.last + offset, change.paragraphs, change.label
    )


def changes_between(old: Sequence[str], new: Sequence[str]) -> list[Change]:
    """The paragraph changes that turn `old` into `new` (non-colliding, for rebasing)."""
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    changes: list[Change] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace":
            changes.append(Change(REPLACE, i1 + 1, i2, tuple(new[j1:j2])))
        elif tag == "delete":
            changes.append(Change(DELETE, i1 + 1, i2))
        elif tag == "insert":
            changes.append(Change(INSERT_AFTER, i1, i1, tuple(new[j1:j2])))
    return changes


# ---------------------------------------------------------------------------------------------
# Word-level diff

_WORD = re.compile(r"\w+|\s+|[^\w\s]")
# Above this share of changed characters, a paragraph is shown as replaced outright.
WHOLE_PARAGRAPH_SHARE = 0.6


def tokens(text: str) -> list[str]:
    return _WORD.findall(text)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """[(op, text)] with op in equal/delete/insert; equal+delete gives `old`, equal+insert `new`.

    Whitespace alone between two changes is folded into them, so a reader sees phrases.
    """
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("equal", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                ops.append(("delete", "".join(a[i1:i2])))
            if j2 > j1:
                ops.append(("insert", "".join(b[j1:j2])))
    return _fold_whitespace(ops)


def _fold_whitespace(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    result: list[tuple[str, str]] = []
    for index, (op, text) in enumerate(ops):
        between_changes = (
            op == "equal"
            and text.isspace()
            and 0 < index < len(ops) - 1
            and ops[index - 1][0] != "equal"
            and ops[index + 1][0] != "equal"
        )
        if between_changes:
            result.append(("delete", text))
            result.append(("insert", text))
        else:
            result.append((op, text))
    # Gather each run of changes into one deletion followed by one insertion.
    merged: list[tuple[str, str]] = []
    run_delete: list[str] = []
    run_insert: list[str] = []
    for op, text in [*result, ("equal", "")]:
        if op == "delete":
            run_delete.append(text)
        elif op == "insert":
            run_insert.append(text)
        else:
            if run_delete:
                merged.append(("delete", "".join(run_delete)))
            if run_insert:
                merged.append(("insert", "".join(run_insert)))
            run_delete, run_insert = [], []
            if text:
                merged.append((op, text))
    return merged


def changed_share(ops: Sequence[tuple[str, str]]) -> float:
    """Share of characters, on both sides, that a diff deletes or inserts."""
    changed = sum(len(text) for op, text in ops if op != "equal")
    total = changed + 2 * sum(len(text) for op, text in ops if op == "equal")
    return changed / total if total else 0.0


def side(ops: Sequence[tuple[str, str]], which: str) -> str:
    """Rebuild the old (which="old") or new text from a diff."""
    keep = "delete" if which == "old" else "insert"
    return "".join(text for op, text in ops if op in ("equal", keep))


@dataclass
class ParagraphDiff:
    """One paragraph pair of a diff, ready for display."""

    kind: str  # equal, changed, replaced (most of it changed), inserted, deleted
    old_number: int | None
    new_number: int | None
    html: str = ""
    old_html: str = ""
    new_html: str = ""


def render_ops(ops: Iterable[tuple[str, str]]) -> str:
    parts = []
    for op, text in ops:
        escaped = html.escape(text, quote=False)
        if op == "delete":
            parts.append(f"<del>{escaped}</del>")
        elif op == "insert":
            parts.append(f"<ins>{escaped}</ins>")
        else:
            parts.append(escaped)
    return "".join(parts)


# How a paragraph is shown in a diff: (its words as a reader sees them, its HTML). Pages pass
# `deliberate.markup.displayed` (the rendered text, so no `**` or `#` appears); by default, and
# in pure tests, a paragraph is shown as its source.
Display = Callable[[str], tuple[str, str]]


def as_source(paragraph: str) -> tuple[str, str]:
    return paragraph, html.escape(paragraph, quote=False)


def diff_paragraph(
    old: str,
    new: str,
    old_number: int | None = None,
    new_number: int | None = None,
    display: Display = as_source,
) -> ParagraphDiff:
    """Word-level diff of one paragraph, or "replaced" when most of it changed."""
    old_text, old_html = display(old)
    if old == new:
        return ParagraphDiff("equal", old_number, new_number, old_html)
    new_text, new_html = display(new)
    ops = word_diff(old_text, new_text)
    if changed_share(ops) > WHOLE_PARAGRAPH_SHARE:
        return ParagraphDiff(
            "replaced", old_number, new_number, old_html=old_html, new_html=new_html
        )
    return ParagraphDiff("changed", old_number, new_number, render_ops(ops))


def diff_paragraphs(
    old: Sequence[str],
    new: Sequence[str],
    old_start: int = 1,
    new_start: int = 1,
    display: Display = as_source,
) -> list[ParagraphDiff]:
    """Align two paragraph lists, then diff changed paragraphs word by word.

    Numbers are ¶ numbers on each side, counted from `old_start` and `new_start`.
    """
    rows: list[ParagraphDiff] = []
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                rows.append(
                    ParagraphDiff(
                        "equal",
                        old_start + i1 + offset,
                        new_start + j1 + offset,
                        display(old[i1 + offset])[1],
                    )
                )
            continue
        pairs = min(i2 - i1, j2 - j1)
        for offset in range(pairs):
            rows.append(
                diff_paragraph(
                    old[i1 + offset],
                    new[j1 + offset],
                    old_start + i1 + offset,
                    new_start + j1 + offset,
                    display,
                )
            )
        for i in range(i1 + pairs, i2):
            rows.append(ParagraphDiff("deleted", old_start + i, None, display(old[i])[1]))
        for j in range(j1 + pairs, j2):
            rows.append(ParagraphDiff("inserted", None, new_start + j, display(new[j])[1]))
    return rows


def change_diff(
    change: Change, paragraphs: Sequence[str], display: Display = as_source
) -> list[ParagraphDiff]:
    """What `change` does to `paragraphs`, paragraph by paragraph, numbered as in the result."""
    if change.kind == INSERT_AFTER:
        return [
            ParagraphDiff("inserted", None, change.first + offset + 1, display(p)[1])
            for offset, p in enumerate(change.paragraphs)
        ]
    old = paragraphs[change.first - 1 : change.last]
    if change.kind == DELETE:
        return [
            ParagraphDiff("deleted", change.first + offset, None, display(p)[1])
            for offset, p in enumerate(old)
        ]
    return diff_paragraphs(old, change.paragraphs, change.first, change.first, display)
