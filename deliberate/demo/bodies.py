"""The demo's bodies: the spring assembly's delegates (one has since resigned) and the
campaign's coordinating committee, kept by the admin."""

from __future__ import annotations

from deliberate.bodies.services import add_member, create_body, remove_member
from deliberate.demo.people import ADMIN, CONVENER
from deliberate.demo.world import DemoWorld, Storyline

COMMITTEE = ("Rosa Keller", "Priya Raman", "Yusuf Demir", CONVENER)
DELEGATES = "Spring assembly delegates"


def body_storylines(world: DemoWorld) -> list[Storyline]:
    return [_bodies(world)]


def _bodies(world: DemoWorld) -> Storyline:
    clock = world.clock
    yield clock.ago(27.5)  # everyone has joined by then
    admin = world.members[ADMIN]
    delegates = create_body(
        admin, DELEGATES, "Elected by the branches in March, one per ten members."
    )
    names = sorted(world.members)
    for name in names[::2]:
        add_member(admin, delegates, world.members[name], now=clock.current)
    yield clock.ago(20)
    committee = create_body(
        admin, "Coordinating committee", "One coordinator of each tendency, and a convener."
    )
    for name in COMMITTEE:
        add_member(admin, committee, world.members[name], now=clock.current)
    yield clock.ago(6.5)
    # The first delegate resigned; the service ends the seat with an UPDATE, dated here.
    remove_member(admin, delegates, world.members[names[0]], now=clock.current)
