"""SVG charts of stored results: a ranked count round by round, and a yes/no vote.

Pure functions from a result's stored JSON (a dictionary, or its JSON text) to a string of
SVG; no Flask, no database. The ranked chart reads the dictionary of
:meth:`~deliberate.voting.counting.model.Report.as_dict`; the yes/no chart reads that of
:meth:`~deliberate.voting.counting.majority.MajorityResult.as_dict`. Either may also be given
a vote's whole stored result, whose ``count`` holds that dictionary.

Every string that comes from people (candidate names, titles) is escaped for XML, and
characters XML cannot hold are replaced by U+FFFD, so the output is always well-formed and a
name can never become markup. The charts carry no script, no event handler and no ``style``
attribute (the Content Security Policy forbids inline styles); colours and fonts are
presentation attributes. Text uses ``currentColor`` so the chart follows the page's colour.
The same input always gives the same bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any
from xml.sax.saxutils import escape

from .counting.model import CountMethod
from .counting.quorum import mixed
from .counting.report import fmt
from .vocabulary import MAJORITY_CHOICES, VoteMethod

WIDTH = 640
LABEL_RIGHT = 168  # right edge of the name column
BAR_LEFT = 176
BAR_SPAN = 320  # width of the largest value on the chart
ROW = 20
BAR_HEIGHT = 14
HEADING = 22
GAP = 14
LABEL_CHARS = 24  # longer names are shortened on the chart; the full name is in the tooltip

# The narrow layout, for a phone: drawn 320 units wide so that it is shown at its own size (or
# larger) in a phone's column, with text at the body's size (16 px). Each row puts the name on
# a line of its own, full width, and the bar under it with its figure at its end.
NARROW_WIDTH = 320
NARROW_FONT = 16
NARROW_LINE = 20  # one line of text
NARROW_BAR_SPAN = 176  # leaves room for "12.5 eliminated" after the longest bar
NARROW_BAR_HEIGHT = 12
NARROW_ROW = NARROW_LINE + NARROW_BAR_HEIGHT + 6
NARROW_CHARS = 32  # characters of a 16 px line that fit 320 units

CONTINUING = "#4a6fa5"
ELECTED = "#2e7d32"
FADED = "0.35"
EXHAUSTED = "#8c8c8c"
LOST = "#b0a58c"
YES = "#2e7d32"
NO = "#c62828"
ABSTAIN = "#9e9e9e"
BLANK = "#c8c8c8"

# Characters XML 1.0 cannot hold, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTR_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


class ChartError(ValueError):
    """The data given is not a stored result this chart can draw."""


# --- SVG writing -----------------------------------------------------------------------------


def _clean(text: object) -> str:
    return _NOT_XML.sub("\ufffd", str(text))


def _short(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"


def _short_line(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _num(x: float) -> str:
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _attr(value: str) -> str:
    # quoteattr would switch to single quotes around a value holding '"'; always using double
    # quotes and escaping them keeps every attribute in one form, easy to check.
    return '"' + escape(value, _ATTR_ENTITIES) + '"'


def _tag(name: str, attrs: Mapping[str, object], text: str | None = None) -> str:
    parts = [name]
    for key, value in attrs.items():
        shown = _num(value) if isinstance(value, float) else _clean(value)
        parts.append(f"{key}={_attr(shown)}")
    head = " ".join(parts)
    if text is None:
        return f"<{head}/>"
    return f"<{head}>{escape(_clean(text))}</{name}>"


def _open(name: str, attrs: Mapping[str, object]) -> str:
    return _tag(name, attrs)[:-2] + ">"


def _svg(
    height: float, label: str, title: str, desc: str, body: list[str], *, narrow: bool = False
) -> str:
    width = NARROW_WIDTH if narrow else WIDTH
    head = _open(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {width} {_num(height)}",
            "width": width,
            "height": _num(height),
            "role": "img",
            "aria-label": label,
            "class": "chart chart-narrow" if narrow else "chart chart-wide",
            "font-family": "sans-serif",
            "font-size": NARROW_FONT if narrow else 12,
            "fill": "currentColor",
        },
    )
    lines = [head, _tag("title", {}, title), _tag("desc", {}, desc), *body, "</svg>"]
    return "\n".join(lines) + "\n"


def _load(data: Mapping[str, Any] | str, what: str) -> Mapping[str, Any]:
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            raise ChartError(f"not JSON: cannot draw {what}") from None
    if not isinstance(data, Mapping):
        raise ChartError(f"not a stored result: cannot draw {what}")
    inner = data.get("count")
    if isinstance(inner, Mapping) and "rounds" not in data and "counts" not in data:
        # A vote's whole result document: the count is the part a chart draws.
        return inner
    return data


def _fraction(exact: object, number: object) -> Fraction:
    """A value from its ``*_exact`` string, else from its JSON number."""
    try:
        if isinstance(exact, str):
            return Fraction(exact)
        if isinstance(number, int | float) and not isinstance(number, bool):
            return Fraction(str(number))
    except (ValueError, ZeroDivisionError):
        pass
    raise ChartError(f"not a vote value: {exact!r}")


def _width(value: Fraction, scale: Fraction) -> float:
    return float(BAR_SPAN * value / scale) if value > 0 else 0.0


def _bar(
    css: str, x: float, y: float, width: float, height: float, colour: str, faded: bool
) -> dict[str, object]:
    """A bar's attributes, in either layout; a faded one is drawn half-seen."""
    bar: dict[str, object] = {
        "class": css,
        "x": x,
        "y": float(y),
        "width": width,
        "height": height,
        "fill": colour,
    }
    if faded:
        bar["fill-opacity"] = FADED
    return bar


