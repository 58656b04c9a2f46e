"""Reading ballot files: the BLT format and a CSV format.

BLT (as written and read by OpenSTV and Droop)::

    4 2                 <- number of candidates, seats
    -4                  <- optional: withdrawn candidates, negative numbers
    3 1 2 0             <- weight (identical ballots), preferences, 0
    2 2=3 1 0           <- "2=3": candidates 2 and 3 ranked equal (an overvote)
    1 1 - 2 0           <- "-": a skipped rank
    0                   <- end of ballots
    "Ana"               <- candidate names, quoted, in number order
    "Ben"
    "Chloé"
    "Dev"
    "Board election"    <- title

A ballot line may start with an identifier in parentheses, e.g. ``(a17) 1 2 1 0``; it is
ignored. ``#`` starts a comment in the numeric part. Withdrawn candidates are removed from the
count and from every ballot, as if never ranked.

CSV: UTF-8, a header row of ``rank1``, ``rank2``, … in rank order, optionally preceded by a
``count`` column (identical ballots; default 1). An empty cell is a skipped rank; ``A|B`` in a
cell is an overvote of A and B.

Errors raise :class:`FormatError` with the line number and the reason; nothing is guessed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

Position = tuple[str, ...]
Ballot = tuple[Position, ...]


class FormatError(ValueError):
    """A ballot file that cannot be read as it stands."""

    def __init__(self, line: int | None, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}" if line else reason)


@dataclass
class Election:
    """What a ballot file holds: candidates in order, ballots with counts, and for BLT the
    seats and title."""

    candidates: list[str]
    ballots: list[tuple[Ballot, int]]
    seats: int | None = None
    title: str | None = None
    withdrawn: list[str] = field(default_factory=list)


_INT = re.compile(r"[0-9]+\Z")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _int(token: str, line: int, what: str) -> int:
    if not _INT.match(token):
        raise FormatError(line, f"{what} {token!r} is not a whole number")
    return int(token)


def _numeric_lines(lines: Sequence[str], start: int) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, tokens) for non-empty numeric lines from index ``start``."""
    for i in range(start, len(lines)):
        text = lines[i].split("#", 1)[0].strip()
        if text:
            yield i, text.split()


def parse_blt(text: str) -> Election:
    """Parse a BLT file's text."""
    lines = text.splitlines()
    numeric = _numeric_lines(lines, 0)
    try:
        i, tokens = next(numeric)
    except StopIteration:
        raise FormatError(None, "the file is empty") from None
    if len(tokens) != 2:
        raise FormatError(i + 1, "the first line must be: number of candidates, number of seats")
    n = _int(tokens[0], i + 1, "number of candidates")
    seats = _int(tokens[1], i + 1, "number of seats")
    if n < 1:
        raise FormatError(i + 1, "there must be at least one candidate")
    if seats < 1:
        raise FormatError(i + 1, "there must be at least one seat")

    withdrawn: list[int] = []
    ballots: list[tuple[list[Position], int]] = []
    finished = False
    for i, tokens in numeric:
        line = i + 1
        if not ballots and all(t.startswith("-") and t != "-" for t in tokens):
            for t in tokens:
                k = _int(t[1:], line, "withdrawn candidate")
                if not 1 <= k <= n:
                    raise FormatError(line, f"withdrawn candidate {t} is not between -1 and -{n}")
                if k in withdrawn:
                    raise FormatError(line, f"candidate {k} is withdrawn twice")
                withdrawn.append(k)
            continue
        if tokens == ["0"]:
            finished = True
            end = i + 1
            break
        if tokens[0].startswith("(") and tokens[0].endswith(")"):
            tokens = tokens[1:]
            if not tokens:
                raise FormatError(line, "a ballot identifier without a ballot")
        weight = _int(tokens[0], line, "ballot weight")
        if len(tokens) < 2 or tokens[-1] != "0":
            raise FormatError(line, "a ballot line must end with 0")
        positions: list[Position] = []
        for t in tokens[1:-1]:
            if t == "-":
                positions.append(())
                continue
            numbers = []
            for part in t.split("="):
                k = _int(part, line, "candidate number")
                if not 1 <= k <= n:
                    raise FormatError(line, f"candidate number {k} is not between 1 and {n}")
                numbers.append(k)
            positions.append(tuple(str(k) for k in numbers))
        ballots.append((positions, weight))
    if not finished:
        raise FormatError(None, "the ballots are not ended by a line holding 0")

    strings: list[tuple[int, str]] = []
    for j in range(end, len(lines)):
        text = lines[j].strip()
        if not text:
            continue
        pos = 0
        for m in _QUOTED.finditer(text):
            if text[pos : m.start()].strip():
                raise FormatError(j + 1, "names and the title must be in double quotes")
            strings.append((j + 1, m.group(1).replace('\\"', '"').replace("\\\\", "\\")))
            pos = m.end()
        if text[pos:].strip():
            raise FormatError(j + 1, "names and the title must be in double quotes")
    if len(strings) < n:
        raise FormatError(
            strings[-1][0] if strings else None,
            f"{n} candidate names expected, {len(strings)} found",
        )
    if len(strings) > n + 1:
        raise FormatError(strings[n + 1][0], "unexpected text after the title")
    all_names = [s for _, s in strings[:n]]
    for (line, name), k in zip(strings[:n], range(n), strict=True):
        if not name.strip():
            raise FormatError(line, f"candidate {k + 1} has an empty name")
        if name in all_names[:k]:
            raise FormatError(line, f"candidate name {name!r} is used twice")
    title = strings[n][1] if len(strings) > n else None

    gone = {str(k) for k in withdrawn}
    by_number = {str(k + 1): all_names[k] for k in range(n)}
    result: list[tuple[Ballot, int]] = []
    for positions, weight in ballots:
        ballot: list[Position] = []
        for pos_names in positions:
            if not pos_names:
                ballot.append(())
                continue
            kept = tuple(by_number[k] for k in pos_names if k not in gone)
            if kept:
                ballot.append(kept)
        result.append((tuple(ballot), weight))
    return Election(
        candidates=[all_names[k] for k in range(n) if str(k + 1) not in gone],
        ballots=result,
        seats=seats,
        title=title,
        withdrawn=[all_names[k - 1] for k in withdrawn],
    )


