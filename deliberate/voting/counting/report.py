"""Human-readable text for a count's report (JSON is :meth:`Report.to_json`)."""

from __future__ import annotations

from fractions import Fraction

from ..vocabulary import TieBreak
from .model import CountMethod, CountQuota, Report, Transfer

METHOD_NAMES: dict[str, str] = {
    CountMethod.IRV: "instant-runoff voting",
    CountMethod.STV: "STV, weighted inclusive Gregory",
    CountMethod.SCOTTISH: "Scottish STV (5 decimal places, largest surplus first)",
    CountMethod.MEEK: "STV, Meek's method",
    CountMethod.SCHULZE: "Condorcet–Schulze (winning votes)",
}
QUOTA_NAMES: dict[str, str] = {
    CountQuota.DROOP: "Droop",
    CountQuota.DROOP_EXACT: "exact Droop",
    CountQuota.HARE: "Hare",
}


def fmt(value: Fraction | None, places: int = 5) -> str:
    """A vote value for people: whole numbers as such, others to ``places`` decimals."""
    if value is None:
        return "-"
    if value.denominator == 1:
        return str(value.numerator)
    text = f"{float(value):.{places}f}".rstrip("0").rstrip(".")
    return text


def _describe_transfer(t: Transfer) -> str:
    gains = ", ".join(f"{name} +{fmt(v)}" for name, v in t.to.items() if v)
    parts = [gains] if gains else []
    if t.exhausted:
        parts.append(f"exhausted {fmt(t.exhausted)}")
    if t.lost:
        parts.append(f"lost to rounding {fmt(t.lost)}")
    moved = "; ".join(parts) if parts else "nothing moved"
    if t.kind == "surplus":
        ratio = f" at {t.value} of each vote" if t.value is not None else ""
        return f"surplus {fmt(t.amount)} of {t.source}{ratio}: {moved}"
    return f"votes of {t.source} ({fmt(t.amount)}): {moved}"


def _matrix(title: str, names: list[str], rows: dict[str, dict[str, int]]) -> list[str]:
    width = max(len(n) for n in names)
    cols = [max(len(n), 5) for n in names]
    lines = [
        title,
        " " * width + "  " + "  ".join(n.rjust(w) for n, w in zip(names, cols, strict=True)),
    ]
    for x in names:
        cells = ["-" if x == y else str(rows[x][y]) for y in names]
        lines.append(
            x.ljust(width) + "  " + "  ".join(c.rjust(w) for c, w in zip(cells, cols, strict=True))
        )
    return lines


def _render_schulze(report: Report, lines: list[str]) -> str:
    names = list(report.ranking or [])
    if not names:
        lines.append("No candidates: nothing to count.")
        return "\n".join(line.rstrip() for line in lines) + "\n"
    lines.extend(
        _matrix("Pairwise: voters ranking the row above the column", names, report.pairwise or {})
    )
    lines.append("")
    lines.extend(_matrix("Strongest paths", names, report.strongest_paths or {}))
    lines.append("")
    lines.append("Ranking: " + " > ".join(names))
    lines.append("")
    if report.ties:
        lines.append("Ties:")
        lines.extend(f"  {t.describe()}" for t in report.ties)
    else:
        lines.append("Ties: none")
    lines.append("Winner: " + (", ".join(report.winners) or "none"))
    return "\n".join(line.rstrip() for line in lines) + "\n"


