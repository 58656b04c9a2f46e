"""How a page is laid out where it could fail on a phone: every table in a named box that
scrolls it sideways and can be reached from the keyboard."""

from __future__ import annotations

from html.parser import HTMLParser


class Boxes(HTMLParser):
    """The tables of a page and the boxes around them."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[dict[str, str | None]] = []
        self.tables: list[list[dict[str, str | None]]] = []  # each table's open ancestors

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append(list(self.open))
        if tag in ("div", "section", "table", "figure"):
            self.open.append({"tag": tag, **dict(attrs)})

    def handle_endtag(self, tag: str) -> None:
        if tag in ("div", "section", "table", "figure"):
            while self.open and self.open.pop()["tag"] != tag:
                pass


def scroll_boxes(page: str) -> list[dict[str, str | None]]:
    """For every table of the page, the box that scrolls it sideways on a phone."""
    parser = Boxes()
    parser.feed(page)
    boxes = []
    for ancestors in parser.tables:
        found = [a for a in ancestors if "table-scroll" in (a.get("class") or "").split()]
        assert found, "a table scrolls on its own on a phone, outside a named box"
        boxes.append(found[-1])
    return boxes


def assert_tables_boxed(page: str) -> None:
    """Every table of the page scrolls inside a box the keyboard reaches and a reader names."""
    for box in scroll_boxes(page):
        assert box.get("tabindex") == "0", box
        assert box.get("role") == "region", box
        assert box.get("aria-label"), box
