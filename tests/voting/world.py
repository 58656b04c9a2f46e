"""Vote objects for the security suite's world (tests/security/world.py).

open_vote          a secret majority vote, open, every active member on its roll; `owner` voted
                   (`owner_receipt` is the receipt code)
ranked_vote        an open secret ranked vote (IRV) among Ana, Ben and Chloé
scheduled_vote     a majority vote opening tomorrow
closed_vote        a closed secret ranked vote with ballots (results, BLT, receipts published)
closed_roll_call   a closed roll-call majority vote (CSV published, no receipts)
blocked_vote       a closed consensus vote that a block sent to a second round
consensus_vote     an open secret consensus vote (a ballot gives a reason)
first_amendment    amendment 1 of the drafts world's `draft` (awaiting seconders)
competing_group    the drafts world's competing group 1 (A6 and A7, awaiting seconders)
paper_register     the email addresses of `owner` and `bystander`, one a line: members on the
                   roll of `ranked_vote` who have not voted in it (to mark as voting on paper)

nomination_election  a scheduled IRV election by nomination, nominations open:
                   `member` and `coordinator` stand (self-nominated, with statements),
                   `owner` is nominated by `member` and has not answered
standing_nomination  `member`'s own nomination (accepted)
pending_nomination   `owner`'s nomination by `member` (awaiting her answer)
typed_election     a scheduled IRV election whose convener typed the names (Ana, Ben, Chloé)

State `vote_due`: the open vote's scheduled close has passed.
State `nominations_closed`: the nomination election's nominations closed a minute ago.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from deliberate.database import utcnow
from deliberate.drafts.models import Amendment, CompetitionGroup
from deliberate.extensions import db
from deliberate.voting import services
from deliberate.voting.rules import Settings

NAMES = ("Ana", "Ben", "Chloé")


def _ranked(convener: Any, title: str) -> Any:
    return services.create_vote(
        convener,
        title=title,
        settings=Settings(method="irv"),
        options=[services.OptionSpec(name) for name in NAMES],
    )


def build_votes(world: dict[str, Any]) -> None:
    convener = world["convener"]
    majority = Settings(method="majority", threshold="simple")
    open_vote = services.create_vote(
        convener,
        title="Security world question",
        settings=majority,
        closes_at=utcnow() + timedelta(days=2),
    )
    receipt = services.cast_ballot(world["owner"], open_vote, {"choice": "yes"})
    scheduled = services.create_vote(
        convener,
        title="Tomorrow's question",
        settings=majority,
        opens_at=utcnow() + timedelta(days=1),
    )
    closed = _ranked(convener, "Security world election")
    for voter, ranking in (
        (world["member"], ["Ana"]),
        (world["other_member"], ["Ben", "Ana"]),
        (world["owner"], ["Chloé", "Ben"]),
    ):
        services.cast_ballot(voter, closed, {"ranking": ranking})
    services.close_vote(convener, closed)
    roll_call = services.create_vote(
        convener,
        title="Security world roll call",
        settings=Settings(method="majority", threshold="simple", secret=False),
    )
    services.cast_ballot(world["member"], roll_call, {"choice": "no"})
    services.close_vote(convener, roll_call)
    blocked = services.create_vote(
        convener,
        title="Security world consensus",
        settings=Settings(method="consensus", block_rule="second_round"),
    )
    services.cast_ballot(world["member"], blocked, {"position": "block", "reason": "Not yet."})
    services.close_vote(convener, blocked)
    consensus = services.create_vote(
        convener,
        title="Security world open consensus",
        settings=Settings(method="consensus", block_rule="no_decision"),
    )
    build_nominations(world)
    open_roll_call = services.create_vote(
        convener,
        title="Security world open roll call",
        settings=Settings(method="majority", threshold="simple", secret=False),
    )
    world.update(
        blocked_vote=blocked,
        open_roll_call=open_roll_call,
        consensus_vote=consensus,
        first_amendment=db.session.scalar(
            select(Amendment).where(Amendment.draft_id == world["draft"].id, Amendment.number == 1)
        ),
        competing_group=db.session.scalar(
            select(CompetitionGroup).where(CompetitionGroup.draft_id == world["draft"].id)
        ),
        paper_register=f"{world['owner'].email}\n{world['bystander'].email}",
        open_vote=open_vote,
        owner_receipt=receipt.code,
        ranked_vote=_ranked(convener, "Security world ranked question"),
        scheduled_vote=scheduled,
        closed_vote=closed,
        closed_roll_call=roll_call,
    )


def build_nominations(world: dict[str, Any]) -> None:
    convener = world["convener"]
    election = services.create_vote(
        convener,
        title="Security world committee",
        settings=Settings(method="irv"),
        purpose="election",
        by_nomination=True,
    )
    standing = services.nominate(
        world["member"], election, world["member"], statement="I *will* serve."
    )
    services.nominate(world["coordinator"], election, world["coordinator"])
    pending = services.nominate(world["member"], election, world["owner"])
    typed = services.create_vote(
        convener,
        title="Security world typed election",
        settings=Settings(method="irv"),
        purpose="election",
        options=[services.OptionSpec(name) for name in NAMES],
        opens_at=utcnow() + timedelta(days=3),
    )
    world.update(
        nomination_election=election,
        standing_nomination=standing,
        pending_nomination=pending,
        typed_election=typed,
    )


def nominations_closed(world: dict[str, Any]) -> None:
    world["nomination_election"].nominations_close_at = utcnow() - timedelta(minutes=1)
    db.session.flush()


def vote_due(world: dict[str, Any]) -> None:
    world["open_vote"].closes_at = utcnow() - timedelta(minutes=1)
    db.session.flush()


VOTE_STATES = {"vote_due": vote_due, "nominations_closed": nominations_closed}
