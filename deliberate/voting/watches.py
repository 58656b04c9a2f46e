"""What a change to a vote's rows touches in the page cache (deliberate/fragments.py): the
vote's own stamp, which its stored result and settings shown in kept parts depend on.

Ballots, participations and the roll are not watched here: a kept part never shows them (the
count of those who voted and where the reader stands are read for each request), and a
ballot cast touches no stamp of the vote's, so casting never queues on a row shared with
other voters. It touches the voter's own stamp of what waits for them alone
(deliberate/main/watches.py), which no other member's transaction locks.
"""

from __future__ import annotations

from sqlalchemy import Connection

from deliberate.fragments import watch
from deliberate.voting.models import Vote, VoteOption


def stamp_of(vote_id: int) -> str:
    """The stamp of what a vote's kept parts show of the vote: its settings, options and
    stored result."""
    return f"vote:{vote_id}"


# Every list of votes kept between requests (the votes on a draft or an amendment): votes
# are made, opened, closed or cancelled rarely, and a ballot changes no vote's row.
VOTES_STAMP = "votes"


def _vote_itself(row: Vote, _connection: Connection) -> list[str]:
    return [stamp_of(row.id), VOTES_STAMP]


def _option(row: VoteOption, _connection: Connection) -> list[str]:
    return [stamp_of(row.vote_id)]


watch(Vote, _vote_itself)
watch(VoteOption, _option)
