"""Member Markdown to sanitized HTML: the only module that imports the sanitizer."""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

# CommonMark with raw HTML disabled: anything that looks like a tag is shown as text.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.enable(["table", "strikethrough"])

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
MAX_NESTING = 40


def _flatten_deep_nesting(text: str) -> str:
    """Refuse pathological nesting (quotes or lists hundreds deep) by trimming the markers."""
    lines = []
    for line in text.splitlines():
        stripped = line.lstrip(" >")
        depth = line[: len(line) - len(stripped)].count(">")
        lines.append(">" * MAX_NESTING + " " + stripped if depth > MAX_NESTING else line)
    return "\n".join(lines)


def sanitize_html(html: str) -> str:
    """Clean HTML against the allowlist; links get rel="nofollow noopener noreferrer"."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Render member Markdown to HTML safe to store and show with |safe."""
    text = text.replace("\x00", "")
    return sanitize_html(_markdown.render(_flatten_deep_nesting(text)))


_TAG = re.compile(r"<[^>]+>")


def displayed(text: str) -> tuple[str, str]:
    """A Markdown paragraph as a reader sees it: its words (tags dropped, entities read,
    spaces folded) and its sanitized HTML. Diffs compare the words, not the Markdown."""
    rendered = render_markdown(text)
    words = " ".join(html.unescape(_TAG.sub(" ", rendered)).split())
    return words, rendered


def plain_text(text: str) -> str:
    """Member Markdown as words, paragraph by paragraph (no `**`, no link syntax): what a
    search indexes and quotes."""
    paragraphs = re.split(r"\n\s*\n", text.replace("\x00", ""))
    return "\n\n".join(words for words, _html in map(displayed, paragraphs) if words)
