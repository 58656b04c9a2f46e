"""What a closed vote publishes so that anyone can recount: its ballots and receipts. Pure.

Receipts prove that a ballot was counted, not what it says: by default the receipt hashes and
the anonymous ballots are two lists, each in its own order, never paired, so a voter who hands
over her code proves nothing about her vote. A vote that chose content-verifiable receipts
publishes each hash beside its ballot.

Ranked ballots are published as BLT (the format of OpenSTV and the Droop reference counts,
which `flask --app deliberate tally` reads); other ballots as CSV. Identical ballots are
grouped with their count and listed in a canonical order, so the file says nothing about the
order in which ballots were cast. What a BLT file cannot say (the method, the quota, the lot)
is in the stored result, which `tally --results` reads beside it.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from deliberate.voting.counting.formats import FormatError
from deliberate.voting.vocabulary import VoteMethod

#: The header of each CSV kind, which also names the vote's method.
CSV_HEADERS: dict[str, list[str]] = {
    VoteMethod.MAJORITY: ["count", "choice"],
    VoteMethod.CONSENSUS: ["count", "position", "reason"],
}
#: First characters a spreadsheet may read as the start of a formula; and the escape itself.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _weighted(items: Iterable[Any], weights: Iterable[int] | None) -> Iterable[tuple[Any, int]]:
    """Each item with its weight: how many identical ballots it stands for (1 unless given)."""
    if weights is None:
        return ((item, 1) for item in items)
    return zip(items, weights, strict=True)


def ballots_blt(
    title: str,
    options: Sequence[str],
    seats: int,
    rankings: Iterable[Sequence[str]],
    *,
    weights: Iterable[int] | None = None,
) -> str:
    """A BLT file of ranked ballots: header, grouped ballots by descending count (then by
    their preferences, as numbers), names in the vote's order, title. `weights` (one per
    ranking) says how many ballots each stands for; BLT writes them as the ballot weights, so
    a meeting's count of thousands is one line, never expanded."""
    number = {label: i for i, label in enumerate(options, start=1)}
    grouped: Counter[tuple[int, ...]] = Counter()
    for ranking, weight in _weighted(rankings, weights):
        grouped[tuple(number[label] for label in ranking)] += weight
    lines = [f"{len(options)} {seats}"]
    for ranking, weight in sorted(grouped.items(), key=lambda item: (-item[1], item[0])):
        lines.append(" ".join(map(str, [weight, *ranking, 0])))
    lines.append("0")
    lines.extend(_quote(label) for label in options)
    lines.append(_quote(title.replace("\n", " ")))
    return "\n".join(lines) + "\n"


def ballots_csv(
    method: str, ballots: Iterable[Mapping[str, Any]], *, weights: Iterable[int] | None = None
) -> str:
    """A CSV of majority or consensus ballots, grouped: `count,choice` or
    `count,position,reason`, by descending count, then by content. `weights` (one per ballot)
    says how many ballots each stands for, and adds to its row's count."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # The writer quotes only what holds its line terminator; a reason with a lone carriage
    # return needs quoting too, or a reader would take it for the end of the row.
    quoting = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_HEADERS[method])
    grouped: Counter[tuple[str, ...]] = Counter()
    for b, weight in _weighted(ballots, weights):
        key: tuple[str, ...] = (
            (b["choice"],)
            if method == VoteMethod.MAJORITY
            else (b["position"], b.get("reason") or "")
        )
        grouped[key] += weight
    for key, weight in sorted(grouped.items(), key=lambda item: (-item[1], item[0])):
        cells = [neutralize(v) for v in key]
        (quoting if any("\r" in c for c in cells) else writer).writerow([weight, *cells])
    return out.getvalue()


def neutralize(value: str) -> str:
    """Keep a spreadsheet from reading member text as a formula (CSV injection): a cell that
    starts with a formula character gets a leading `'`. A cell that already starts with `'`
    gets one too, so that `restore` gives back exactly what the member wrote."""
    return ESCAPE + value if value[:1] in (*FORMULA_STARTS, ESCAPE) else value


def restore(cell: str) -> str:
    """The text as written, from a cell `neutralize` made."""
    return cell[1:] if cell.startswith(ESCAPE) else cell


def parse_ballots_csv(text: str) -> tuple[str, list[tuple[int, tuple[str, ...]]]]:
    """Read a CSV made by `ballots_csv`: the method its header names and each group of
    identical ballots as (count, (choice,)) or (count, (position, reason)), cells restored.

    Raises FormatError (with the line) for another header, a row of the wrong length or a
    count that is not a whole number."""
    reader = csv.reader(io.StringIO(text, newline=""))
    method: str | None = None
    groups: list[tuple[int, tuple[str, ...]]] = []
    try:
        for row in reader:
            if method is None:
                method = next((m for m, h in CSV_HEADERS.items() if row == h), None)
                if method is None:
                    expected = " or ".join(",".join(h) for h in CSV_HEADERS.values())
                    raise FormatError(reader.line_num, f"the header must be {expected}")
                continue
            if len(row) != len(CSV_HEADERS[method]):
                raise FormatError(
                    reader.line_num, f"{len(CSV_HEADERS[method])} cells expected, {len(row)} found"
                )
            if not (row[0].isascii() and row[0].isdigit()):
                raise FormatError(reader.line_num, f"count {row[0]!r} is not a whole number")
            groups.append((int(row[0]), tuple(restore(cell) for cell in row[1:])))
    except csv.Error as exc:
        raise FormatError(reader.line_num, f"not valid CSV: {exc}") from None
    if method is None:
        raise FormatError(None, "the file is empty: a header row is needed")
    return method, groups


def receipts_csv(rows: Iterable[tuple[str, Mapping[str, Any] | None]]) -> str:
    """The published receipts as CSV: `receipt_hash` alone, sorted, so that a voter can check
    that her ballot was counted but not prove to anyone what it says; or, for a vote that
    chose content-verifiable receipts (rows with a ballot), `receipt_hash,ballot` with the
    ballot as canonical JSON."""
    listed = sorted(rows, key=lambda row: row[0])
    paired = any(content is not None for _hash, content in listed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["receipt_hash", "ballot"] if paired else ["receipt_hash"])
    for receipt, content in listed:
        if paired:
            ballot = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            writer.writerow([receipt, neutralize(ballot)])
        else:
            writer.writerow([receipt])
    return out.getvalue()


def describe(method: str, content: Mapping[str, Any]) -> str:
    """A ballot in words, for the published lists."""
    if method == VoteMethod.MAJORITY:
        return str(content["choice"])
    if method == VoteMethod.CONSENSUS:
        reason = content.get("reason") or ""
        return content["position"] + (f": {reason}" if reason else "")
    ranking = content.get("ranking") or []
    return " > ".join(ranking) if ranking else "(blank)"
