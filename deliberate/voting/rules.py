"""The rules of a vote, pure: which settings go together, and what a valid ballot is.

No Flask, no database. The services check settings with `check_settings` before a vote is
made and every ballot with `check_ballot` before it is stored; results are computed from the
same `Settings` by `deliberate.voting.results`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from deliberate.errors import ValidationError

METHODS = ("majority", "irv", "stv", "consensus", "schulze")
RANKED_METHODS = ("irv", "stv", "schulze")
THRESHOLDS = ("simple", "two_thirds", "absolute")
STV_VARIANTS = ("stv", "scottish", "meek")
QUOTAS = ("droop", "hare")
TIE_BREAKS = ("earlier_rounds", "lot")
BLOCK_RULES = ("no_decision", "second_round", "fallback")
MAJORITY_CHOICES = ("yes", "no", "abstain")
CONSENSUS_POSITIONS = ("agree", "agree_with_reservations", "stand_aside", "block")
MAX_OPTIONS = 60
#: The most ballots one paper file may hold, checked on its weights before anything is read
#: into ballots.
MAX_PAPER_BALLOTS = 200_000
#: The most members a meeting's vote may count, and so the largest count of any of its
#: answers: above the membership of any organization this serves, and far below what a
#: database integer holds.
MAX_PRESENT = 1_000_000
MAX_OPTION_LABEL = 200
MAX_REASON = 4000

METHOD_LABELS = {
    "majority": "Majority (yes / no / abstain)",
    "irv": "Ranked choice, one winner (instant runoff)",
    "stv": "Ranked choice, several seats (single transferable vote)",
    "consensus": "Consensus (agree / reservations / stand aside / block)",
    "schulze": "Ranked choice, one winner (Condorcet–Schulze: every pair compared)",
}
TIE_BREAK_LABELS = {
    "earlier_rounds": "earlier rounds, then the lot drawn at opening",
    "lot": "the lot drawn at opening alone",
}
THRESHOLD_LABELS = {
    "simple": "simple majority: more than half of yes and no",
    "two_thirds": "two-thirds: at least two-thirds of the votes cast",
    "absolute": "absolute majority: more than half of the roll",
}
BLOCK_RULE_LABELS = {
    "no_decision": "a block means no decision",
    "second_round": "a block sends the question to a second round after further debate",
    "fallback": "with a block, the question passes with a stated supermajority",
}
POSITION_LABELS = {
    "agree": "Agree",
    "agree_with_reservations": "Agree with reservations",
    "stand_aside": "Stand aside",
    "block": "Block",
}


@dataclass(frozen=True)
class Settings:
    """Everything that decides how a vote is cast and counted, fixed before it opens."""

    method: str
    options: tuple[str, ...] = ()
    seats: int = 1
    stv_variant: str | None = None
    quota: str = "droop"
    threshold: str | None = None
    abstentions_in_base: bool = False
    quorum_percent: int = 0
    block_rule: str | None = None
    fallback_percent: int | None = None
    secret: bool = True
    replaceable: bool = True
    breakdown_by_tendency: bool = False
    lot: tuple[str, ...] = field(default=())
    tie_break: str = "earlier_rounds"

    @property
    def is_ranked(self) -> bool:
        return self.method in RANKED_METHODS

    @property
    def choices(self) -> tuple[str, ...]:
        """What a ballot may name: the options, or the fixed choices of the method."""
        if self.method == "majority":
            return MAJORITY_CHOICES
        if self.method == "consensus":
            return CONSENSUS_POSITIONS
        return self.options


def check_settings(settings: Settings) -> Settings:
    """Refuse settings that do not go together, with a message saying why."""
    if settings.method not in METHODS:
        raise ValidationError(
            "Choose a voting method: majority, ranked choice, STV, Schulze or consensus."
        )
    if settings.tie_break not in TIE_BREAKS:
        raise ValidationError(
            "Choose how ties are settled: earlier rounds then the lot, or the lot."
        )
    if not 0 <= settings.quorum_percent <= 100:
        raise ValidationError("The quorum is a share of the roll between 0 and 100 percent.")
    if settings.method == "majority" and settings.threshold not in THRESHOLDS:
        raise ValidationError("A majority vote needs a threshold: simple, two-thirds or absolute.")
    if settings.threshold == "absolute" and settings.abstentions_in_base:
        raise ValidationError(
            "An absolute majority is counted against the whole roll; abstentions are already in it."
        )
    if settings.method == "consensus":
        if settings.block_rule not in BLOCK_RULES:
            raise ValidationError(
                "Say what a block does: no decision, a second round or a fallback."
            )
        if settings.block_rule == "fallback" and not (
            settings.fallback_percent is not None and 51 <= settings.fallback_percent <= 100
        ):
            raise ValidationError("A fallback needs a supermajority between 51 and 100 percent.")
    if settings.is_ranked:
        _check_options(settings.options)
        if settings.method in ("irv", "schulze") and settings.seats != 1:
            raise ValidationError("Instant runoff and Schulze fill one seat; use STV for several.")
        if settings.method == "stv":
            if settings.stv_variant not in STV_VARIANTS:
                raise ValidationError("Choose an STV variant: weighted Gregory, Scottish or Meek.")
            if settings.quota not in QUOTAS:
                raise ValidationError("Choose a quota: Droop or Hare.")
            if settings.stv_variant in ("scottish", "meek") and settings.quota != "droop":
                raise ValidationError(
                    "Scottish STV and Meek's method count with the Droop quota; choose Droop."
                )
            if not 1 <= settings.seats < len(settings.options):
                raise ValidationError(
                    "An election needs at least one seat and more candidates than seats."
                )
    elif settings.options:
        raise ValidationError("Only ranked votes have options of their own.")
    if settings.breakdown_by_tendency and not settings.secret:
        raise ValidationError(
            "A roll-call vote already shows every tendency; the breakdown is for secret ballots."
        )
    return settings


def _check_options(options: Sequence[str]) -> None:
    if len(options) < 2:
        raise ValidationError("A ranked vote needs at least two options.")
    if len(options) > MAX_OPTIONS:
        raise ValidationError(f"A vote has at most {MAX_OPTIONS} options.")
    seen: set[str] = set()
    for label in options:
        if not label.strip():
            raise ValidationError("An option cannot be empty.")
        if len(label) > MAX_OPTION_LABEL:
            raise ValidationError(f"An option has at most {MAX_OPTION_LABEL} characters.")
        if label.casefold() in seen:
            raise ValidationError(f"The option “{label}” is listed twice.")
        seen.add(label.casefold())


def check_ballot(settings: Settings, content: Mapping[str, Any]) -> dict[str, Any]:
    """The ballot as it will be stored, or ValidationError saying what is wrong with it.

    Majority: {"choice": "yes" | "no" | "abstain"}. Ranked: {"ranking": [labels…]}, a
    partial ranking of distinct options, at least one. Consensus: {"position": …, "reason":
    …}; a block needs a reason, the other positions may give one.
    """
    if settings.method == "majority":
        choice = content.get("choice")
        if choice not in MAJORITY_CHOICES:
            raise ValidationError("Choose yes, no or abstain.")
        return {"choice": choice}
    if settings.method == "consensus":
        position = content.get("position")
        if position not in CONSENSUS_POSITIONS:
            raise ValidationError("Choose agree, agree with reservations, stand aside or block.")
        reason = content.get("reason") or ""
        if not isinstance(reason, str):
            raise ValidationError("The reason must be text.")
        reason = reason.strip()
        if len(reason) > MAX_REASON:
            raise ValidationError(f"A reason has at most {MAX_REASON} characters.")
        if position == "block" and not reason:
            raise ValidationError("A block needs a reason: say what you cannot accept and why.")
        return {"position": position, "reason": reason}
    ranking = content.get("ranking")
    if not isinstance(ranking, list) or not ranking:
        raise ValidationError("Rank at least one option.")
    known = set(settings.options)
    seen: set[str] = set()
    for label in ranking:
        if label not in known:
            raise ValidationError("The ballot names an option that is not on this vote.")
        if label in seen:
            raise ValidationError(f"“{label}” is ranked twice; give each option one rank.")
        seen.add(label)
    return {"ranking": list(ranking)}


def ranking_from_ranks(options: Sequence[str], ranks: Mapping[str, str]) -> list[str]:
    """A ranking from rank numbers typed beside each option (the form without JavaScript).

    Blank means unranked; numbers must be whole, from 1, without repeats or gaps.
    """
    numbered: dict[int, str] = {}
    for label in options:
        raw = (ranks.get(label) or "").strip()
        if not raw:
            continue
        if not raw.isdigit() or not 1 <= int(raw) <= len(options):
            raise ValidationError(
                f"The rank of “{label}” must be a whole number from 1 to {len(options)}."
            )
        rank = int(raw)
        if rank in numbered:
            raise ValidationError(f"Rank {rank} is given twice (“{numbered[rank]}” and “{label}”).")
        numbered[rank] = label
    ordered = sorted(numbered)
    if ordered != list(range(1, len(ordered) + 1)):
        raise ValidationError("Ranks must run 1, 2, 3… without gaps.")
    return [numbered[r] for r in ordered]


def encode(content: Mapping[str, Any]) -> str:
    """The stored form of a ballot: canonical JSON, so equal ballots are equal strings."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