def _row(
    y: float,
    label: str,
    tooltip: str,
    value: Fraction,
    scale: Fraction,
    colour: str,
    note: str,
    group_class: str,
    bar_class: str = "bar",
    faded: bool = False,
) -> list[str]:
    width = _width(value, scale)
    bar = _bar(bar_class, BAR_LEFT, y, width, BAR_HEIGHT, colour, faded)
    text_y = float(y + BAR_HEIGHT - 3)
    return [
        _open("g", {"class": group_class}),
        _tag("title", {}, tooltip),
        _tag("text", {"x": LABEL_RIGHT, "y": text_y, "text-anchor": "end"}, _short(label)),
        _tag("rect", bar),
        _tag("text", {"class": "value", "x": float(BAR_LEFT + width + 4), "y": text_y}, note),
        "</g>",
    ]


def _narrow_width(value: Fraction, scale: Fraction) -> float:
    return float(NARROW_BAR_SPAN * value / scale) if value > 0 else 0.0


def _narrow_row(
    y: float,
    label: str,
    tooltip: str,
    value: Fraction,
    scale: Fraction,
    colour: str,
    note: str,
    group_class: str,
    bar_class: str = "bar",
    faded: bool = False,
) -> list[str]:
    """A row of the narrow layout: the name on its own line, the bar and its figure below."""
    width = _narrow_width(value, scale)
    bar_y = y + NARROW_LINE + 2
    bar = _bar(bar_class, 0, bar_y, width, NARROW_BAR_HEIGHT, colour, faded)
    return [
        _open("g", {"class": group_class}),
        _tag("title", {}, tooltip),
        _tag("text", {"x": 0, "y": float(y + NARROW_LINE - 4)}, _short_line(label, NARROW_CHARS)),
        _tag("rect", bar),
        _tag(
            "text",
            {"class": "value", "x": float(width + 6), "y": float(bar_y + NARROW_BAR_HEIGHT)},
            note,
        ),
        "</g>",
    ]


def _dashed(x: float, top: float, bottom: float, css: str) -> str:
    """A threshold's dashed line from `top` to `bottom`, in either layout."""
    return _tag(
        "line",
        {
            "class": css,
            "x1": x,
            "x2": x,
            "y1": float(top),
            "y2": float(bottom),
            "stroke": "currentColor",
            "stroke-dasharray": "4 3",
        },
    )


def _narrow_line(x: float, top: float, bottom: float, label: str, css: str) -> list[str]:
    """The threshold's dashed line across a group of narrow rows, its words under them."""
    return [
        _dashed(x, top, bottom, css),
        _tag(
            "text",
            {"class": f"{css}-label", "x": 0, "y": float(bottom + NARROW_LINE - 2)},
            _short_line(f"┆ {label}", NARROW_CHARS),
        ),
    ]


def _line(
    x: float, top: float, bottom: float, label: str, css: str, *, label_below: bool = False
) -> list[str]:
    return [
        _dashed(x, top, bottom, css),
        _tag(
            "text",
            {
                "class": f"{css}-label",
                "x": x,
                "y": float(bottom + 11 if label_below else top - 3),
                "text-anchor": "middle",
            },
            label,
        ),
    ]


# --- ranked counts ---------------------------------------------------------------------------


def _names(value: object, what: str) -> list[str]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise ChartError(f"{what} must be a list of names")
    return [str(name) for name in value]


def _round_values(rnd: Mapping[str, Any], key: str) -> Fraction:
    return _fraction(rnd.get(f"{key}_exact"), rnd.get(key, 0))


