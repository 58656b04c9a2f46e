"""What a version shows never changes: its paragraphs, rendered and line-numbered when the
version was made, are read once per process and kept, keyed by the version and its text; an
amendment's change against its version likewise, until the amendment is edited (its text is
in the key), and the comparison of a paper's two revisions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from deliberate.drafts import text
from deliberate.drafts.models import DraftParagraph, DraftVersion
from deliberate.extensions import db
from deliberate.lru import Immutables
from deliberate.markup import displayed

# Versions kept per process: the current versions of the drafts under debate, and a few
# older ones being compared. A 200-paragraph version takes about 200 KiB.
VERSIONS_KEPT = 64
DIFFS_KEPT = 2048


@dataclass(frozen=True, slots=True)
class ShownParagraph:
    """A paragraph of a version as pages show it (the stored, sanitized HTML)."""

    number: int
    markdown: str
    numbered_html: str  # sanitized when the version was made (markup.py), lines marked
    first_line: int
    line_count: int

    @property
    def last_line(self) -> int:
        return self.first_line + self.line_count - 1


_paragraphs: Immutables[tuple[ShownParagraph, ...]] = Immutables(VERSIONS_KEPT)
_diffs: Immutables[tuple[text.ParagraphDiff, ...]] = Immutables(DIFFS_KEPT)


def _key(version: DraftVersion) -> tuple[int, int, str]:
    # The body decides every paragraph and line (with the width): an equal key is equal
    # content, whichever database it was read from.
    return (version.id, version.line_width, version.body)


def paragraphs(version: DraftVersion) -> tuple[ShownParagraph, ...]:
    """The version's paragraphs in order, read from the database once per process."""

    def read() -> tuple[ShownParagraph, ...]:
        rows = db.session.execute(
            select(
                DraftParagraph.number,
                DraftParagraph.markdown,
                DraftParagraph.numbered_html,
                DraftParagraph.first_line,
                DraftParagraph.line_count,
            )
            .where(DraftParagraph.version_id == version.id)
            .order_by(DraftParagraph.number)
        )
        return tuple(ShownParagraph(*row) for row in rows)

    return _paragraphs.get(_key(version), read)


def markdowns(version: DraftVersion) -> list[str]:
    return [p.markdown for p in paragraphs(version)]


def change_diff(version: DraftVersion, change: text.Change) -> tuple[text.ParagraphDiff, ...]:
    """What `change` does to `version`, paragraph by paragraph, computed once per process."""
    return _diffs.get(
        ("change", _key(version), change),
        lambda: tuple(text.change_diff(change, markdowns(version), displayed)),
    )


def versions_diff(old: DraftVersion, new: DraftVersion) -> tuple[text.ParagraphDiff, ...]:
    """The word-by-word comparison of two versions, computed once per process."""
    return _diffs.get(
        ("versions", _key(old), _key(new)),
        lambda: tuple(text.diff_paragraphs(markdowns(old), markdowns(new), display=displayed)),
    )


def texts_diff(old: str, new: str) -> tuple[text.ParagraphDiff, ...]:
    """The word-by-word comparison of two Markdown texts (a paper's revisions, which never
    change), computed once per process; the texts themselves are the key."""
    return _diffs.get(
        ("texts", old, new),
        lambda: tuple(
            text.diff_paragraphs(
                text.split_paragraphs(old), text.split_paragraphs(new), display=displayed
            )
        ),
    )


def forget() -> None:
    """Forget everything kept (for measurements that must start cold)."""
    _paragraphs.clear()
    _diffs.clear()