def parse_csv(
    text: str, candidates: Sequence[str] | None = None, write_in: str | None = None
) -> Election:
    """Parse a CSV ballot file's text; ``candidates`` declares the candidates and order.

    With ``write_in`` (and declared candidates), a name that is not declared counts for that
    pseudo-candidate (undeclared write-ins), added as the last candidate unless declared."""
    declared = list(candidates) if candidates is not None else None
    if write_in is not None and declared is not None and write_in not in declared:
        declared.append(write_in)
    known = set(declared) if declared is not None else None
    seen: list[str] = []
    seen_set: set[str] = set()
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    has_count = False
    ballots: list[tuple[Ballot, int]] = []
    try:
        for row in reader:
            line = reader.line_num
            if header is None:
                if not any(cell.strip() for cell in row):
                    continue
                header = [cell.strip() for cell in row]
                has_count = header[0] == "count"
                ranks = header[1:] if has_count else header
                expected = [f"rank{k}" for k in range(1, len(ranks) + 1)]
                if ranks != expected:
                    raise FormatError(
                        line,
                        "the header must be rank1, rank2, … in order, optionally after count"
                        f" (found {', '.join(header)})",
                    )
                if not ranks:
                    raise FormatError(line, "the header has no rank columns")
                continue
            if not row or (len(row) == 1 and not row[0].strip() and len(header) > 1):
                continue
            if len(row) != len(header):
                raise FormatError(line, f"{len(header)} cells expected, {len(row)} found")
            weight = 1
            cells = row
            if has_count:
                weight = _int(row[0].strip(), line, "count")
                cells = row[1:]
            ballot: list[Position] = []
            for cell in cells:
                cell = cell.strip()
                if not cell:
                    ballot.append(())
                    continue
                parts = [p.strip() for p in cell.split("|")]
                if any(not p for p in parts):
                    raise FormatError(line, f"empty name in {cell!r}")
                if write_in is not None and known is not None:
                    parts = [p if p in known else write_in for p in parts]
                for name in parts:
                    if known is not None:
                        if name not in known:
                            raise FormatError(line, f"{name!r} is not a declared candidate")
                    elif name not in seen_set:
                        seen_set.add(name)
                        seen.append(name)
                ballot.append(tuple(parts))
            ballots.append((tuple(ballot), weight))
    except csv.Error as exc:
        raise FormatError(reader.line_num, f"not valid CSV: {exc}") from None
    if header is None:
        raise FormatError(None, "the file is empty: a header row is needed")
    return Election(candidates=declared if declared is not None else seen, ballots=ballots)


def decode(data: bytes) -> str:
    """Decode a file's bytes as UTF-8 (a byte-order mark is allowed)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FormatError(line, "the file is not valid UTF-8") from None


def detect(filename: str, text: str) -> str:
    """``"blt"`` or ``"csv"``: by the file's extension, else by its first line."""
    lower = filename.lower()
    if lower.endswith(".blt"):
        return "blt"
    if lower.endswith(".csv"):
        return "csv"
    for raw in text.splitlines():
        first = raw.split("#", 1)[0].strip()
        if first:
            return "blt" if re.fullmatch(r"[0-9]+\s+[0-9]+", first) else "csv"
    return "csv"
