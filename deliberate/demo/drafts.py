"""The demo's draft: a six-month situational objective written four weeks ago, its second
version made two weeks ago and its third by a vote last week, with amendments in every state,
two competing groups and tendency-sponsored amendments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from deliberate.accounts.models import Member
from deliberate.demo.people import CONVENER, MODERATOR
from deliberate.demo.texts import AMENDMENTS, DRAFT_PARAGRAPHS, DRAFT_TITLE, AmendmentText
from deliberate.demo.world import DemoWorld, Storyline
from deliberate.drafts import queries, services
from deliberate.drafts.models import Amendment, DraftKind
from deliberate.extensions import db

# One thing that happens to an amendment.
Step = Callable[[DemoWorld, Amendment], object]


def _second(name: str) -> Step:
    return lambda world, amendment: services.second_amendment(world.members[name], amendment)


def _ask_sponsor(world: DemoWorld, amendment: Amendment) -> None:
    """The proposer asks their tendency to sponsor the amendment."""
    services.request_sponsorship(db.session.get_one(Member, amendment.proposer_id), amendment)


def _sponsor(coordinator: str) -> Step:
    return lambda world, amendment: services.confirm_sponsorship(
        world.members[coordinator], amendment
    )


def _cosponsor(name: str) -> Step:
    return lambda world, amendment: services.cosponsor_amendment(world.members[name], amendment)


def _accept(convener: str, *, merge: bool = True) -> Step:
    def accept(world: DemoWorld, amendment: Amendment) -> None:
        version = services.accept_amendment(world.members[convener], amendment, merge=merge)
        if version is not None:
            world.versions[version.number] = world.clock.current

    return accept


def _rule_out(reason: str) -> Step:
    return lambda world, amendment: services.rule_out_amendment(
        world.members[MODERATOR], amendment, reason
    )


def _withdraw(reason: str) -> Step:
    def withdraw(world: DemoWorld, amendment: Amendment) -> None:
        proposer = db.session.get_one(Member, amendment.proposer_id)
        services.withdraw_amendment(proposer, amendment, reason)

    return withdraw


# Each amendment of AMENDMENTS, in order: how many days ago it was proposed, then what
# happened to it, each step with how many days ago.
HISTORIES: list[tuple[float, list[tuple[float, Step]]]] = [
    # A1, friendly: interpretation at the trainings. Merged at once into version 2, which
    # leaves A2 (same paragraph, written against version 1) needing an update.
    (26, [(15, _accept(CONVENER))]),
    (23, [(22, _second("Samir Haddad"))]),
    # A3 and A4 compete on the measurable aims (¶3), each sponsored by a tendency.
    (
        13.5,
        [
            (13.4, _ask_sponsor),
            (12.5, _sponsor("Rosa Keller")),
            (11.6, _cosponsor("Ben Carter")),
            (11.1, _cosponsor("Mei Lin")),
            (10.6, _second("Luis Ortega")),
            (10.1, _second("Nadia Rahman")),
            (9.1, _second("Zainab Sesay")),
        ],
    ),
    (
        13,
        [
            (12.9, _ask_sponsor),
            (12.1, _sponsor("Priya Raman")),
            (11.3, _second("Fatima Zahra Bennani")),
            (10.3, _second("Oskar Lindqvist")),
        ],
    ),
    # A5 and A6 compete on the councillors (¶8); both tabled, they are being decided by a
    # ranked vote (the votes part).
    (12, [(11.2, _second("Ingrid Solberg")), (10.4, _second("Clara Dubois"))]),
    (11.5, [(10.8, _second("Mei Lin")), (9.8, _second("Jonah Feld"))]),
    # A7 goes to the delegate assembly, which adopts it (recorded in the votes part as the
    # pages record a meeting's vote, which merges it into version 3); A8 goes to an online
    # vote that rejects it.
    (11, [(10.2, _second("Viktor Petrov")), (9.6, _second("Grace Mwangi"))]),
    (10.5, [(9.7, _second("Hannah Okafor")), (9.2, _second("Fatima Zahra Bennani"))]),
    # A9 ruled out of order; A10 withdrawn by its proposer.
    (
        9.5,
        [
            (
                8.5,
                _rule_out(
                    "It replaces the objective with a different one. A different objective is "
                    "a new draft, which any ten members may ask for (standing orders §4.2), "
                    "not an amendment."
                ),
            )
        ],
    ),
    (
        8,
        [
            (
                5,
                _withdraw(
                    "The tenant committees chose the languages themselves last week; I withdraw."
                ),
            )
        ],
    ),
    # A11 accepted as friendly, to be merged later with others; A12 awaits its tendency.
    (7, [(5.5, _accept(MODERATOR, merge=False))]),
    (4, [(3.9, _ask_sponsor), (3, _second("Clara Dubois"))]),
]


def draft_storylines(world: DemoWorld) -> list[Storyline]:
    """The draft written and opened to amendments; each amendment's history."""
    return [
        _draft(world),
        *(
            _amendment(world, text, proposed, steps)
            for text, (proposed, steps) in zip(AMENDMENTS, HISTORIES, strict=True)
        ),
    ]


def _day(moment: date) -> str:
    return f"{moment:%d %B %Y}".lstrip("0")


def _draft(world: DemoWorld) -> Storyline:
    clock = world.clock
    yield clock.ago(28)
    start = clock.now.date()
    end = start + timedelta(days=182)
    evaluation = end + timedelta(days=14)
    body = "\n\n".join(DRAFT_PARAGRAPHS).format(
        start=_day(start), end=_day(end), evaluation=_day(evaluation)
    )
    convener = world.members[CONVENER]
    world.draft = services.create_draft(
        convener,
        title=DRAFT_TITLE,
        kind=DraftKind.SITUATIONAL_OBJECTIVE,
        body=body,
        valid_from=start,
        valid_until=end,
        evaluation_date=evaluation,
        conveners=[world.members["Julia Novak"]],
    )
    world.versions[1] = clock.current
    yield clock.ago(27)
    services.open_amendment_window(
        convener, world.draft, clock.now + timedelta(days=12), now=clock.current
    )


def _amendment(
    world: DemoWorld, text: AmendmentText, proposed: float, steps: list[tuple[float, Step]]
) -> Storyline:
    yield world.clock.ago(proposed)
    draft = world.demo_draft()
    new_text = text.new_text
    if text.edit:
        old, new = text.edit
        paragraphs = queries.current_version(draft).paragraphs
        new_text = paragraphs[text.first - 1].markdown.replace(old, new)
    amendment = services.propose_amendment(
        world.members[text.proposer],
        draft,
        version_number=draft.current_version_number,
        kind=text.kind,
        first=text.first,
        last=text.last,
        new_text=new_text,
        title=text.title,
        rationale=text.rationale,
    )
    world.amendments[text.title] = amendment
    for days, step in steps:
        yield world.clock.ago(days)
        step(world, amendment)
