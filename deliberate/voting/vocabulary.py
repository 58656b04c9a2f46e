"""The words of a vote, each defined once: its methods and states, the settings of its count,
and what its ballots may say. Pure (the standard library's `enum` only), so the counting engine,
the rules, the models, the forms and the pages all read them from here.

Each is a `StrEnum`: a member *is* its stored string (`VoteMethod.MAJORITY == "majority"`), so
columns, CHECK constraints, ballots and result documents keep the words they always had. The
tuples below are the same vocabularies in their order, for membership tests on values that
may not be strings at all (a ballot posted by hand), which an enum class does not answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class VoteMethod(StrEnum):
    MAJORITY = "majority"
    IRV = "irv"
    STV = "stv"
    CONSENSUS = "consensus"
    SCHULZE = "schulze"


class VoteState(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Threshold(StrEnum):
    """What a majority vote needs: more than half of yes and no, two-thirds of the votes
    cast, or more than half of the roll."""

    SIMPLE = "simple"
    TWO_THIRDS = "two_thirds"
    ABSOLUTE = "absolute"


class StvVariant(StrEnum):
    """How an STV election is counted; each value is also the counting engine's method."""

    WIGM = "stv"
    SCOTTISH = "scottish"
    MEEK = "meek"


class Quota(StrEnum):
    DROOP = "droop"
    HARE = "hare"


class RankedThreshold(StrEnum):
    """The threshold of a ranked count: "standard" (IRV: a majority of the votes still
    counting in each round; STV: the quota as chosen), "fractional" (STV, weighted inclusive
    Gregory, Droop: votes ÷ (seats + 1) to 4 decimal places, plus 0.0001) or "first_round"
    (IRV: a majority of the first round's votes, kept through the count). RCTab's threshold
    options."""

    STANDARD = "standard"
    FRACTIONAL = "fractional"
    FIRST_ROUND = "first_round"


class TieBreak(StrEnum):
    """How the count settles a tie: earlier rounds first, then the lot; or the lot alone."""

    EARLIER_ROUNDS = "earlier_rounds"
    LOT = "lot"


class BlockRule(StrEnum):
    """What a block does to a consensus vote."""

    NO_DECISION = "no_decision"
    SECOND_ROUND = "second_round"
    FALLBACK = "fallback"


class ConsensusPosition(StrEnum):
    AGREE = "agree"
    RESERVATIONS = "agree_with_reservations"
    STAND_ASIDE = "stand_aside"
    BLOCK = "block"


class MajorityChoice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


class NominationState(StrEnum):
    """Where a candidacy stands: awaiting the nominee's answer (a nomination by another),
    accepted (standing), declined by the nominee, or withdrawn by the nominee before the
    election opened."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class BallotSource(StrEnum):
    ONLINE = "online"
    PAPER = "paper"


METHODS: tuple[VoteMethod, ...] = tuple(VoteMethod)
RANKED_METHODS: tuple[VoteMethod, ...] = (VoteMethod.IRV, VoteMethod.STV, VoteMethod.SCHULZE)
#: The ranked methods that fill one seat.
SINGLE_WINNER_METHODS: tuple[VoteMethod, ...] = (VoteMethod.IRV, VoteMethod.SCHULZE)
#: The methods whose ballots are fixed choices (yes/no/abstain, the consensus positions).
CHOICE_METHODS: tuple[VoteMethod, ...] = (VoteMethod.MAJORITY, VoteMethod.CONSENSUS)
THRESHOLDS: tuple[Threshold, ...] = tuple(Threshold)
STV_VARIANTS: tuple[StvVariant, ...] = tuple(StvVariant)
QUOTAS: tuple[Quota, ...] = tuple(Quota)
RANKED_THRESHOLDS: tuple[RankedThreshold, ...] = tuple(RankedThreshold)
TIE_BREAKS: tuple[TieBreak, ...] = tuple(TieBreak)
BLOCK_RULES: tuple[BlockRule, ...] = tuple(BlockRule)
CONSENSUS_POSITIONS: tuple[ConsensusPosition, ...] = tuple(ConsensusPosition)
MAJORITY_CHOICES: tuple[MajorityChoice, ...] = tuple(MajorityChoice)


def spelled(words: Iterable[StrEnum]) -> tuple[str, ...]:
    """The words as plain strings, as a message quotes them: ('simple', 'two_thirds', …)."""
    return tuple(str(word) for word in words)
