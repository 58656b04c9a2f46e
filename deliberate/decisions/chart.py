"""The commitments chart of a record, pure: one stacked bar per group (all members, then each
tendency, then members of no tendency) of entries that commit, commit and disagree, or only
disagree. Every number is written beside its bar, so colour is never the only signal."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Protocol


class Group(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def committed(self) -> int: ...
    @property
    def committed_disagreeing(self) -> int: ...
    @property
    def disagreeing_only(self) -> int: ...


PARTS = (
    ("committed", "commits", "#2f6f3e"),
    ("committed_disagreeing", "commits and disagrees", "#b7791f"),
    ("disagreeing_only", "disagrees without committing", "#9b2c2c"),
)
ROW = 28
LABEL = 170
BAR = 300
NUMBERS = 210


def commitments_chart(groups: Sequence[Group], *, title: str = "Commitments") -> str:
    """An SVG of the groups' entries (objects with `name` and the three counts of PARTS)."""
    widest = max((sum(getattr(g, key) for key, _l, _c in PARTS) for g in groups), default=0)
    height = ROW * (len(groups) + 1) + 10
    width = LABEL + BAR + NUMBERS
    body: list[str] = []
    x: float = LABEL
    for _key, label, colour in PARTS:
        body.append(
            f'<rect x="{x}" y="4" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="14" font-size="11">{escape(label)}</text>'
        )
        x += 16 + 7 * len(label) + 14
    for index, group in enumerate(groups):
        y = ROW * (index + 1) + 6
        name = escape(group.name)
        body.append(f'<text x="0" y="{y + 15}" font-size="12">{name}</text>')
        x = float(LABEL)
        counts = [getattr(group, key) for key, _l, _c in PARTS]
        for (_key, label, colour), count in zip(PARTS, counts, strict=True):
            if not count or not widest:
                continue
            w = BAR * count / widest
            body.append(
                f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="18" fill="{colour}">'
                f"<title>{count} {escape(label)}</title></rect>"
            )
            x += w
        text = " · ".join(str(c) for c in counts)
        body.append(f'<text x="{LABEL + BAR + 8}" y="{y + 15}" font-size="12">{text}</text>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-labelledby="commitments-chart-title">'
        f'<title id="commitments-chart-title">{escape(title)}</title>' + "".join(body) + "</svg>"
    )
