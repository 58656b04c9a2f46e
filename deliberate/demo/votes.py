"""The demo's votes: how the organization decided, and what it is deciding now.

- A7 was adopted at the delegate assembly, 41 to 12: a convener recorded that in-person vote,
  and the system merged A7 into the draft's third version.
- A8 was put to an online secret vote and rejected.
- The committee of the Eastside campaign was elected by STV (three seats, six candidates,
  several rounds), with a breakdown by tendency announced before it opened; no tendency
  reached ten voters, so the result withholds the breakdown and says why.
- Where the spring assembly meets was decided by a roll-call consensus vote: one block, with
  its reason, and the vote fell back to a three-quarters supermajority.
- The competing amendments on the councillors' mandates (A5 and A6) are being decided by a
  ranked vote that is still open, each voter seeing the options in an order of her own; some
  members have voted. It closes in two days, so the convener who closes it now is asked to
  confirm; being secret, it shows its conveners the turnout by tendency only for groups of ten
  voters, and no one who has voted.
- The competing amendments on how many delegates a branch sends to the spring convention are
  put to the convention's delegates alone: a ranked vote whose roll is that body; a few
  delegates have voted.
- The treasurer is elected by nomination: nominations are open. Priya Raman stands herself,
  Grace Mwangi accepted Rosa Keller's nomination, Clara Dubois has not yet answered Yusuf
  Demir's, and Ben Carter declined Mei Lin's; the two standing wrote statements.
- Whether to send two delegates to the city tenants' federation is an open roll-call vote:
  its conveners see the turnout by tendency and who has not voted yet, to remind them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import select

from deliberate.bodies.models import Body
from deliberate.demo.bodies import DELEGATES
from deliberate.demo.people import CONVENER, MODERATOR
from deliberate.demo.rules import RULES_TITLE
from deliberate.demo.texts import AMENDMENTS
from deliberate.demo.world import DemoWorld, Storyline
from deliberate.drafts.models import Amendment, CompetitionGroup, Draft
from deliberate.drafts.voting import put_amendment_to_vote, put_group_to_vote
from deliberate.extensions import db
from deliberate.tendencies.queries import current_membership
from deliberate.voting import services
from deliberate.voting.models import RollEntry, Vote
from deliberate.voting.rules import Settings
from deliberate.voting.vocabulary import BlockRule, StvVariant, Threshold, VoteMethod

MAJORITY = Settings(method=VoteMethod.MAJORITY, threshold=Threshold.SIMPLE, quorum_percent=20)
FEDERATION_QUESTION = "Send two delegates to the city tenants' federation"
COMMITTEE_VOTE = "Coordinating committee of the Eastside campaign (three seats)"
VENUE_QUESTION = "Hold the spring assembly in the Eastside community hall"
TREASURER_VOTE = "Treasurer of the organization"
TREASURER_STATEMENTS = {
    "Priya Raman": (
        "I have kept the books of the tenants' union for three years.\n\n"
        "- a **monthly** statement of accounts on this site\n"
        "- dues collected by standing order, not in cash"
    ),
    "Grace Mwangi": (
        "Our money should follow our campaigns. I will publish the budget *before* each "
        "assembly so every tendency can amend it."
    ),
}
COMMITTEE = ("Rosa Keller", "Priya Raman", "Yusuf Demir", "Samir Haddad", "Mei Lin", "Emma Schulz")
# Ballots of the committee election: rankings by a voter's tendency (with some crossing).
COMMITTEE_RANKINGS = {
    "Mass Party Platform": [
        ["Priya Raman", "Mei Lin", "Emma Schulz"],
        ["Mei Lin", "Priya Raman", "Yusuf Demir"],
        ["Priya Raman", "Emma Schulz"],
    ],
    "Rank-and-File Caucus": [
        ["Rosa Keller", "Samir Haddad", "Yusuf Demir"],
        ["Samir Haddad", "Rosa Keller"],
        ["Rosa Keller", "Yusuf Demir", "Emma Schulz"],
    ],
    "Assembly Network": [
        ["Yusuf Demir", "Emma Schulz", "Rosa Keller"],
        ["Yusuf Demir", "Rosa Keller"],
    ],
    None: [
        ["Emma Schulz", "Yusuf Demir", "Priya Raman"],
        ["Rosa Keller", "Emma Schulz"],
        ["Mei Lin", "Emma Schulz", "Priya Raman"],
    ],
}
VENUE_REASONS = {
    "block": (
        "The hall has no step-free entrance; two of our oldest tenant leaders could not come. "
        "I block until we have an accessible room."
    ),
    "stand_aside": "I cannot come on that date, so I leave it to those who can.",
    "agree_with_reservations": "Fine, but we must book the ramp the housing office lends.",
}


def _amendment(world: DemoWorld, label: str) -> Amendment:
    index = int(label.removeprefix("A")) - 1
    return world.amendments[AMENDMENTS[index].title]


def _voters(world: DemoWorld) -> list[Any]:
    """Every demo member who can vote, in a fixed order."""
    return [m for name, m in sorted(world.members.items()) if m.is_active]


def _tendency_of(member: Any) -> str | None:
    membership = current_membership(member)
    return membership.tendency.name if membership else None


def vote_storylines(world: DemoWorld) -> list[Storyline]:
    return [
        _assembly_adopts_a7(world),
        _online_vote_on_a8(world),
        _committee_election(world),
        _venue_consensus(world),
        _open_group_vote(world),
        _treasurer_nominations(world),
        _delegates_decide_their_number(world),
        _open_roll_call(world),
    ]


def _assembly_adopts_a7(world: DemoWorld) -> Storyline:
    """A7 went to the delegate assembly; the convener records the meeting's count the evening
    after, from A7's page, as any convener would (the vote on A7 is made then, in person)."""
    yield world.clock.ago(6.2)
    amendment = _amendment(world, "A7")
    services.record_in_person_vote(
        world.members[CONVENER],
        title="",
        settings=MAJORITY,
        counted=services.MeetingCount(yes=41, no=12, abstain=3),
        present=58,
        held_at=world.clock.current - timedelta(hours=20),
        purpose="amendment",
        subject_id=amendment.id,
    )
    draft = world.demo_draft()
    db.session.refresh(draft)
    world.versions.setdefault(draft.current_version_number, world.clock.current)


