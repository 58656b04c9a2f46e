"""What a vote is for, and how the domain that asked for it reacts when it opens and closes.

Voting knows no drafts. A domain that puts its objects to a vote registers a `Purpose` (drafts
registers "amendment", "group" and "adoption"); voting calls its hooks in the same transaction
as opening and closing, so the subject moves together with the vote or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from deliberate.accounts.models import Member


@dataclass(frozen=True)
class Purpose:
    """A kind of question: its name and label, and the hooks of the domain behind it.

    - `on_open(actor, vote)`: the vote has opened (actor None: opened on schedule).
    - `on_close(vote, result)`: the vote has closed with its stored result (a dict as in
      `deliberate.voting.results`).
    """

    name: str
    label: str
    on_open: Callable[[Member | None, Any], None] | None = None
    on_close: Callable[[Any, dict[str, Any]], None] | None = None


_purposes: dict[str, Purpose] = {}


def register_purpose(purpose: Purpose) -> None:
    _purposes[purpose.name] = purpose


def purpose(name: str) -> Purpose | None:
    return _purposes.get(name)


def purposes() -> list[Purpose]:
    return list(_purposes.values())


register_purpose(Purpose("question", "A question put to the members"))
register_purpose(Purpose("election", "An election"))