def rounds_chart(
    report: Mapping[str, Any] | str, *, title: str | None = None, narrow: bool = False
) -> str:
    """A horizontal bar chart of every round of a stored IRV or STV count.

    One group of rows per round (``<g class="round">``): a bar per candidate in that round's
    tally (``rect.bar``; elected in green and marked, eliminated faded and marked), a row for
    the exhausted votes and, when truncation lost any, one for the lost votes. A dashed
    vertical line marks the quota (STV) or the majority threshold (IRV). All rounds share one
    scale so bars compare across rounds. ``title`` defaults to the report's own, else
    "Count, round by round". ``narrow`` draws it for a phone: 320 units wide with text at
    16, each name on its own line above its bar. Raises :class:`ChartError` for data that is
    not a count.
    """
    data = _load(report, "the rounds of a count")
    rounds = data.get("rounds")
    if not isinstance(rounds, Sequence) or isinstance(rounds, str):
        raise ChartError("not a ranked count: there is no list of rounds")
    title = str(title or data.get("title") or "Count, round by round")
    irv = data.get("method") == CountMethod.IRV
    threshold_word = "majority" if irv else "quota"
    winners = _names(data.get("winners", []), "winners")

    parsed = []
    for rnd in rounds:
        if not isinstance(rnd, Mapping) or not isinstance(rnd.get("tally"), Mapping):
            raise ChartError("a round has no tally")
        exact = rnd.get("tally_exact") or {}
        tally = [
            (str(name), _fraction(exact.get(name), value)) for name, value in rnd["tally"].items()
        ]
        parsed.append(
            (
                rnd,
                tally,
                _round_values(rnd, "threshold"),
                _round_values(rnd, "exhausted"),
                _round_values(rnd, "lost"),
            )
        )
    show_lost = any(lost for *_, lost in parsed)
    scale = max(
        [Fraction(1)]
        + [v for _, tally, *_ in parsed for _, v in tally]
        + [x for _, _, threshold, exhausted, lost in parsed for x in (threshold, exhausted, lost)]
    )

    if narrow:
        return _narrow_rounds(title, winners, parsed, scale, show_lost, threshold_word)
    body = [_tag("text", {"x": 0, "y": 18, "font-size": 15, "font-weight": "bold"}, title)]
    elected_line = "Elected: " + (", ".join(winners) if winners else "none")
    body.append(_tag("text", {"class": "summary", "x": 0, "y": 36}, _short_line(elected_line)))
    y = 36 + GAP
    desc: list[str] = []
    elected_before: set[str] = set()
    for number, (rnd, tally, threshold, exhausted, lost) in enumerate(parsed, start=1):
        heading, actions, rows = _round_rows(rnd, number, tally, elected_before, exhausted, lost)
        if not show_lost:
            rows = [row for row in rows if row[5] != "lost"]
        body.append(_open("g", {"class": "round"}))
        body.append(
            _tag(
                "text",
                {"x": 0, "y": float(y + 15), "font-weight": "bold"},
                _short_line(heading + (": " + "; ".join(actions) if actions else "")),
            )
        )
        top = y + HEADING
        row_y = top
        for label, tooltip, value, colour, note, group_class, bar_class, faded in rows:
            body += _row(
                row_y, label, tooltip, value, scale, colour, note, group_class, bar_class, faded
            )
            row_y += ROW
        bottom = row_y - ROW + BAR_HEIGHT + 2
        x = float(BAR_LEFT + _width(threshold, scale))
        body += _line(
            x, top, bottom, f"{threshold_word} {fmt(threshold, 2)}", "threshold", label_below=True
        )
        body.append("</g>")
        desc.append(_round_desc(heading, rows, actions, threshold_word, threshold))
        y = row_y + GAP + 10  # room for the threshold's label under its line
    if not parsed:
        body.append(_tag("text", {"x": 0, "y": float(y + 15)}, "No rounds to show."))
        y += HEADING + GAP
    rounds_said = "1 round" if len(parsed) == 1 else f"{len(parsed)} rounds"
    label = f"{title}. {rounds_said}. {elected_line}."
    return _svg(y, label, title, " ".join([f"{elected_line}.", *desc]), body)


# One drawn row: label, tooltip, value, colour, the figure shown, the group's and the bar's
# classes, and whether the bar is faded.
_Row = tuple[str, str, Fraction, str, str, str, str, bool]
_Parsed = tuple[Mapping[str, Any], list[tuple[str, Fraction]], Fraction, Fraction, Fraction]


