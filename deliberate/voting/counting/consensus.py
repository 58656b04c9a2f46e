"""Counting a consensus vote: agree, agree with reservations, stand aside, block.

Consensus holds when the quorum is met (see :mod:`.quorum`), nobody blocks and at least one
member agrees (with or without reservations): a question everybody stood aside from has no
support and is not adopted. A block must give a reason; the other positions may.

What a block does is fixed before the vote opens (``ConsensusRules.on_block``):

``no_decision``
    the question is not adopted.
``second_round``
    the outcome is "second round needed": the question goes back to debate and a new vote.
``fallback``
    the question is adopted if support reaches the fallback share (e.g. 3/4) of those who
    took part less those who stood aside::

        (agree + agree_with_reservations) / (participation − stand_aside) ≥ fallback

    Blocks, and blank papers counted in ``participation``, are in the denominator: they
    weigh against. Reaching the share exactly is enough ("at least three quarters").

Reasons are listed per position in a fixed order (alphabetical, case-insensitive first), never
in the order ballots arrived: that order could link a secret ballot to the moment its voter
took part.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from ..vocabulary import (
    BLOCK_RULES,
    CONSENSUS_POSITIONS,
    BlockRule,
    ConsensusPosition,
    VoteMethod,
    spelled,
)
from .model import BallotError, RulesError
from .quorum import Share, check_turnout, parse_share, quorum_required

POSITIONS = CONSENSUS_POSITIONS


class ConsensusOutcome(StrEnum):
    CONSENSUS = "consensus"
    ADOPTED_BY_FALLBACK = "adopted_by_fallback"
    NOT_ADOPTED = "not_adopted"
    SECOND_ROUND_NEEDED = "second_round_needed"
    QUORUM_NOT_MET = "quorum_not_met"


OUTCOMES: tuple[ConsensusOutcome, ...] = tuple(ConsensusOutcome)

#: Version of the dictionary :meth:`ConsensusResult.as_dict` produces.
VERSION = 1


@dataclass(frozen=True)
class ConsensusBallot:
    """One member's position and optional reason.

    The reason is stripped of surrounding white space; an empty reason is none (``""``).
    Raises :class:`BallotError` for an unknown position, a reason that is not text, or a
    block without a reason.
    """

    position: str
    reason: str = ""

    def __post_init__(self) -> None:
        if self.position not in POSITIONS:
            raise BallotError(
                f"{self.position!r} is not a position (expected one of {spelled(POSITIONS)})"
            )
        reason = "" if self.reason is None else self.reason
        if not isinstance(reason, str):
            raise BallotError(f"a reason must be text, not {reason!r}")
        reason = reason.strip()
        if self.position == ConsensusPosition.BLOCK and not reason:
            raise BallotError("a block needs a reason")
        object.__setattr__(self, "reason", reason)


@dataclass(frozen=True)
class ConsensusRules:
    """How a consensus vote is decided, fixed before it opens.

    ``on_block``
        ``"no_decision"``, ``"second_round"`` or ``"fallback"``.
    ``fallback``
        With ``"fallback"`` only, and then required: the supermajority share, more than 1/2
        and at most 1, exact (``Fraction(3, 4)``, ``"3/4"``).
    ``quorum``
        Share of the roll that must take part, from 0 to 1, exact.
    """

    on_block: str = BlockRule.NO_DECISION
    fallback: Share | None = None
    quorum: Share = Fraction(0)

    def __post_init__(self) -> None:
        if self.on_block not in BLOCK_RULES:
            raise RulesError(
                f"unknown block rule {self.on_block!r} (expected one of {spelled(BLOCK_RULES)})"
            )
        if self.on_block == BlockRule.FALLBACK:
            if self.fallback is None:
                raise RulesError("the fallback block rule needs a fallback share, such as 3/4")
            share = parse_share(self.fallback, "the fallback share")
            if share <= Fraction(1, 2):
                raise RulesError(f"the fallback share must be more than 1/2, not {share}")
            object.__setattr__(self, "fallback", share)
        elif self.fallback is not None:
            raise RulesError("a fallback share applies only to the fallback block rule")
        object.__setattr__(self, "quorum", parse_share(self.quorum, "the quorum"))


@dataclass(frozen=True)
class ConsensusResult:
    """The outcome of a consensus vote and everything said in it.

    ``support`` = agree + agree_with_reservations. ``fallback_base`` = participation −
    stand_aside (the denominator of the fallback share, reported whatever the block rule).
    ``blank`` = participation − ballots. The ``*_reasons`` and ``reservations`` tuples hold
    the non-empty reasons of each position, sorted. ``block_rule_effect`` is one sentence
    saying what the block rule did.
    """

    on_block: str
    fallback: Fraction | None
    quorum: Fraction
    roll: int
    participation: int
    quorum_required: int
    quorum_met: bool
    agree: int
    agree_with_reservations: int
    stand_aside: int
    block: int
    blank: int
    support: int
    fallback_base: int
    outcome: str
    block_rule_effect: str
    agree_reasons: tuple[str, ...] = ()
    reservations: tuple[str, ...] = ()
    stand_aside_reasons: tuple[str, ...] = ()
    block_reasons: tuple[str, ...] = ()

    @property
    def adopted(self) -> bool:
        """Consensus, or adoption by the fallback supermajority."""
        return self.outcome in (ConsensusOutcome.CONSENSUS, ConsensusOutcome.ADOPTED_BY_FALLBACK)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of plain numbers, strings, booleans and lists.

        Shape (version 1)::

            {"kind": "consensus", "version": 1,
             "on_block": "no_decision" | "second_round" | "fallback",
             "fallback": "3/4" | null, "quorum": "1/2",
             "roll": 40, "participation": 24, "quorum_required": 20, "quorum_met": true,
             "counts": {"agree": 15, "agree_with_reservations": 4, "stand_aside": 3,
                        "block": 2},
             "blank": 0, "support": 19, "fallback_base": 21,
             "reasons": {"agree": [...], "agree_with_reservations": [...],
                         "stand_aside": [...], "block": [...]},
             "outcome": "consensus" | "adopted_by_fallback" | "not_adopted"
                        | "second_round_needed" | "quorum_not_met",
             "adopted": true, "block_rule_effect": "2 blocks: ..."}

        Fractions are strings as :class:`~fractions.Fraction` writes them (``"3/4"``).
        """
        return {
            "kind": VoteMethod.CONSENSUS,
            "version": VERSION,
            "on_block": self.on_block,
            "fallback": None if self.fallback is None else str(self.fallback),
            "quorum": str(self.quorum),
            "roll": self.roll,
            "participation": self.participation,
            "quorum_required": self.quorum_required,
            "quorum_met": self.quorum_met,
            "counts": {
                "agree": self.agree,
                "agree_with_reservations": self.agree_with_reservations,
                "stand_aside": self.stand_aside,
                "block": self.block,
            },
            "blank": self.blank,
            "support": self.support,
            "fallback_base": self.fallback_base,
            "reasons": {
                "agree": list(self.agree_reasons),
                "agree_with_reservations": list(self.reservations),
                "stand_aside": list(self.stand_aside_reasons),
                "block": list(self.block_reasons),
            },
            "outcome": self.outcome,
            "adopted": self.adopted,
            "block_rule_effect": self.block_rule_effect,
        }

    def to_json(self, **kwargs: Any) -> str:
        """The result as a JSON string (``kwargs`` go to :func:`json.dumps`)."""
        return json.dumps(self.as_dict(), ensure_ascii=False, **kwargs)


