"""Shares, quorum and turnout checks shared by the yes/no count and the consensus count.

A quorum is a share q of the roll (the members eligible when the vote opened). It is met when
the number who took part, P, satisfies P ≥ q × roll, compared exactly; since P is a whole
number this is P ≥ ceil(q × roll), the figure reported as ``quorum_required``. Everyone who
took part counts towards it: abstentions, stand-asides and blocks too.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from numbers import Rational

from .model import BallotError, RulesError

Share = Fraction | int | str | Decimal


def parse_share(value: Share, what: str) -> Fraction:
    """``value`` as an exact share from 0 to 1.

    Accepts a :class:`~fractions.Fraction`, a whole number (0 or 1), a :class:`Decimal` or a
    string such as ``"2/3"`` or ``"0.5"``. A float is refused: ``0.1`` is not exactly a tenth.
    Raises :class:`RulesError` naming ``what`` otherwise.
    """
    if isinstance(value, bool | float):
        raise RulesError(f"{what} must be an exact fraction such as '2/3', not {value!r}")
    try:
        if isinstance(value, Rational | Decimal):
            share = Fraction(value)
        elif isinstance(value, str):
            share = Fraction(value.strip())
        else:
            raise TypeError
    except (TypeError, ValueError, ZeroDivisionError):
        raise RulesError(f"{what} must be an exact fraction such as '2/3', not {value!r}") from None
    if not 0 <= share <= 1:
        raise RulesError(f"{what} must be between 0 and 1, not {share}")
    return share


def whole(value: object, what: str) -> int:
    """``value`` checked to be a whole number, at least 0 (else :class:`BallotError`)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise BallotError(f"{what} must be a whole number, not {value!r}")
    if value < 0:
        raise BallotError(f"{what} must not be negative ({value})")
    return value


def check_turnout(roll: object, participation: object, cast: int) -> tuple[int, int]:
    """The roll and the number who took part, checked against the ``cast`` ballots.

    ``participation`` ``None`` means exactly those who cast a ballot. Otherwise it may be
    larger (members who took part without a valid choice, such as a blank paper at a meeting)
    but never smaller than ``cast`` nor larger than the roll. Raises :class:`BallotError`.
    """
    roll = whole(roll, "the roll")
    participation = cast if participation is None else whole(participation, "participation")
    if participation < cast:
        raise BallotError(
            f"{cast} ballots were cast but only {participation} members are said to take part"
        )
    if participation > roll:
        raise BallotError(f"{participation} members took part but the roll has only {roll}")
    return roll, participation


def quorum_required(quorum: Fraction, roll: int) -> int:
    """The fewest members who must take part: ceil(quorum × roll)."""
    needed = quorum * roll
    return -(-needed.numerator // needed.denominator)


def mixed(value: Fraction) -> str:
    """A non-negative fraction for people, exactly: ``12``, ``12 1/2``, ``1/3``."""
    whole_part, rest = divmod(value.numerator, value.denominator)
    if not rest:
        return str(whole_part)
    tail = f"{rest}/{value.denominator}"
    return f"{whole_part} {tail}" if whole_part else tail
