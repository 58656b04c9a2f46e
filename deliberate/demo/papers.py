"""The demo's position papers: each tendency's papers on the draft and on an amendment,
published over the last three weeks and signed by its members in the days after."""

from __future__ import annotations

from datetime import timedelta

from deliberate.accounts.models import Member
from deliberate.demo.texts import DRAFTING_PAPER, PAPERS, REVISED, SUPERSEDED
from deliberate.demo.world import DemoWorld, Storyline
from deliberate.papers import services
from deliberate.subjects import Subject, resolve
from deliberate.tendencies.models import MembershipRole
from deliberate.tendencies.queries import current_members

# How many days ago each paper of PAPERS was written, by title; it is published hours later.
WRITTEN = {
    "Win Eastside, then the city": 10.6,
    "Why we count the members we win": 9.6,
    "Tenants lead, we support": 11.8,
    "Aim for what the campaign changes": 10.0,
    "The assembly decides": 6.5,
    "Mandates, not reports": 8.6,
}


def paper_storylines(world: DemoWorld) -> list[Storyline]:
    """Every paper of PAPERS written, published and signed; a first paper that a later one
    superseded; a revision; a paper still being drafted."""
    return [
        _superseded(world),
        *(
            _paper(world, tendency, coordinator, on, title, text)
            for tendency, papers in PAPERS.items()
            for coordinator, on, title, text in papers
        ),
        _drafting(world),
    ]


def _subject(world: DemoWorld, on: str) -> Subject:
    """The draft, or the amendment titled `on`."""
    if on == "draft":
        return resolve("draft", world.demo_draft().id)
    return resolve("amendment", world.amendments[on].id)


def _signers(world: DemoWorld, tendency: str) -> list[Member]:
    """The tendency's active members, its coordinators first."""
    memberships = sorted(
        current_members(world.tendencies[tendency], page_size=1000)[0],
        key=lambda m: m.role != MembershipRole.COORDINATOR,
    )
    return [m.member for m in memberships if m.member.is_active]


def _superseded(world: DemoWorld) -> Storyline:
    tendency, coordinator, title, text = SUPERSEDED
    yield world.clock.ago(20)
    paper = services.create_paper(
        world.members[coordinator],
        world.tendencies[tendency],
        _subject(world, "draft"),
        title,
        text,
    )
    world.papers[title] = paper
    yield world.clock.after(world.clock.current, 3)
    services.publish_paper(world.members[coordinator], paper)
    yield world.clock.after(world.clock.current, 2)
    services.sign_paper(world.members[coordinator], paper)


def _paper(
    world: DemoWorld, tendency: str, coordinator: str, on: str, title: str, text: str
) -> Storyline:
    clock = world.clock
    yield clock.ago(WRITTEN[title])
    writer = world.members[coordinator]
    paper = services.create_paper(
        writer, world.tendencies[tendency], _subject(world, on), title, text
    )
    world.papers[title] = paper
    yield clock.after(clock.current, 4)
    services.publish_paper(writer, paper)
    # Most members sign within three days; fewer sign the papers on amendments.
    signers = _signers(world, tendency)
    signers = signers[: max(2, len(signers) - (1 if on == "draft" else 3))]
    published = clock.current
    moments = clock.spread(
        published + timedelta(hours=1), published + timedelta(days=3), len(signers)
    )
    for moment, signer in zip(moments, signers, strict=True):
        yield moment
        services.sign_paper(signer, paper)
    if (tendency, on) == (REVISED[0], "draft"):
        yield clock.ago(6)
        services.revise_paper(writer, paper, title, text + REVISED[1])


def _drafting(world: DemoWorld) -> Storyline:
    """A paper still being drafted, seen only by its tendency's members."""
    tendency, coordinator, on, title, text = DRAFTING_PAPER
    yield world.clock.ago(3.3)
    world.papers[title] = services.create_paper(
        world.members[coordinator], world.tendencies[tendency], _subject(world, on), title, text
    )