def _cast_over(
    world: DemoWorld, vote: Vote, ballots: Sequence[tuple[Any, dict[str, Any]]], hours: float
) -> Storyline:
    """Cast the ballots one after another over about `hours`."""
    start = world.clock.current
    for moment, (member, content) in zip(
        world.clock.spread(start, start + timedelta(hours=hours), len(ballots)),
        ballots,
        strict=True,
    ):
        yield moment
        if member.is_active:  # a member suspended meanwhile has lost the right
            services.cast_ballot(member, vote, content)


def _online_vote_on_a8(world: DemoWorld) -> Storyline:
    yield world.clock.ago(8.1)
    amendment = _amendment(world, "A8")
    vote = put_amendment_to_vote(world.members[CONVENER], amendment, MAJORITY)
    voters = _voters(world)
    choices = ["no"] * 14 + ["yes"] * 8 + ["abstain"] * 3
    ballots = [(m, {"choice": c}) for m, c in zip(voters, choices, strict=False)]
    yield from _cast_over(world, vote, ballots, hours=40)
    yield world.clock.ago(6.1)
    services.close_vote(world.members[CONVENER], vote)


def _committee_election(world: DemoWorld) -> Storyline:
    yield world.clock.ago(9.5)
    vote = services.create_vote(
        world.members[CONVENER],
        title=COMMITTEE_VOTE,
        description=(
            "The committee coordinates the campaign between assemblies. Rank the candidates "
            "you support; three are elected by the single transferable vote."
        ),
        settings=Settings(
            method=VoteMethod.STV,
            options=COMMITTEE,
            seats=3,
            stv_variant=StvVariant.WIGM,
            # As many organizations elect a committee: one candidate a round, so every
            # surplus moves before the next is declared.
            one_winner_per_round=True,
            breakdown_by_tendency=True,
        ),
        options=[services.OptionSpec(name) for name in COMMITTEE],
        purpose="election",
    )
    ballots = []
    for index, member in enumerate(_voters(world)):
        patterns = COMMITTEE_RANKINGS[_tendency_of(member)]
        ballots.append((member, {"ranking": patterns[index % len(patterns)]}))
    yield from _cast_over(world, vote, ballots, hours=30)
    yield world.clock.ago(7.8)
    services.close_vote(world.members[CONVENER], vote)


def _venue_consensus(world: DemoWorld) -> Storyline:
    yield world.clock.ago(5.5)
    vote = services.create_vote(
        world.members[MODERATOR],
        title=VENUE_QUESTION,
        description="The hall is free on the first Saturday of the month and holds 200.",
        settings=Settings(
            method=VoteMethod.CONSENSUS,
            block_rule=BlockRule.FALLBACK,
            fallback=Fraction(3, 4),
            quorum_percent=30,
            secret=False,
        ),
        purpose="question",
    )
    positions = (
        ["block", "stand_aside", "stand_aside"] + ["agree_with_reservations"] * 3 + ["agree"] * 14
    )
    ballots = [
        (m, {"position": p, "reason": VENUE_REASONS.get(p, "")})
        for m, p in zip(_voters(world)[3:], positions, strict=False)
    ]
    yield from _cast_over(world, vote, ballots, hours=36)
    yield world.clock.ago(3.4)
    services.close_vote(world.members[MODERATOR], vote)