def render_text(report: Report) -> str:
    """A round-by-round table followed by each round's actions, the ties and the winners
    (for Schulze: the pairwise matrix, the strongest paths and the ranking)."""
    rules = report.rules
    lines: list[str] = []
    head = f"Method: {METHOD_NAMES[report.method]}"
    decimals = rules.effective_decimals
    if report.method in (CountMethod.STV, CountMethod.MEEK) and decimals is not None:
        head += f", values truncated to {decimals} decimal places"
    elif report.method == CountMethod.STV:
        head += ", exact fractions"
    lines.append(head)
    facts = [f"Seats: {report.seats}", f"Valid votes: {report.valid_votes}"]
    if report.blank_ballots:
        facts.append(f"Ballots with no valid preference: {report.blank_ballots}")
    if report.method in (CountMethod.STV, CountMethod.SCOTTISH):
        kind = QUOTA_NAMES[rules.quota] + (", fractional" if rules.fractional_threshold else "")
        places = max(5, rules.threshold_decimals) if rules.fractional_threshold else 5
        facts.append(f"Quota: {fmt(report.quota, places)} ({kind})")
    elif rules.fractional_threshold:
        facts.append("Fractional threshold")
    if rules.first_round_threshold:
        facts.append("Threshold fixed by the first round")
    if rules.one_winner_per_round:
        facts.append("One winner per round")
    if rules.continue_until_two:
        facts.append("Continuing until two remain")
    if rules.batch_elimination:
        facts.append("Batch elimination")
    if rules.tie_break == TieBreak.LOT:
        facts.append("Ties by the lot alone")
    lines.append("   ".join(facts))
    if rules.excluded:
        lines.append("Excluded from the count: " + ", ".join(rules.excluded))
    if rules.write_in:
        lines.append(f"Undeclared write-ins: {rules.write_in} (never elected, eliminated first)")
    lines.append("")
    if report.method == CountMethod.SCHULZE:
        return _render_schulze(report, lines)

    rounds = report.rounds
    if not rounds:
        lines.append("No candidates: nothing to count.")
        return "\n".join(line.rstrip() for line in lines) + "\n"
    label_width = max(len(n) for n in [*report.candidates, "Threshold", "Exhausted"])
    cells: list[list[str]] = []
    for name in report.candidates:
        row = []
        for r in rounds:
            value = (r.tally if r.votes is None else r.votes).get(name)
            cell = "" if value is None else fmt(value, 4)
            if name in r.elected:
                cell += " E"
            elif name in r.eliminated:
                cell += " X"
            row.append(cell)
        cells.append(row)
    threshold_label = "Quota" if report.method != CountMethod.IRV else "Threshold"
    places = max(4, rules.threshold_decimals) if rules.fractional_threshold else 4
    cells.append([fmt(r.threshold, places) for r in rounds])
    cells.append([fmt(r.exhausted, 4) for r in rounds])
    labels = [*report.candidates, threshold_label, "Exhausted"]
    if any(r.lost for r in rounds):
        cells.append([fmt(r.lost, 4) for r in rounds])
        labels.append("Lost")
    label_width = max(label_width, *(len(x) for x in labels))
    headers = [f"Round {r.number}" for r in rounds]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]
    lines.append(
        " " * label_width
        + "  "
        + "  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))
    )
    for label, row in zip(labels, cells, strict=True):
        if label == threshold_label:
            lines.append("-" * (label_width + 2 + sum(widths) + 2 * (len(widths) - 1)))
        lines.append(
            label.ljust(label_width)
            + "  "
            + "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True))
        )
    lines.append("E: elected in that round; X: eliminated in that round.")
    lines.append("")

    for r in rounds:
        actions = []
        if r.elected:
            actions.append("elected " + ", ".join(r.elected))
        if r.eliminated:
            actions.append("eliminated " + ", ".join(r.eliminated))
        text = f"Round {r.number}: " + ("; ".join(actions) if actions else "no change")
        if r.iterations:
            text += f" [{r.iterations} iteration{'s' if r.iterations != 1 else ''}]"
        if r.notes:
            text += " (" + "; ".join(r.notes) + ")"
        lines.append(text)
        lines.extend(f"    {_describe_transfer(t)}" for t in r.transfers)
    lines.append("")
    if report.ties:
        lines.append("Ties:")
        lines.extend(f"  {t.describe()}" for t in report.ties)
    else:
        lines.append("Ties: none")
    lines.append("Winners, in order of election: " + (", ".join(report.winners) or "none"))
    return "\n".join(line.rstrip() for line in lines) + "\n"
