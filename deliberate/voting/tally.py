"""The ``tally`` command: count a BLT or CSV ballot file and print the round-by-round result.

It needs no application context and touches no database; the application registers it with
``app.cli.add_command(tally_command)``.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from .counting import Rules, RulesError, check_candidates, count_grouped
from .counting.ballots import group_ballots
from .counting.formats import FormatError, decode, detect, parse_blt, parse_csv
from .counting.model import BallotError
from .counting.report import render_text


class TallyError(click.ClickException):
    """A file or option problem: reported as ``Error: …`` with exit status 2."""

    exit_code = 2


def _names(option: str, value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [part.strip() for part in value.split(",")]
    if any(not name for name in names):
        raise TallyError(f"{option}: empty candidate name in {value!r}")
    if len(set(names)) != len(names):
        raise TallyError(f"{option}: a candidate is named twice")
    return names


@click.command("tally")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--method",
    type=click.Choice(["irv", "stv", "scottish", "meek"]),
    default=None,
    help="Counting method. Default: irv for one seat, stv for more.",
)
@click.option(
    "--seats",
    type=click.IntRange(min=1),
    default=None,
    help="Seats to fill. Default: the BLT header, or 1 for CSV.",
)
@click.option(
    "--quota",
    type=click.Choice(["droop", "droop_exact", "hare"]),
    default="droop",
    show_default=True,
    help="STV quota.",
)
@click.option(
    "--decimals",
    type=click.IntRange(min=0, max=30),
    default=None,
    help="Truncate STV vote values to N decimal places (default: exact fractions).",
)
@click.option(
    "--batch-elimination",
    is_flag=True,
    help="Eliminate together the lowest candidates whose combined votes are below the next.",
)
@click.option(
    "--overvote",
    type=click.Choice(["exhaust", "skip"]),
    default="exhaust",
    show_default=True,
    help="What a rank naming several candidates does to the ballot.",
)
@click.option(
    "--max-skipped",
    type=click.IntRange(min=0),
    default=None,
    help="Consecutive empty ranks allowed before the ballot exhausts (default: unlimited).",
)
@click.option(
    "--duplicates",
    type=click.Choice(["skip", "exhaust"]),
    default="skip",
    show_default=True,
    help="What a candidate ranked again does to the ballot.",
)
@click.option(
    "--candidates",
    "declared",
    default=None,
    help='CSV only: the candidates and their order, e.g. "A,B,C".',
)
@click.option(
    "--tie-order",
    default=None,
    help='The lot for ties earlier rounds do not settle, e.g. "B,A,C" (default: candidate order).',
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--cross-check",
    is_flag=True,
    help="Also count with pyrankvote and report whether the winners agree.",
)
def tally_command(
    file: Path,
    method: str | None,
    seats: int | None,
    quota: str,
    decimals: int | None,
    batch_elimination: bool,
    overvote: str,
    max_skipped: int | None,
    duplicates: str,
    declared: str | None,
    tie_order: str | None,
    as_json: bool,
    cross_check: bool,
) -> None:
    """Count the ranked ballots in FILE (BLT or CSV) and print every round."""
    declared_names = _names("--candidates", declared)
    lot = _names("--tie-order", tie_order)
    try:
        text = decode(file.read_bytes())
        kind = detect(file.name, text)
        if kind == "blt":
            if declared_names is not None:
                raise TallyError("--candidates applies to CSV files; a BLT file names its own")
            election = parse_blt(text)
        else:
            election = parse_csv(text, declared_names)
    except FormatError as exc:
        where = f", line {exc.line}" if exc.line else ""
        raise TallyError(f"{file.name}{where}: {exc.reason}") from None
    except OSError as exc:
        raise TallyError(f"{file.name}: cannot be read ({exc.strerror})") from None

    seats = seats or election.seats or 1
    if method is None:
        method = "irv" if seats == 1 else "stv"
    try:
        rules = Rules(
            method=method,
            seats=seats,
            quota=quota,
            decimals=decimals,
            batch_elimination=batch_elimination,
            overvote=overvote,
            max_skipped=max_skipped,
            duplicates=duplicates,
            tie_order=tuple(lot) if lot is not None else None,
        )
        names = check_candidates(election.candidates)
        rules.lot(names)
        groups = group_ballots(election.ballots, names, rules)
        report = count_grouped(names, groups, rules)
    except (RulesError, BallotError) as exc:
        raise TallyError(str(exc)) from None

    check = None
    if cross_check:
        from .counting.crosscheck import cross_check as run_cross_check

        check = run_cross_check(names, groups, report)

    if as_json:
        data = report.as_dict()
        data["title"] = election.title
        if election.withdrawn:
            data["withdrawn"] = list(election.withdrawn)
        if check is not None:
            data["cross_check"] = check.as_dict()
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if election.title:
        click.echo(election.title)
        click.echo("=" * len(election.title))
    if election.withdrawn:
        click.echo("Withdrawn: " + ", ".join(election.withdrawn))
    click.echo(render_text(report), nl=False)
    if check is not None:
        click.echo(check.describe(), nl=False)