def _open_group_vote(world: DemoWorld) -> Storyline:
    yield world.clock.ago(4.2)
    a6 = _amendment(world, "A6")
    group = db.session.get_one(CompetitionGroup, a6.competition_group_id)
    vote = put_group_to_vote(
        world.members[CONVENER],
        group,
        # Listed in each voter's own order, so that A5 gains nothing from coming first.
        Settings(method=VoteMethod.IRV, quorum_percent=25, shuffled=True),
        closes_at=world.clock.now + timedelta(days=2),
    )
    labels = [o.label for o in services.load_options(vote)]
    a5_first, a6_first, no_change = [labels[0], labels[1]], [labels[1], labels[0]], [labels[2]]
    rankings = [a5_first] * 5 + [a6_first] * 4 + [no_change, [labels[1], labels[2]]]
    ballots = [(m, {"ranking": r}) for m, r in zip(_voters(world)[1::2], rankings, strict=False)]
    yield from _cast_over(world, vote, ballots, hours=70)


def _treasurer_nominations(world: DemoWorld) -> Storyline:
    """An election whose candidates stand by nomination, nominations still open."""
    yield world.clock.ago(2.5)
    members = world.members
    vote = services.create_vote(
        members[CONVENER],
        title=TREASURER_VOTE,
        description="The treasurer keeps the accounts and reports to every assembly.",
        settings=Settings(method=VoteMethod.IRV, quorum_percent=20),
        purpose="election",
        by_nomination=True,
        nominations_close_at=world.clock.now + timedelta(days=3),
        opens_at=world.clock.now + timedelta(days=4),
        closes_at=world.clock.now + timedelta(days=11),
    )
    priya, grace = members["Priya Raman"], members["Grace Mwangi"]
    yield world.clock.ago(2.3)
    services.nominate(priya, vote, priya, statement=TREASURER_STATEMENTS["Priya Raman"])
    yield world.clock.ago(2.0)
    for_grace = services.nominate(members["Rosa Keller"], vote, grace)
    declined = services.nominate(members["Mei Lin"], vote, members["Ben Carter"])
    yield world.clock.ago(1.6)
    services.accept_nomination(grace, for_grace, statement=TREASURER_STATEMENTS["Grace Mwangi"])
    services.decline_nomination(members["Ben Carter"], declined)
    yield world.clock.ago(0.8)
    services.nominate(members["Yusuf Demir"], vote, members["Clara Dubois"])


def _delegates_decide_their_number(world: DemoWorld) -> Storyline:
    """The two amendments on how many delegates a branch sends to the convention go to the
    convention's delegates alone: the roll of their ranked vote is that body."""
    yield world.clock.ago(2.5)
    rules = db.session.scalars(select(Draft).where(Draft.title == RULES_TITLE)).one()
    group = db.session.scalars(
        select(CompetitionGroup).where(CompetitionGroup.draft_id == rules.id)
    ).one()
    delegates = db.session.scalars(select(Body).where(Body.name == DELEGATES)).one()
    vote = put_group_to_vote(
        world.members[CONVENER],
        group,
        Settings(method=VoteMethod.IRV, quorum_percent=50, body_id=delegates.id),
        closes_at=world.clock.now + timedelta(days=3),
    )
    labels = [o.label for o in services.load_options(vote)]
    roll = set(db.session.scalars(select(RollEntry.member_id).where(RollEntry.vote_id == vote.id)))
    voters = [m for m in _voters(world) if m.id in roll][:5]
    first, second, no_change = labels
    rankings = [[first, second], [second], [first], [no_change], [second, first]]
    ballots = [(m, {"ranking": r}) for m, r in zip(voters, rankings, strict=False)]
    yield from _cast_over(world, vote, ballots, hours=30)


def _open_roll_call(world: DemoWorld) -> Storyline:
    """A roll-call question still open: about half the roll has voted."""
    yield world.clock.ago(1.6)
    vote = services.create_vote(
        world.members[CONVENER],
        title=FEDERATION_QUESTION,
        description=(
            "The federation meets monthly; two delegates, one of them from the Eastside "
            "campaign, would report back to each general meeting."
        ),
        settings=Settings(
            method=VoteMethod.MAJORITY, threshold=Threshold.SIMPLE, quorum_percent=40, secret=False
        ),
        purpose="question",
        closes_at=world.clock.now + timedelta(days=3),
    )
    choices = ["yes"] * 9 + ["no"] * 4 + ["abstain"]
    ballots = [(m, {"choice": c}) for m, c in zip(_voters(world)[::2], choices, strict=False)]
    yield from _cast_over(world, vote, ballots, hours=30)
