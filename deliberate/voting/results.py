"""The stored result of a vote, computed once at close from its settings and ballots. Pure.

The result is a JSON document (schema "deliberate.vote-result/1", documented in the README):

- `schema`, `method`, `seats`, `options` (ranked votes), `lot` (the tie-break order);
- `participation`: {"roll": N, "voted": n, "share": "n/N", "quorum_percent": q,
  "quorum_met": bool};
- `count`: the counting engine's own record — the round-by-round report of IRV/STV, Schulze's
  pairwise matrix, strongest paths and ranking
  (`deliberate.voting.counting.Report.as_dict`), the majority or the consensus count;
- `outcome`: {"decided": bool, "adopted": bool | None, "winners": [labels], "summary": str};
- `by_tendency`: a list of {"tendency": name, "voters": n, "count": {...}} — for roll-call
  votes every tendency (and "no tendency"); for secret votes with a breakdown, the tendencies
  with at least `breakdown_min` voters, the others merged as "others" (paper ballots too),
  published only when "others" is empty or has at least `breakdown_min` voters as well;
  otherwise empty;
- `breakdown_min` and, when none is published, `by_tendency_withheld` (a sentence saying
  why): for secret votes that announced a breakdown;
- `roll_call`: for roll-call votes, [{"member_id", "tendency", "ballot"}], sorted by member.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeAlias

from deliberate.voting.counting import Rules, count
from deliberate.voting.counting.consensus import (
    ConsensusBallot,
    ConsensusOutcome,
    ConsensusRules,
    count_consensus,
)
from deliberate.voting.counting.majority import MajorityRules, count_majority
from deliberate.voting.counting.model import CountMethod, CountQuota
from deliberate.voting.rules import Settings
from deliberate.voting.vocabulary import (
    CONSENSUS_POSITIONS,
    MAJORITY_CHOICES,
    SINGLE_WINNER_METHODS,
    BlockRule,
    MajorityChoice,
    RankedThreshold,
    StvVariant,
    Threshold,
    VoteMethod,
)

# The result document described above, as computed, stored and handed to the hooks of a closed
# vote (its JSON shape is the published schema; its keys are read where they are shown).
Result: TypeAlias = dict[str, Any]

SCHEMA = "deliberate.vote-result/1"
NO_TENDENCY = "no tendency"
OTHERS = "others"
CONSENSUS_SUMMARIES: dict[str, str] = {
    ConsensusOutcome.CONSENSUS: "Consensus: adopted.",
    ConsensusOutcome.ADOPTED_BY_FALLBACK: "Blocked, then adopted by the fallback supermajority.",
    ConsensusOutcome.NOT_ADOPTED: "Not adopted: no consensus.",
    ConsensusOutcome.SECOND_ROUND_NEEDED: "Blocked: a second round is needed after further debate.",
    ConsensusOutcome.QUORUM_NOT_MET: "Quorum not met: the vote decides nothing.",
}


@dataclass(frozen=True)
class CountedBallot:
    """One ballot as counted: its content, and the tendency and member where the vote keeps
    them (roll-call ballots; secret ballots of a vote with a breakdown keep the tendency)."""

    content: Mapping[str, Any]
    tendency_id: int | None = None
    member_id: int | None = None
    weight: int = 1  # identical ballots counted together


def _tally(key: str, ballots: Sequence[CountedBallot]) -> Counter[str]:
    tally: Counter[str] = Counter()
    for ballot in ballots:
        tally[ballot.content[key]] += ballot.weight
    return tally


def _voters(ballots: Sequence[CountedBallot]) -> int:
    return sum(b.weight for b in ballots)


def engine_rules(settings: Settings) -> Rules:
    """The counting engine's rules for a ranked vote."""
    method = CountMethod(
        settings.method
        if settings.method in SINGLE_WINNER_METHODS
        else settings.stv_variant or StvVariant.WIGM
    )
    single = method in (CountMethod.MEEK, CountMethod.SCHULZE)
    return Rules(
        method=method,
        seats=1 if method == CountMethod.SCHULZE else settings.seats,
        quota=CountQuota.DROOP if single else settings.quota,
        tie_order=tuple(settings.lot) if settings.lot else None,
        tie_break=settings.tie_break,
        fractional_threshold=settings.ranked_threshold == RankedThreshold.FRACTIONAL,
        first_round_threshold=settings.ranked_threshold == RankedThreshold.FIRST_ROUND,
        one_winner_per_round=settings.one_winner_per_round,
    )


