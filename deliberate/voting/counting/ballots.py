"""Ballot normalisation and grouping.

A raw ballot is a sequence of rank positions. Each position holds no name (a skipped rank),
one name, or several names (an overvote). A position may be given as a plain string (one
name; the empty string is a skipped rank) or as a sequence of names.

The ballot rules are applied once, before counting, and turn each raw ballot into a clean
preference tuple of candidate indices (the ballot exhausts after its last entry):

0. Candidates excluded from the count (``Rules.excluded``) are removed from every position,
   as if never ranked; a position naming only excluded candidates is passed over (it is not
   an empty rank).
1. A position naming two or more different candidates is an overvote. ``overvote="exhaust"``
   ends the ballot there; ``overvote="skip"`` passes over the position, whichever of its
   candidates are still in the count. A skipped overvote is not an empty rank.
   ``overvote="exhaust_if_multiple"`` keeps the position as an *overvote token*
   (:func:`overvote_token`), decided when the count reaches it: the ballot exhausts if two
   or more of its candidates are continuing, goes to the one that is, or passes on.
2. A position naming a candidate already ranked earlier on the ballot is a repeat.
   ``duplicates="skip"`` passes over it (it is not an empty rank either);
   ``duplicates="exhaust"`` ends the ballot there.
3. An empty position is a skipped rank. When more than ``max_skipped`` consecutive ranks
   are empty and a later position names a candidate, the ballot ends at the empty run.

Identical clean ballots are then grouped with their total count, in order of first
appearance, so that counting work depends on the number of distinct ballots only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import cast

from .model import BallotError, DuplicateRule, OvervoteRule, Rules

Position = str | Sequence[str]
RawBallot = Sequence[Position]


def _position_names(position: Position) -> tuple[str, ...]:
    if isinstance(position, str):
        return (position,) if position else ()
    names: list[str] = []
    for name in position:
        if not isinstance(name, str):
            raise BallotError(f"a rank position holds {name!r}, not a candidate name")
        if name and name not in names:
            names.append(name)
    return tuple(names)


def overvote_token(members: Iterable[int], n: int) -> int:
    """The preference entry standing for an overvote of ``members`` (candidate indices) among
    ``n`` candidates: ``n`` plus the bit mask of the members, so never a candidate index."""
    mask = 0
    for c in members:
        mask |= 1 << c
    return n + mask


def overvote_members(token: int, n: int) -> list[int]:
    """The candidate indices an overvote token (see :func:`overvote_token`) stands for."""
    mask = token - n
    return [c for c in range(n) if mask >> c & 1]


def _simple(ballot: RawBallot, index: Mapping[str, int]) -> tuple[int, ...] | None:
    """The clean preferences of a ballot that needs no rule (one known name at every
    position, none repeated), or None: the common case, taken quickly."""
    try:
        # Every position a plain name (a position that is not fails the lookup).
        prefs = tuple(map(index.__getitem__, ballot))  # type: ignore[arg-type]
    except (KeyError, TypeError):
        try:  # every position a sequence of one name
            prefs = tuple([index[p[0]] if len(p) == 1 else -1 for p in ballot])
        except (KeyError, TypeError, IndexError):
            return None
    if -1 in prefs or len(set(prefs)) != len(prefs):
        return None
    return prefs


def normalise(ballot: RawBallot, index: Mapping[str, int], rules: Rules) -> tuple[int, ...]:
    """Apply the ballot rules to one raw ballot; return its clean preferences.

    ``index`` maps each candidate name to its position in the declared order. A name that is
    not a candidate raises :class:`BallotError`.
    """
    if isinstance(ballot, str):
        raise BallotError("a ballot must be a sequence of rank positions, not a string")
    if not rules.excluded:
        simple = _simple(ballot, index)
        if simple is not None:
            return simple
    prefs: list[int] = []
    seen: set[int] = set()
    empty_run = 0
    max_skipped = rules.max_skipped
    excluded = rules.excluded
    for position in ballot:
        names = _position_names(position)
        for name in names:
            if name not in index:
                raise BallotError(f"{name!r} is not a candidate")
        if not names:
            empty_run += 1
            continue
        if max_skipped is not None and empty_run > max_skipped:
            break
        empty_run = 0
        if excluded:
            names = tuple(name for name in names if name not in excluded)
            if not names:
                continue
        if len(names) > 1:
            if rules.overvote == OvervoteRule.EXHAUST:
                break
            if rules.overvote == OvervoteRule.EXHAUST_IF_MULTIPLE:
                prefs.append(overvote_token((index[name] for name in names), len(index)))
            continue
        choice = index[names[0]]
        if choice in seen:
            if rules.duplicates == DuplicateRule.EXHAUST:
                break
            continue
        seen.add(choice)
        prefs.append(choice)
    return tuple(prefs)


def _freeze(ballot: RawBallot) -> tuple[str | tuple[str, ...], ...]:
    if isinstance(ballot, str):
        raise BallotError("a ballot must be a sequence of rank positions, not a string")
    return tuple(p if isinstance(p, str) else tuple(p) for p in ballot)


def group_ballots(
    ballots: Iterable[tuple[RawBallot, int]],
    candidates: Sequence[str],
    rules: Rules,
) -> dict[tuple[int, ...], int]:
    """Normalise and group ballots given as ``(ballot, count)`` pairs.

    Identical raw ballots are grouped first (cheap), then each distinct one is normalised and
    the results are grouped again. Counts must be whole numbers, at least 0.
    """
    raw: dict[tuple[str | tuple[str, ...], ...], int] = {}
    get = raw.get
    for ballot, count in ballots:
        if type(count) is not int and (isinstance(count, bool) or not isinstance(count, int)):
            raise BallotError(f"ballot count {count!r} is not a whole number")
        if count < 0:
            raise BallotError(f"ballot count {count} is negative")
        try:
            # The ballot itself is the key when it is hashable (a tuple, the usual case), which
            # the declared Sequence does not promise; a list raises TypeError and is frozen.
            raw[ballot] = get(ballot, 0) + count  # type: ignore[index, call-overload]
        except TypeError:
            key = _freeze(ballot)
            raw[key] = get(key, 0) + count
    index = {name: i for i, name in enumerate(candidates)}
    # A rank naming several candidates (a tuple) is no name: its KeyError sends it to normalise.
    lookup = cast("Callable[[Position], int]", index.__getitem__)
    plain = not rules.excluded
    grouped: dict[tuple[int, ...], int] = {}
    for ballot, count in raw.items():
        if count == 0:
            continue
        prefs: tuple[int, ...] | None = None
        if plain and not isinstance(ballot, str):
            # The common case inline: a plain name at every rank, none repeated.
            try:
                prefs = tuple(map(lookup, ballot))
            except (KeyError, TypeError):
                prefs = None
            if prefs is not None and len(set(prefs)) != len(prefs):
                prefs = None
        if prefs is None:
            prefs = normalise(ballot, index, rules)
        grouped[prefs] = grouped.get(prefs, 0) + count
    return grouped
