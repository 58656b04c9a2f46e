"""What a closed vote publishes so that anyone can recount: its ballots and receipts. Pure.

Ranked ballots are published as BLT (the format of OpenSTV and the Droop reference counts,
which `flask --app deliberate tally` reads); other ballots as CSV. Identical ballots are
grouped with their count and listed in a canonical order, so the file says nothing about the
order in which ballots were cast.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ballots_blt(
    title: str, options: Sequence[str], seats: int, rankings: Iterable[Sequence[str]]
) -> str:
    """A BLT file of ranked ballots: header, grouped ballots by descending count, names, title."""
    number = {label: str(i) for i, label in enumerate(options, start=1)}
    grouped = Counter(tuple(number[label] for label in ranking) for ranking in rankings)
    lines = [f"{len(options)} {seats}"]
    for ranking, weight in sorted(grouped.items(), key=lambda item: (-item[1], item[0])):
        lines.append(" ".join([str(weight), *ranking, "0"]))
    lines.append("0")
    lines.extend(_quote(label) for label in options)
    lines.append(_quote(title.replace("\n", " ")))
    return "\n".join(lines) + "\n"


def ballots_csv(method: str, ballots: Iterable[Mapping[str, Any]]) -> str:
    """A CSV of majority or consensus ballots, grouped: `count,choice` or
    `count,position,reason`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if method == "majority":
        writer.writerow(["count", "choice"])
        grouped = Counter((b["choice"],) for b in ballots)
    else:
        writer.writerow(["count", "position", "reason"])
        grouped = Counter((b["position"], b.get("reason", "")) for b in ballots)
    for key, weight in sorted(grouped.items(), key=lambda item: (-item[1], item[0])):
        writer.writerow([weight, *(_neutralize(v) for v in key)])
    return out.getvalue()


def _neutralize(value: str) -> str:
    """Keep a spreadsheet from reading member text as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def describe(method: str, content: Mapping[str, Any]) -> str:
    """A ballot in words, for the published list of receipts."""
    if method == "majority":
        return str(content["choice"])
    if method == "consensus":
        reason = content.get("reason") or ""
        return content["position"] + (f": {reason}" if reason else "")
    ranking = content.get("ranking") or []
    return " > ".join(ranking) if ranking else "(blank)"
