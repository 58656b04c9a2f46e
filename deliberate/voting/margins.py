"""By how much a closed vote was decided, in one sentence read from its stored result. Pure.

The results page puts the outcome first: who or what won, then this sentence, then whether
quorum was met; the rounds and tables follow. Every figure comes from the stored result
document (see `deliberate.voting.results`); nothing is counted again here.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from deliberate.voting.counting.report import fmt
from deliberate.voting.vocabulary import VoteMethod


def _figure(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return fmt(Fraction(str(value)), 2)
    return str(value)


def _votes(value: object) -> str:
    return f"{_figure(value)} vote" + ("" if value == 1 else "s")


def _ranked(count: Mapping[str, Any], single: bool) -> str | None:
    rounds = count.get("rounds") or []
    winners = list(count.get("winners") or [])
    if not rounds or not winners:
        return None
    if single:
        last = rounds[-1]
        tally = last.get("tally") or {}
        winner = winners[0]
        others = sorted(
            ((name, value) for name, value in tally.items() if name != winner),
            key=lambda item: -item[1],
        )
        said = f"In the last round (round {last.get('round', len(rounds))}), “{winner}” had "
        said += _votes(tally.get(winner, 0))
        if others:
            said += f" to {_figure(others[0][1])} for “{others[0][0]}”"
        said += f"; {_figure(last.get('threshold', 0))} were needed."
        return said
    reached = []
    for rnd in rounds:
        values = rnd.get("votes") or rnd.get("tally") or {}
        for name in rnd.get("elected") or []:
            if name in values:
                reached.append(f"“{name}” in round {rnd.get('round')} with {_figure(values[name])}")
            else:
                reached.append(f"“{name}” in round {rnd.get('round')}")
    quota = count.get("quota")
    head = f"The quota was {_figure(quota)}. " if quota is not None else ""
    return head + "Elected: " + "; ".join(reached) + "."


def _schulze(count: Mapping[str, Any]) -> str | None:
    ranking = list(count.get("ranking") or [])
    pairwise = count.get("pairwise") or {}
    if len(ranking) < 2 or not count.get("winners"):
        return None
    first, second = ranking[0], ranking[1]
    try:
        ahead, behind = pairwise[first][second], pairwise[second][first]
    except (KeyError, TypeError):
        return None
    return (
        f"Against the runner-up “{second}”, {_figure(ahead)} voters preferred “{first}” and "
        f"{_figure(behind)} preferred “{second}”."
    )


def margin(result: Mapping[str, Any] | None) -> str | None:
    """One sentence saying by how much the vote was decided, or None when there is nothing
    more to say than the outcome (quorum not met, no winner)."""
    if not result or not (result.get("outcome") or {}).get("decided"):
        return None
    count = result.get("count") or {}
    method = result.get("method")
    if method == VoteMethod.MAJORITY:
        counts = count.get("counts") or {}
        required = count.get("required")
        if required is None:
            return None
        return f"{_votes(counts.get('yes', 0))} for; {required} were needed."
    if method == VoteMethod.CONSENSUS:
        counts = count.get("counts") or {}
        return (
            f"{counts.get('agree', 0)} agreed, {counts.get('agree_with_reservations', 0)} with "
            f"reservations, {counts.get('stand_aside', 0)} stood aside, "
            f"{counts.get('block', 0)} blocked."
        )
    if method == VoteMethod.SCHULZE:
        return _schulze(count)
    if method in (VoteMethod.IRV, VoteMethod.STV):
        return _ranked(count, single=method == VoteMethod.IRV)
    return None
