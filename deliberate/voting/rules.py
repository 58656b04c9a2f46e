"""The rules of a vote, pure: which settings go together, and what a valid ballot is.

No Flask, no database. The services check settings with `check_settings` before a vote is
made and every ballot with `check_ballot` before it is stored; results are computed from the
same `Settings` by `deliberate.voting.results`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from deliberate.cleaning import has_control_characters
from deliberate.errors import ValidationError
from deliberate.voting.vocabulary import (
    BLOCK_RULES,
    CONSENSUS_POSITIONS,
    MAJORITY_CHOICES,
    METHODS,
    QUOTAS,
    RANKED_METHODS,
    RANKED_THRESHOLDS,
    SINGLE_WINNER_METHODS,
    STV_VARIANTS,
    THRESHOLDS,
    TIE_BREAKS,
    BlockRule,
    ConsensusPosition,
    Quota,
    RankedThreshold,
    StvVariant,
    Threshold,
    TieBreak,
    VoteMethod,
)

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
MAX_SHARE_DENOMINATOR = 10_000
MAX_SHARE_TEXT = 40
MAX_RANK_DIGITS = 6  # a rank is at most the number of options; more digits is not a rank

METHOD_LABELS: dict[str, str] = {
    VoteMethod.MAJORITY: "Majority (yes / no / abstain)",
    VoteMethod.IRV: "Ranked choice, one winner (instant runoff)",
    VoteMethod.STV: "Ranked choice, several seats (single transferable vote)",
    VoteMethod.CONSENSUS: "Consensus (agree / reservations / stand aside / block)",
    VoteMethod.SCHULZE: "Ranked choice, one winner (Condorcet–Schulze: every pair compared)",
}
TIE_BREAK_LABELS: dict[str, str] = {
    TieBreak.EARLIER_ROUNDS: "earlier rounds, then the lot drawn at opening",
    TieBreak.LOT: "the lot drawn at opening alone",
}
IRV_THRESHOLD_LABELS: dict[str, str] = {
    RankedThreshold.STANDARD: "more than half of the votes still counting, in each round",
    RankedThreshold.FIRST_ROUND: (
        "more than half of the first round's votes, kept through the count"
    ),
}
THRESHOLD_LABELS: dict[str, str] = {
    Threshold.SIMPLE: "simple majority: more than half of yes and no",
    Threshold.TWO_THIRDS: "two-thirds: at least two-thirds of the votes cast",
    Threshold.ABSOLUTE: "absolute majority: more than half of the roll",
}
BLOCK_RULE_LABELS: dict[str, str] = {
    BlockRule.NO_DECISION: "a block means no decision",
    BlockRule.SECOND_ROUND: "a block sends the question to a second round after further debate",
    BlockRule.FALLBACK: "with a block, the question passes with a stated supermajority",
}
_NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
# Denominators said as words: (singular, plural), "fourth" read as a quarter.
_PART_WORDS = {
    2: ("half", "halves"),
    3: ("third", "thirds"),
    4: ("quarter", "quarters"),
    5: ("fifth", "fifths"),
    6: ("sixth", "sixths"),
    7: ("seventh", "sevenths"),
    8: ("eighth", "eighths"),
    9: ("ninth", "ninths"),
    10: ("tenth", "tenths"),
}
_PART_READ = {
    word: denominator
    for denominator, words in _PART_WORDS.items()
    for word in (*words, *(("fourth", "fourths") if denominator == 4 else ()))
}
_SHARE_EXAMPLES = "such as two-thirds, three-quarters, 3/5 or 60 %"
POSITION_LABELS: dict[str, str] = {
    ConsensusPosition.AGREE: "Agree",
    ConsensusPosition.RESERVATIONS: "Agree with reservations",
    ConsensusPosition.STAND_ASIDE: "Stand aside",
    ConsensusPosition.BLOCK: "Block",
}


@dataclass(frozen=True)
class Settings:
    """Everything that decides how a vote is cast and counted, fixed before it opens."""

    method: str
    options: tuple[str, ...] = ()
    seats: int = 1
    stv_variant: str | None = None
    quota: str = Quota.DROOP
    threshold: str | None = None
    abstentions_in_base: bool = False
    quorum_percent: int = 0
    block_rule: str | None = None
    fallback: Fraction | None = None
    secret: bool = True
    replaceable: bool = True
    breakdown_by_tendency: bool = False
    receipts_show_content: bool = False
    lot: tuple[str, ...] = field(default=())
    tie_break: str = TieBreak.EARLIER_ROUNDS
    ranked_threshold: str = RankedThreshold.STANDARD
    one_winner_per_round: bool = False
    # Who votes: the roll is taken from this body's current members (None: every active
    # member). Fixed before the vote opens, like the rest, and kept by a second round.
    body_id: int | None = None
    # Each voter sees the options in an order of her own (ranked votes), so that no option
    # gains from being listed first; what is stored and counted does not change.
    shuffled: bool = False

    @property
    def is_ranked(self) -> bool:
        return self.method in RANKED_METHODS

    @property
    def choices(self) -> tuple[str, ...]:
        """What a ballot may name: the options, or the fixed choices of the method."""
        if self.method == VoteMethod.MAJORITY:
            return MAJORITY_CHOICES
        if self.method == VoteMethod.CONSENSUS:
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
    if settings.method == VoteMethod.MAJORITY and settings.threshold not in THRESHOLDS:
        raise ValidationError("A majority vote needs a threshold: simple, two-thirds or absolute.")
    if settings.threshold == Threshold.ABSOLUTE and settings.abstentions_in_base:
        raise ValidationError(
            "An absolute majority is counted against the whole roll; abstentions are already in it."
        )
    if settings.method == VoteMethod.CONSENSUS:
        if settings.block_rule not in BLOCK_RULES:
            raise ValidationError(
                "Say what a block does: no decision, a second round or a fallback."
            )
        if settings.block_rule == BlockRule.FALLBACK:
            if settings.fallback is None:
                raise ValidationError(f"A fallback needs a supermajority, {_SHARE_EXAMPLES}.")
            check_fallback(settings.fallback)
    if settings.is_ranked:
        _check_options(settings.options)
        if settings.method in SINGLE_WINNER_METHODS and settings.seats != 1:
            raise ValidationError("Instant runoff and Schulze fill one seat; use STV for several.")
        if settings.method == VoteMethod.STV:
            if settings.stv_variant not in STV_VARIANTS:
                raise ValidationError("Choose an STV variant: weighted Gregory, Scottish or Meek.")
            if settings.quota not in QUOTAS:
                raise ValidationError("Choose a quota: Droop or Hare.")
            if settings.stv_variant != StvVariant.WIGM and settings.quota != Quota.DROOP:
                raise ValidationError(
                    "Scottish STV and Meek's method count with the Droop quota; choose Droop."
                )
            if not 1 <= settings.seats < len(settings.options):
                raise ValidationError(
                    "An election needs at least one seat and more candidates than seats."
                )
    elif settings.options:
        raise ValidationError("Only ranked votes have options of their own.")
    elif settings.shuffled:
        raise ValidationError(
            "Only a ranked vote lists options of its own to put in a random order."
        )
    _check_count_options(settings)
    if settings.breakdown_by_tendency and not settings.secret:
        raise ValidationError(
            "A roll-call vote already shows every tendency; the breakdown is for secret ballots."
        )
    if settings.receipts_show_content and not settings.secret:
        raise ValidationError(
            "A roll-call vote shows every ballot with its voter; receipts are for secret ballots."
        )
    return settings


def _check_count_options(settings: Settings) -> None:
    """The threshold options of a ranked count go with the method that has them."""
    threshold = settings.ranked_threshold
    if threshold not in RANKED_THRESHOLDS:
        raise ValidationError(
            "Choose the threshold of the count: the standard one, a fractional quota (STV) or "
            "one fixed by the first round (instant runoff)."
        )
    wigm = settings.method == VoteMethod.STV and settings.stv_variant == StvVariant.WIGM
    if threshold == RankedThreshold.FIRST_ROUND and settings.method != VoteMethod.IRV:
        raise ValidationError("A threshold fixed by the first round is for instant runoff votes.")
    if threshold == RankedThreshold.FRACTIONAL:
        if settings.method != VoteMethod.STV:
            raise ValidationError("The fractional quota is for STV elections.")
        if not wigm:
            raise ValidationError(
                "The fractional quota is counted by weighted inclusive Gregory; choose that "
                "variant, or the whole-vote quota."
            )
        if settings.quota != Quota.DROOP:
            raise ValidationError("The fractional quota is a Droop quota; choose Droop.")
    if settings.one_winner_per_round:
        if settings.method != VoteMethod.STV:
            raise ValidationError("One winner per round is for STV elections.")
        if not wigm:
            raise ValidationError(
                "One winner per round is counted by weighted inclusive Gregory; choose that "
                "variant, or elect everyone who reaches the quota."
            )


def check_fallback(share: Fraction) -> Fraction:
    """A fallback supermajority: more than half, at most all, with a denominator small enough
    to store (at most 10,000). ValidationError otherwise."""
    if share <= Fraction(1, 2):
        raise ValidationError(
            f"A fallback supermajority must be more than half, {_SHARE_EXAMPLES}."
        )
    if share > 1:
        raise ValidationError("A fallback supermajority is at most all of those counted.")
    if share.denominator > MAX_SHARE_DENOMINATOR:
        raise ValidationError(
            f"Write the fallback with a denominator of at most {MAX_SHARE_DENOMINATOR:,}, "
            f"{_SHARE_EXAMPLES}."
        )
    return share


def _read_share(text: str) -> Fraction | None:
    """A share written as words, a fraction or a percentage, exactly; None if unreadable."""
    words = " ".join(text.casefold().replace("-", " ").split())
    if words in ("all", "unanimity", "everyone"):
        return Fraction(1)
    spoken = re.fullmatch(r"([a-z]+) ([a-z]+)", words)
    if spoken and spoken[1] in _NUMBER_WORDS and spoken[2] in _PART_READ:
        return Fraction(_NUMBER_WORDS.index(spoken[1]) + 1, _PART_READ[spoken[2]])
    fraction = re.fullmatch(r"(\d{1,6}) ?/ ?(\d{1,6})", words)
    if fraction:
        numerator, denominator = int(fraction[1]), int(fraction[2])
        return Fraction(numerator, denominator) if denominator else None
    percent = re.fullmatch(r"(\d{1,3}(?:\.\d{1,4})?) ?(?:%|percent|per cent)", words)
    if percent:
        try:
            return Fraction(Decimal(percent[1])) / 100
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            return None
    return None


def parse_fallback(text: str | None) -> Fraction:
    """The fallback supermajority a convener wrote: words ("two-thirds", "three quarters",
    "all"), a fraction ("3/5") or a percentage ("60 %", "62.5 percent"), read exactly (a
    bare decimal such as 0.7 is refused: percent or fraction say which is meant). Raises
    ValidationError with a message for the form otherwise."""
    written = (text or "").strip()
    if not written:
        raise ValidationError(f"Write the fallback supermajority, {_SHARE_EXAMPLES}.")
    share = _read_share(written) if len(written) <= MAX_SHARE_TEXT else None
    if share is None:
        raise ValidationError(
            f"Write the fallback supermajority as words, a fraction or a percentage, "
            f"{_SHARE_EXAMPLES}."
        )
    return check_fallback(share)


def share_words(share: Fraction) -> str:
    """A share as people say it: "two-thirds", "three-quarters", "67 %", or "7/13"."""
    if share == 1:
        return "all"
    numerator, denominator = share.numerator, share.denominator
    if denominator in _PART_WORDS and numerator <= len(_NUMBER_WORDS):
        singular, plural = _PART_WORDS[denominator]
        return f"{_NUMBER_WORDS[numerator - 1]}-{singular if numerator == 1 else plural}"
    percent = share * 100
    if (percent * 100).denominator == 1:  # at most two decimal places
        whole, rest = divmod(percent.numerator * 100 // percent.denominator, 100)
        return f"{whole} %" if not rest else f"{whole}.{rest:02d}".rstrip("0") + " %"
    return f"{numerator}/{denominator}"


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
    if settings.method == VoteMethod.MAJORITY:
        choice = content.get("choice")
        if choice not in MAJORITY_CHOICES:
            raise ValidationError("Choose yes, no or abstain.", field="choice")
        return {"choice": choice}
    if settings.method == VoteMethod.CONSENSUS:
        position = content.get("position")
        if position not in CONSENSUS_POSITIONS:
            raise ValidationError(
                "Choose agree, agree with reservations, stand aside or block.", field="position"
            )
        reason = content.get("reason") or ""
        if not isinstance(reason, str):
            raise ValidationError("The reason must be text.", field="reason")
        if has_control_characters(reason):
            raise ValidationError(
                "Control characters are not allowed in the reason (invisible codes such as NUL "
                "or ESC); remove them and try again.",
                field="reason",
            )
        reason = reason.strip()
        if len(reason) > MAX_REASON:
            raise ValidationError(f"A reason has at most {MAX_REASON} characters.", field="reason")
        if position == ConsensusPosition.BLOCK and not reason:
            raise ValidationError(
                "A block needs a reason: say what you cannot accept and why.", field="reason"
            )
        return {"position": position, "reason": reason}
    ranking = content.get("ranking")
    if not isinstance(ranking, list) or not ranking:
        raise ValidationError("Rank at least one option.", field="ranking")
    known = set(settings.options)
    seen: set[str] = set()
    for label in ranking:
        if label not in known:
            raise ValidationError(
                "The ballot names an option that is not on this vote.", field="ranking"
            )
        if label in seen:
            raise ValidationError(
                f"“{label}” is ranked twice; give each option one rank.", field="ranking"
            )
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
        # `isdigit` also takes "²" and "①", which `int` refuses; and `int` refuses (or takes
        # long to read) thousands of digits. A rank is a few ASCII digits.
        if (
            not (raw.isascii() and raw.isdigit())
            or len(raw) > MAX_RANK_DIGITS
            or not 1 <= int(raw) <= len(options)
        ):
            raise ValidationError(
                f"The rank of “{label}” must be a whole number from 1 to {len(options)}.",
                field="ranking",
            )
        rank = int(raw)
        if rank in numbered:
            raise ValidationError(
                f"Rank {rank} is given twice (“{numbered[rank]}” and “{label}”).", field="ranking"
            )
        numbered[rank] = label
    ordered = sorted(numbered)
    if ordered != list(range(1, len(ordered) + 1)):
        raise ValidationError("Ranks must run 1, 2, 3… without gaps.", field="ranking")
    return [numbered[r] for r in ordered]


def encode(content: Mapping[str, Any]) -> str:
    """The stored form of a ballot: canonical JSON, so equal ballots are equal strings."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
