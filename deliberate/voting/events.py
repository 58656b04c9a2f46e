"""What voting tells the world once the transaction that opened or closed a vote commits
(deliberate/events.py): the vote's id and a few plain facts, for mail, webhooks and live pages.
What must happen in the same transaction is a hook instead (deliberate/voting/hooks.py)."""

from __future__ import annotations

from dataclasses import dataclass

from deliberate.events import Event


@dataclass(frozen=True)
class VoteOpened(Event):
    """A vote opened: its roll is taken and it accepts ballots."""

    vote_id: int
    purpose: str
    actor_id: int | None  # None: opened at its scheduled time
    roll_size: int


@dataclass(frozen=True)
class BallotCast(Event):
    """A ballot was accepted online (a first ballot or a replacement). Carries the vote
    only: nothing about who cast it or what it says."""

    vote_id: int


@dataclass(frozen=True)
class VoteClosed(Event):
    """A vote closed, was counted and its result stored (`decided`: the count reached a
    decision; False for a vote without quorum or a consensus sent to a second round)."""

    vote_id: int
    purpose: str
    actor_id: int | None  # None: closed at its scheduled time, or by the system
    decided: bool


@dataclass(frozen=True)
class NominationMade(Event):
    """A member was nominated for an election by nomination: by herself (`standing` at
    once) or by another (`standing` False: the nominee's acceptance is awaited)."""

    vote_id: int
    nomination_id: int
    nominee_id: int
    nominated_by_id: int
    standing: bool


@dataclass(frozen=True)
class NominationAnswered(Event):
    """A nominee accepted, declined or withdrew (`state`: the nomination's new state)."""

    vote_id: int
    nomination_id: int
    nominee_id: int
    state: str
