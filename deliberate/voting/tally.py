"""The ``tally`` command: count a BLT or CSV ballot file and print the round-by-round result.

With ``--results`` it recounts a closed vote from what the vote published (its ballot file and
its stored result) under the stored rules and lot, and says whether the recount matches.
It needs no application context and touches no database; the application registers it with
``app.cli.add_command(tally_command)``, and the ``deliberate-tally`` console script runs it on
its own (:func:`main`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from itertools import repeat
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from .counting import Rules, RulesError, check_candidates, count_grouped
from .counting.ballots import group_ballots
from .counting.consensus import ConsensusBallot, ConsensusRules, count_consensus
from .counting.formats import FormatError, decode, detect, parse_blt, parse_csv
from .counting.majority import MajorityRules, count_majority_ballots
from .counting.model import BallotError, CountMethod, CountQuota, DuplicateRule, OvervoteRule
from .counting.report import render_text
from .publish import parse_ballots_csv
from .vocabulary import CHOICE_METHODS, METHODS, TieBreak, VoteMethod

#: Options that say how to count; with --results the stored result says it instead.
RULE_OPTIONS = (
    "method",
    "seats",
    "quota",
    "decimals",
    "batch_elimination",
    "overvote",
    "max_skipped",
    "duplicates",
    "declared",
    "tie_order",
    "tie_break",
    "continue_until_two",
    "exclude",
    "write_in",
    "fractional_threshold",
    "first_round_threshold",
    "one_winner_per_round",
)
MATCHES = "The recount matches the stored result."


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
    type=click.Choice([str(m) for m in CountMethod]),
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
    type=click.Choice([str(q) for q in CountQuota]),
    default=CountQuota.DROOP.value,
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
    type=click.Choice([str(r) for r in OvervoteRule]),
    default=OvervoteRule.EXHAUST.value,
    show_default=True,
    help="What a rank naming several candidates does to the ballot (exhaust_if_multiple: "
    "only when two or more of them are still continuing).",
)
@click.option(
    "--max-skipped",
    type=click.IntRange(min=0),
    default=None,
    help="Consecutive empty ranks allowed before the ballot exhausts (default: unlimited).",
)
@click.option(
    "--duplicates",
    type=click.Choice([str(r) for r in DuplicateRule]),
    default=DuplicateRule.SKIP.value,
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
@click.option(
    "--tie-break",
    type=click.Choice([str(t) for t in TieBreak]),
    default=TieBreak.EARLIER_ROUNDS.value,
    show_default=True,
    help="How ties are settled: earlier rounds, then the lot; or the lot alone.",
)
@click.option(
    "--continue-until-two",
    is_flag=True,
    help="IRV: after a majority, go on until two candidates remain.",
)
@click.option(
    "--exclude",
    default=None,
    help='Candidates excluded from the count (withdrawn after printing), e.g. "B,C".',
)
@click.option(
    "--write-in",
    default=None,
    help="The undeclared write-ins pseudo-candidate: never elected, eliminated first. With CSV "
    "and --candidates, names not declared count for it.",
)
@click.option(
    "--fractional-threshold",
    is_flag=True,
    help="IRV and Droop STV: the threshold is votes/(seats+1) to 4 decimal places (or "
    "--decimals) plus one unit in the last place, instead of floor(votes/(seats+1))+1.",
)
@click.option(
    "--first-round-threshold",
    is_flag=True,
    help="IRV: the majority threshold is set by the first round and kept.",
)
@click.option(
    "--one-winner-per-round",
    is_flag=True,
    help="STV: elect only the candidate with the most votes in a round where several reach "
    "the quota.",
)
@click.option(
    "--results",
    "results_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A closed vote's stored result (JSON): count FILE, the ballots it published, by the "
    "result's method, seats, quota and lot, and check the recount against it (exit 1 if not).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--cross-check",
    is_flag=True,
    help="Also count with pyrankvote and pref-voting (where installed) and report whether "
    "the winners agree, or which rules a witness cannot express.",
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
    tie_break: str,
    continue_until_two: bool,
    exclude: str | None,
    write_in: str | None,
    fractional_threshold: bool,
    first_round_threshold: bool,
    one_winner_per_round: bool,
    results_file: Path | None,
    as_json: bool,
    cross_check: bool,
) -> None:
    """Count the ranked ballots in FILE (BLT or CSV) and print every round.

    With --results, recount a closed vote from the ballots it published (BLT, or the CSV of a
    majority or consensus vote) and its stored result."""
    stored = _read_results(results_file) if results_file is not None else None
    if stored is not None:
        _refuse_rule_options()
        if stored["method"] in CHOICE_METHODS:
            if cross_check:
                raise TallyError("--cross-check applies to ranked ballots")
            _recount_unranked(file, stored, as_json)
            return
        declared = None
    declared_names = _names("--candidates", declared)
    lot = _names("--tie-order", tie_order)
    excluded = _names("--exclude", exclude) or []
    if write_in is not None and not write_in.strip():
        raise TallyError("--write-in: empty candidate name")
    if stored is not None:
        declared_names = _stored_options(stored)
    try:
        text = decode(file.read_bytes())
        kind = detect(file.name, text)
        if kind == "blt":
            if declared_names is not None and stored is None:
                raise TallyError("--candidates applies to CSV files; a BLT file names its own")
            election = parse_blt(text)
        else:
            election = parse_csv(text, declared_names, write_in if stored is None else None)
    except FormatError as exc:
        where = f", line {exc.line}" if exc.line else ""
        raise TallyError(f"{file.name}{where}: {exc.reason}") from None
    except OSError as exc:
        raise TallyError(f"{file.name}: cannot be read ({exc.strerror})") from None

    if stored is not None and election.candidates != declared_names:
        _finish_recount(
            as_json,
            {"title": election.title},
            "the ballot file names " + ", ".join(election.candidates) + "; the stored result's "
            "options are " + ", ".join(declared_names or []),
        )
    if method == CountMethod.SCHULZE:
        seats = seats or 1  # a BLT header's seats do not apply: Schulze gives one winner
    seats = seats or election.seats or 1
    if method is None:
        method = CountMethod.IRV if seats == 1 else CountMethod.STV
    try:
        if stored is not None:
            rules = _stored_rules(stored)
        else:
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
                tie_break=tie_break,
                continue_until_two=continue_until_two,
                excluded=tuple(excluded),
                write_in=write_in,
                fractional_threshold=fractional_threshold,
                first_round_threshold=first_round_threshold,
                one_winner_per_round=one_winner_per_round,
            )
        names = check_candidates(election.candidates)
        rules.lot(names)
        rules.check_names(names)
        groups = group_ballots(election.ballots, names, rules)
        report = count_grouped(names, groups, rules)
    except (RulesError, BallotError) as exc:
        raise TallyError(str(exc)) from None

    checks = None
    if cross_check:
        from .counting.crosscheck import cross_checks

        checks = cross_checks(names, groups, report)

    difference = None
    if stored is not None:
        difference = first_difference(stored["count"], _plain(report.as_dict()))
    if as_json:
        data = report.as_dict()
        data["title"] = election.title
        if election.withdrawn:
            data["withdrawn"] = list(election.withdrawn)
        if checks is not None:
            data["cross_check"] = [check.as_dict() for check in checks]
        if stored is not None:
            _finish_recount(True, data, difference)
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if election.title:
        click.echo(election.title)
        click.echo("=" * len(election.title))
    if election.withdrawn:
        click.echo("Withdrawn: " + ", ".join(election.withdrawn))
    click.echo(render_text(report), nl=False)
    for check in checks or ():
        click.echo(check.describe(), nl=False)
    if stored is not None:
        _finish_recount(False, {}, difference)


# --- recounting a closed vote from what it published ------------------------------------------


def _read_results(path: Path) -> dict[str, Any]:
    """The stored result document in ``path``, checked to be one."""
    from .results import SCHEMA

    try:
        doc = json.loads(decode(path.read_bytes()))
    except (FormatError, ValueError) as exc:
        raise TallyError(f"{path.name}: not a stored vote result ({exc})") from None
    except OSError as exc:
        raise TallyError(f"{path.name}: cannot be read ({exc.strerror})") from None
    if (
        not isinstance(doc, dict)
        or doc.get("schema") != SCHEMA
        or not isinstance(doc.get("count"), dict)
        or doc.get("method") not in METHODS
    ):
        raise TallyError(f"{path.name}: not a stored vote result (schema {SCHEMA})")
    return doc


def _refuse_rule_options() -> None:
    ctx = click.get_current_context()
    given = [
        param.opts[0]
        for param in ctx.command.params
        if param.name in RULE_OPTIONS
        and ctx.get_parameter_source(param.name)
        in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
    ]
    if given:
        raise TallyError(
            "--results counts by the stored result's rules and lot; leave out " + ", ".join(given)
        )


def _stored_options(stored: Mapping[str, Any]) -> list[str]:
    options = stored.get("options")
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise TallyError("the stored result does not list the vote's options")
    return options


def _stored_rules(stored: Mapping[str, Any]) -> Rules:
    """The counting rules a stored result was counted by, with its lot."""
    try:
        counted = stored["count"]
        rules = counted["rules"]
        lot = stored.get("lot") or rules.get("tie_order")
        return Rules(
            method=counted["method"],
            seats=stored["seats"],
            quota=rules["quota"] or CountQuota.DROOP,
            decimals=rules["decimals"],
            batch_elimination=rules["batch_elimination"],
            overvote=rules["overvote"],
            max_skipped=rules["max_skipped"],
            duplicates=rules["duplicates"],
            tie_order=tuple(lot) if lot else None,
            # Results stored before these rules existed were counted by their defaults.
            tie_break=rules.get("tie_break", "earlier_rounds"),
            continue_until_two=rules.get("continue_until_two", False),
            excluded=tuple(rules.get("excluded") or ()),
            write_in=rules.get("write_in"),
            fractional_threshold=rules.get("fractional_threshold", False),
            first_round_threshold=rules.get("first_round_threshold", False),
            one_winner_per_round=rules.get("one_winner_per_round", False),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise TallyError(f"the stored result does not say how it was counted ({exc})") from None


def _recount_unranked(file: Path, stored: Mapping[str, Any], as_json: bool) -> None:
    """Recount the CSV a majority or consensus vote published, by the stored result's rules,
    roll and participation, and compare with its count."""
    try:
        method, groups = parse_ballots_csv(decode(file.read_bytes()))
    except FormatError as exc:
        where = f", line {exc.line}" if exc.line else ""
        raise TallyError(f"{file.name}{where}: {exc.reason}") from None
    except OSError as exc:
        raise TallyError(f"{file.name}: cannot be read ({exc.strerror})") from None
    if method != stored["method"]:
        raise TallyError(
            f"{file.name} holds {method} ballots; the stored result is of a {stored['method']} vote"
        )
    counted = stored["count"]
    try:
        if method == VoteMethod.MAJORITY:
            result: Any = count_majority_ballots(
                (c for n, (choice,) in groups for c in repeat(choice, n)),
                roll=counted["roll"],
                participation=counted["participation"],
                rules=MajorityRules(
                    threshold=counted["threshold"],
                    abstentions_count=counted["abstentions_count"],
                    quorum=counted["quorum"],
                ),
            )
            lines = [
                f"Yes {result.yes}, no {result.no}, abstain {result.abstain}.",
                result.explanation,
            ]
        else:
            result = count_consensus(
                [ConsensusBallot(p, r) for n, (p, r) in groups for _ in range(n)],
                roll=counted["roll"],
                participation=counted["participation"],
                rules=ConsensusRules(
                    on_block=counted["on_block"],
                    fallback=counted["fallback"],
                    quorum=counted["quorum"],
                ),
            )
            lines = [
                f"Agree {result.agree}, agree with reservations {result.agree_with_reservations}"
                f", stand aside {result.stand_aside}, block {result.block}.",
                result.block_rule_effect,
            ]
    except (BallotError, RulesError) as exc:
        raise TallyError(str(exc)) from None
    except (KeyError, TypeError) as exc:
        raise TallyError(f"the stored result does not say how it was counted ({exc})") from None
    data = result.as_dict()
    difference = first_difference(counted, _plain(data))
    if as_json:
        _finish_recount(True, data, difference)
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo("\n".join(lines))
    _finish_recount(False, {}, difference)


def _finish_recount(as_json: bool, data: dict[str, Any], difference: str | None) -> None:
    """Say whether the recount matches (into ``data`` for JSON); exit 1 when it does not."""
    if as_json:
        data["recount"] = {"matches": difference is None, "difference": difference}
        if difference is not None:
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(MATCHES if difference is None else f"The recount differs: {difference}.")
    if difference is not None:
        click.get_current_context().exit(1)


def _plain(data: Any) -> Any:
    """``data`` as it reads back from JSON (tuples become lists, and so on)."""
    return json.loads(json.dumps(data, ensure_ascii=False))


def first_difference(stored: Any, recount: Any, path: str = "count") -> str | None:
    """The first place where a recount differs from the stored count, in the recount's own
    order (rounds before winners), or None when they are the same.

    A field the recount has and the stored result lacks is a field the report gained after
    that vote was counted (the votes of elected candidates per round, say): it is not a
    difference, since everything the stored result says is still compared."""
    if isinstance(stored, dict) and isinstance(recount, dict):
        for key in [*recount, *(k for k in stored if k not in recount)]:
            where = f"{path}.{key}"
            if key not in stored:
                continue
            if key not in recount:
                return f"{where} is in the stored result, not in the recount"
            found = first_difference(stored[key], recount[key], where)
            if found is not None:
                return found
        return None
    if isinstance(stored, list) and isinstance(recount, list):
        for i, (a, b) in enumerate(zip(stored, recount, strict=False)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found is not None:
                return found
        if len(stored) != len(recount):
            return f"{path} has {len(stored)} entries stored, {len(recount)} in the recount"
        return None
    if stored != recount or type(stored) is not type(recount):
        return (
            f"{path} is {json.dumps(stored, ensure_ascii=False)} in the stored result, "
            f"{json.dumps(recount, ensure_ascii=False)} in the recount"
        )
    return None


def main() -> None:
    """The ``deliberate-tally`` console script: the same command, without the application
    (no database, no configuration)."""
    tally_command.main(prog_name="deliberate-tally")