def quorum_met(settings: Settings, roll_size: int, voted: int) -> bool:
    """Quorum: at least `quorum_percent` of the roll took part (0 percent: always met)."""
    return Fraction(voted) >= Fraction(settings.quorum_percent, 100) * roll_size


def _count(
    settings: Settings, ballots: Sequence[CountedBallot], roll_size: int, participation: int
) -> dict[str, Any]:
    """The method's count of these ballots, as JSON-ready data."""
    if settings.method == VoteMethod.MAJORITY:
        tally = _tally("choice", ballots)
        return count_majority(
            tally[MajorityChoice.YES],
            tally[MajorityChoice.NO],
            tally[MajorityChoice.ABSTAIN],
            roll=roll_size,
            participation=participation,
            rules=MajorityRules(
                threshold=settings.threshold or Threshold.SIMPLE,
                abstentions_count=settings.abstentions_in_base,
                quorum=Fraction(settings.quorum_percent, 100),
            ),
        ).as_dict()
    if settings.method == VoteMethod.CONSENSUS:
        return count_consensus(
            [
                ConsensusBallot(b.content["position"], b.content.get("reason", ""))
                for b in ballots
                for _ in range(b.weight)
            ],
            roll=roll_size,
            participation=participation,
            rules=ConsensusRules(
                on_block=settings.block_rule or BlockRule.NO_DECISION,
                fallback=settings.fallback if settings.block_rule == BlockRule.FALLBACK else None,
                quorum=Fraction(settings.quorum_percent, 100),
            ),
        ).as_dict()
    report = count(
        list(settings.options),
        ((b.content["ranking"], b.weight) for b in ballots),
        engine_rules(settings),
    )
    return report.as_dict()


def _outcome(settings: Settings, counted: Mapping[str, Any], met: bool) -> dict[str, Any]:
    if not met:
        return {
            "decided": False,
            "adopted": None,
            "winners": [],
            "summary": "Quorum not met: the vote decides nothing.",
        }
    if settings.method == VoteMethod.MAJORITY:
        adopted = bool(counted["adopted"])
        yes, no, abstain = (counted["counts"][c] for c in MAJORITY_CHOICES)
        summary = f"Adopted by {yes} to {no}" if adopted else f"Rejected: {yes} for, {no} against"
        if abstain:
            summary += f", {abstain} abstaining"
        return {"decided": True, "adopted": adopted, "winners": [], "summary": summary + "."}
    if settings.method == VoteMethod.CONSENSUS:
        outcome = counted["outcome"]
        decided = outcome != ConsensusOutcome.SECOND_ROUND_NEEDED
        return {
            "decided": decided,
            "adopted": bool(counted["adopted"]) if decided else None,
            "winners": [],
            "summary": CONSENSUS_SUMMARIES[outcome],
        }
    winners = list(counted["winners"])
    if settings.method in SINGLE_WINNER_METHODS:
        summary = f"“{winners[0]}” wins." if winners else "No option was chosen."
    else:
        summary = "Elected: " + ", ".join(f"“{w}”" for w in winners) + "."
    return {"decided": True, "adopted": None, "winners": winners, "summary": summary}


def _breakdown_counts(settings: Settings, ballots: Sequence[CountedBallot]) -> dict[str, Any]:
    """A short count for a group of voters: choices, positions or first preferences."""
    if settings.method == VoteMethod.MAJORITY:
        tally = _tally("choice", ballots)
        return {c: tally[c] for c in MAJORITY_CHOICES}
    if settings.method == VoteMethod.CONSENSUS:
        tally = _tally("position", ballots)
        return {p: tally[p] for p in CONSENSUS_POSITIONS}
    firsts: Counter[str] = Counter()
    for ballot in ballots:
        if ballot.content["ranking"]:
            firsts[ballot.content["ranking"][0]] += ballot.weight
    return {"first_preferences": {o: firsts[o] for o in settings.options}}