def _round_rows(
    rnd: Mapping[str, Any],
    number: int,
    tally: list[tuple[str, Fraction]],
    elected_before: set[str],
    exhausted: Fraction,
    lost: Fraction,
) -> tuple[str, list[str], list[_Row]]:
    """A round's heading, what happened in it, and its rows (the lost votes' row last, for
    the caller to drop when no round lost any). Adds the round's elected to `elected_before`."""
    elected_now = _names(rnd.get("elected", []), "elected")
    eliminated_now = _names(rnd.get("eliminated", []), "eliminated")
    elected, eliminated = set(elected_now), set(eliminated_now)
    actions = []
    if elected_now:
        actions.append("elected " + ", ".join(_short(n) for n in elected_now))
    if eliminated_now:
        actions.append("eliminated " + ", ".join(_short(n) for n in eliminated_now))
    heading = f"Round {rnd.get('round', number)}"
    rows: list[_Row] = []
    for name, value in tally:
        shown = fmt(value, 2)
        if name in elected:
            kind, note, colour, faded = "elected", f"{shown} elected", ELECTED, False
        elif name in elected_before:
            kind, note, colour, faded = "elected", f"{shown} (elected)", ELECTED, False
        elif name in eliminated:
            kind, note, colour, faded = "eliminated", f"{shown} eliminated", CONTINUING, True
        else:
            kind, note, colour, faded = "continuing", shown, CONTINUING, False
        tooltip = f"{name}: {shown}" + ("" if kind == "continuing" else f", {kind}")
        rows.append((name, tooltip, value, colour, note, f"candidate {kind}", "bar", faded))
    for label, value, colour, css in (
        ("Exhausted", exhausted, EXHAUSTED, "exhausted"),
        ("Lost to rounding", lost, LOST, "lost"),
    ):
        shown = fmt(value, 2)
        rows.append((label, f"{label}: {shown}", value, colour, shown, css, css, False))
    elected_before |= elected
    return heading, actions, rows


def _round_desc(
    heading: str, rows: list[_Row], actions: list[str], word: str, threshold: Fraction
) -> str:
    spoken = [
        row[1] if row[5].startswith("candidate") else f"{row[0].lower()}: {row[4]}" for row in rows
    ]
    return (
        f"{heading}: {'; '.join(spoken)}; {word} {fmt(threshold, 2)}"
        + (f"; {'; '.join(actions)}" if actions else "")
        + "."
    )


def _narrow_rounds(
    title: str,
    winners: list[str],
    parsed: list[_Parsed],
    scale: Fraction,
    show_lost: bool,
    threshold_word: str,
) -> str:
    """The rounds for a phone: each round a block of rows, a name on each line at the body's
    size and its bar under it, the round's events on lines of their own."""
    body = [_tag("text", {"x": 0, "y": 20, "font-size": 18, "font-weight": "bold"}, _short(title))]
    elected_line = "Elected: " + (", ".join(winners) if winners else "none")
    body.append(
        _tag("text", {"class": "summary", "x": 0, "y": 44}, _short_line(elected_line, NARROW_CHARS))
    )
    y = 44 + GAP
    desc: list[str] = []
    elected_before: set[str] = set()
    for number, (rnd, tally, threshold, exhausted, lost) in enumerate(parsed, start=1):
        heading, actions, rows = _round_rows(rnd, number, tally, elected_before, exhausted, lost)
        if not show_lost:
            rows = [row for row in rows if row[5] != "lost"]
        body.append(_open("g", {"class": "round"}))
        for line in [heading, *actions]:
            y += NARROW_LINE
            text = _short_line(line[0].upper() + line[1:], NARROW_CHARS)
            body.append(_tag("text", {"x": 0, "y": float(y - 4), "font-weight": "bold"}, text))
        top = y + 4
        for label, tooltip, value, colour, note, group_class, bar_class, faded in rows:
            body += _narrow_row(
                y, label, tooltip, value, scale, colour, note, group_class, bar_class, faded
            )
            y += NARROW_ROW
        x = float(_narrow_width(threshold, scale))
        body += _narrow_line(x, top, y, f"{threshold_word} {fmt(threshold, 2)}", "threshold")
        body.append("</g>")
        desc.append(_round_desc(heading, rows, actions, threshold_word, threshold))
        y += NARROW_LINE + GAP
    if not parsed:
        y += NARROW_LINE
        body.append(_tag("text", {"x": 0, "y": float(y)}, "No rounds to show."))
        y += GAP
    rounds_said = "1 round" if len(parsed) == 1 else f"{len(parsed)} rounds"
    label = f"{title}. {rounds_said}. {elected_line}."
    return _svg(y, label, title, " ".join([f"{elected_line}.", *desc]), body, narrow=True)


# --- yes/no votes ----------------------------------------------------------------------------