def _sorted(reasons: list[str]) -> tuple[str, ...]:
    return tuple(sorted(reasons, key=lambda text: (text.casefold(), text)))


def _blocks(n: int) -> str:
    return "1 block" if n == 1 else f"{n} blocks"


def count_consensus(
    ballots: Iterable[ConsensusBallot],
    *,
    roll: int,
    participation: int | None = None,
    rules: ConsensusRules | None = None,
) -> ConsensusResult:
    """Decide a consensus vote from its ballots.

    ``roll`` is the number of eligible members; ``participation`` the number who took part
    (default: the number of ballots; it may be more, never less, and never more than the
    roll). Raises :class:`BallotError` for anything in ``ballots`` that is not a
    :class:`ConsensusBallot` and for counts that do not add up.
    """
    rules = rules or ConsensusRules()
    counts: dict[str, int] = dict.fromkeys(POSITIONS, 0)
    reasons: dict[str, list[str]] = {position: [] for position in POSITIONS}
    for ballot in ballots:
        if not isinstance(ballot, ConsensusBallot):
            raise BallotError(f"{ballot!r} is not a consensus ballot")
        counts[ballot.position] += 1
        if ballot.reason:
            reasons[ballot.position].append(ballot.reason)
    cast = sum(counts.values())
    roll, participation = check_turnout(roll, participation, cast)
    quorum = Fraction(rules.quorum)
    needed_turnout = quorum_required(quorum, roll)
    quorum_met = participation >= needed_turnout
    blocks = counts[ConsensusPosition.BLOCK]
    support = counts[ConsensusPosition.AGREE] + counts[ConsensusPosition.RESERVATIONS]
    fallback_base = participation - counts[ConsensusPosition.STAND_ASIDE]
    fallback = None if rules.fallback is None else Fraction(rules.fallback)

    if not quorum_met:
        outcome = ConsensusOutcome.QUORUM_NOT_MET
        effect = (
            f"Quorum not met ({participation} of {roll} took part, {needed_turnout} needed): "
            "nothing is decided and the block rule does not apply."
        )
    elif not blocks and support:
        outcome = ConsensusOutcome.CONSENSUS
        effect = "No block: consensus holds and the block rule does not apply."
    elif not blocks:
        outcome = ConsensusOutcome.NOT_ADOPTED
        effect = "No block, but nobody agreed: not adopted; the block rule does not apply."
    elif rules.on_block == BlockRule.NO_DECISION:
        outcome = ConsensusOutcome.NOT_ADOPTED
        effect = f"{_blocks(blocks)}: no decision, as the vote's rule on a block says."
    elif rules.on_block == BlockRule.SECOND_ROUND:
        outcome = ConsensusOutcome.SECOND_ROUND_NEEDED
        effect = (
            f"{_blocks(blocks)}: a second round is needed after further debate, as the "
            "vote's rule on a block says."
        )
    else:
        if fallback is None:  # pragma: no cover - ConsensusRules requires it for this rule
            raise RulesError("the fallback block rule needs a fallback share")
        # fallback_base >= blocks > 0, so the share is defined.
        reached = support * fallback.denominator >= fallback.numerator * fallback_base
        outcome = ConsensusOutcome.ADOPTED_BY_FALLBACK if reached else ConsensusOutcome.NOT_ADOPTED
        effect = (
            f"{_blocks(blocks)}: the fallback applies; {support} of {fallback_base} "
            "(agree and agree with reservations, of those who took part less those who stood "
            f"aside) is {'at least' if reached else 'less than'} {fallback}: "
            f"{'adopted' if reached else 'not adopted'}."
        )
    return ConsensusResult(
        on_block=rules.on_block,
        fallback=fallback,
        quorum=quorum,
        roll=roll,
        participation=participation,
        quorum_required=needed_turnout,
        quorum_met=quorum_met,
        agree=counts[ConsensusPosition.AGREE],
        agree_with_reservations=counts[ConsensusPosition.RESERVATIONS],
        stand_aside=counts[ConsensusPosition.STAND_ASIDE],
        block=blocks,
        blank=participation - cast,
        support=support,
        fallback_base=fallback_base,
        outcome=outcome,
        block_rule_effect=effect,
        agree_reasons=_sorted(reasons[ConsensusPosition.AGREE]),
        reservations=_sorted(reasons[ConsensusPosition.RESERVATIONS]),
        stand_aside_reasons=_sorted(reasons[ConsensusPosition.STAND_ASIDE]),
        block_reasons=_sorted(reasons[ConsensusPosition.BLOCK]),
    )