def withheld_reason(breakdown_min: int) -> str:
    """Why a secret vote's announced breakdown is not published (one sentence)."""
    return (
        "No breakdown by tendency is published: it shows only groups of at least "
        f"{breakdown_min} voters, “others” included, and this vote's voters could not be "
        "grouped so without a smaller group, or one found by subtracting the others from "
        "the total."
    )


def published_tendencies(
    sizes: Mapping[int | None, int], tendencies: Mapping[int, str], *, breakdown_min: int
) -> frozenset[int] | None:
    """The tendencies a secret breakdown shows by name, given how many voted in each (None:
    no tendency, and paper ballots); None when no breakdown can be published.

    A breakdown is published only when every group it shows, "others" included, has at
    least `breakdown_min` voters, so that none is small and none is found by subtraction:
    the groups shown add up to the total. Otherwise nothing is.
    """
    named = {
        tendency_id: size
        for tendency_id, size in sizes.items()
        if tendency_id is not None and tendency_id in tendencies and size >= breakdown_min
    }
    others = sum(sizes.values()) - sum(named.values())
    if not named or 0 < others < breakdown_min:
        return None
    return frozenset(named)


def _by_tendency(
    settings: Settings,
    ballots: Sequence[CountedBallot],
    tendencies: Mapping[int, str],
    *,
    roll_call: bool,
    breakdown_min: int,
) -> tuple[list[dict[str, Any]], str | None]:
    """The breakdown by tendency, and why none is published when one was announced."""
    if not roll_call and not settings.breakdown_by_tendency:
        return [], None
    groups: dict[int | None, list[CountedBallot]] = {}
    for ballot in ballots:
        groups.setdefault(ballot.tendency_id, []).append(ballot)
    shown: list[tuple[str, list[CountedBallot]]] = []
    others: list[CountedBallot] = []
    if roll_call:
        for tendency_id, members in groups.items():
            name = tendencies.get(tendency_id, NO_TENDENCY) if tendency_id is not None else None
            shown.append((name or NO_TENDENCY, members))
    else:
        published = published_tendencies(
            {t: _voters(members) for t, members in groups.items()},
            tendencies,
            breakdown_min=breakdown_min,
        )
        if published is None:
            return [], withheld_reason(breakdown_min)
        for tendency_id, members in groups.items():
            if tendency_id in published:
                shown.append((tendencies[tendency_id], members))
            else:
                others.extend(members)
    shown.sort(key=lambda item: item[0].casefold())
    if others:
        shown.append((OTHERS, others))
    return [
        {"tendency": name, "voters": _voters(group), "count": _breakdown_counts(settings, group)}
        for name, group in shown
    ], None


def compute(
    settings: Settings,
    *,
    ballots: Sequence[CountedBallot],
    roll_size: int,
    participation: int,
    tendencies: Mapping[int, str],
    breakdown_min: int = 10,
    roll_call: bool = False,
) -> Result:
    """The result document of a closed vote (see the module's docstring)."""
    met = quorum_met(settings, roll_size, participation)
    counted = _count(settings, ballots, roll_size, participation)
    breakdown, withheld = _by_tendency(
        settings, ballots, tendencies, roll_call=roll_call, breakdown_min=breakdown_min
    )
    result: Result = {
        "schema": SCHEMA,
        "method": settings.method,
        "seats": settings.seats,
        "options": list(settings.options),
        "lot": list(settings.lot),
        "participation": {
            "roll": roll_size,
            "voted": participation,
            "ballots": _voters(ballots),
            "share": f"{participation}/{roll_size}",
            "quorum_percent": settings.quorum_percent,
            "quorum_met": met,
        },
        "count": counted,
        "outcome": _outcome(settings, counted, met),
        "by_tendency": breakdown,
    }
    if settings.breakdown_by_tendency and not roll_call:
        result["breakdown_min"] = breakdown_min
        if withheld is not None:
            result["by_tendency_withheld"] = withheld
    if roll_call:
        result["roll_call"] = sorted(
            (
                {
                    "member_id": b.member_id,
                    "tendency": tendencies.get(b.tendency_id, NO_TENDENCY)
                    if b.tendency_id is not None
                    else NO_TENDENCY,
                    "ballot": dict(b.content),
                }
                for b in ballots
                if b.member_id is not None
            ),
            key=lambda row: row["member_id"],
        )
    return result