def majority_chart(
    result: Mapping[str, Any] | str, *, title: str | None = None, narrow: bool = False
) -> str:
    """A bar chart of a stored yes/no vote: yes, no, abstain (and blank papers, if any),
    with a dashed vertical line at the number of yes votes the threshold asks for.

    Bars are drawn to the scale of the base (the roll for an absolute majority), so the line
    sits where the yes bar must reach (at least) or pass (more than). Below: participation
    against the quorum, and the outcome. ``narrow`` draws it for a phone (320 units wide,
    text at 16, each name above its bar). Raises :class:`ChartError` for data that is not a
    yes/no result.
    """
    data = _load(result, "a yes/no vote")
    counts = data.get("counts")
    if data.get("kind", VoteMethod.MAJORITY) != VoteMethod.MAJORITY or not isinstance(
        counts, Mapping
    ):
        raise ChartError("not a yes/no vote result")
    try:
        yes, no, abstain = (int(counts[k]) for k in MAJORITY_CHOICES)
        blank = int(data.get("blank", 0))
        base, roll, participation = (int(data[k]) for k in ("base", "roll", "participation"))
        required = int(data["required"])
        needed_turnout = int(data["quorum_required"])
        line = Fraction(data["required_exact"])
        strict, adopted, quorum_met = (bool(data[k]) for k in ("strict", "adopted", "quorum_met"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        raise ChartError("not a yes/no vote result: a figure is missing") from None
    title = str(title or data.get("title") or "Vote")
    scale = max(line, *map(Fraction, (1, base, yes, no, abstain, blank)))
    relation = "more than" if strict else "at least"
    rows = [
        ("Yes", yes, YES, "yes"),
        ("No", no, NO, "no"),
        ("Abstain", abstain, ABSTAIN, "abstain"),
    ]
    if blank:
        rows.append(("Blank", blank, BLANK, "blank"))
    quorum = str(data.get("quorum", "0"))
    if quorum in ("0", "0/1"):
        turnout = f"Participation: {participation} of {roll} (no quorum)."
        turnout_lines = [f"{participation} of {roll} took part", "no quorum"]
    else:
        state = "met" if quorum_met else "not met"
        turnout = f"Participation: {participation} of {roll}; quorum {needed_turnout}, {state}."
        turnout_lines = [
            f"{participation} of {roll} took part",
            f"quorum {needed_turnout}: {state}",
        ]
    if not quorum_met:
        verdict = "Not adopted: quorum not met."
    else:
        verdict = "Adopted." if adopted else "Not adopted."
    needed = f"{relation} {mixed(line)}: {required} yes needed"
    label = f"{title}: {yes} yes, {no} no, {abstain} abstain. {verdict}"
    desc = str(data.get("explanation") or verdict) + " " + turnout

    if narrow:
        body = [
            _tag("text", {"x": 0, "y": 20, "font-size": 18, "font-weight": "bold"}, _short(title))
        ]
        y = 20 + GAP
        top = y + NARROW_LINE + 2
        for name, value, colour, css in rows:
            body += _narrow_row(
                y, name, f"{name}: {value}", Fraction(value), scale, colour, str(value), css
            )
            y += NARROW_ROW
        body += _narrow_line(float(_narrow_width(line, scale)), top, y, needed, "threshold")
        y += NARROW_LINE + GAP
        for text in turnout_lines:
            y += NARROW_LINE
            body.append(_tag("text", {"class": "participation", "x": 0, "y": float(y - 4)}, text))
        y += NARROW_LINE
        body.append(
            _tag(
                "text",
                {"class": "outcome", "x": 0, "y": float(y - 4), "font-weight": "bold"},
                verdict,
            )
        )
        return _svg(y + 6, label, title, desc, body, narrow=True)

    body = [_tag("text", {"x": 0, "y": 18, "font-size": 15, "font-weight": "bold"}, title)]
    top = 36 + GAP
    y = top
    for name, value, colour, css in rows:
        body += _row(y, name, f"{name}: {value}", Fraction(value), scale, colour, str(value), css)
        y += ROW
    bottom = y - ROW + BAR_HEIGHT + 2
    x = float(BAR_LEFT + _width(line, scale))
    body += _line(x, top, bottom, needed, "threshold")

    y += GAP
    body.append(_tag("text", {"class": "participation", "x": 0, "y": float(y + 4)}, turnout))
    body.append(
        _tag(
            "text",
            {"class": "outcome", "x": 0, "y": float(y + 4 + ROW), "font-weight": "bold"},
            verdict,
        )
    )
    y += 2 * ROW
    return _svg(y, label, title, desc, body)
