"""The demo's tendencies: three lines registered six weeks ago, their members, and the comings
and goings since."""

from __future__ import annotations

from datetime import timedelta

from deliberate.accounts.services import invite_member
from deliberate.demo.people import ADMIN, CONVENER, DEMO_DOMAIN, PEOPLE, joining_days
from deliberate.demo.texts import TENDENCY_LINES
from deliberate.demo.world import DemoWorld, Storyline
from deliberate.tendencies.services import (
    add_membership,
    leave_tendency,
    register_tendency,
    request_to_join,
)

# How many days ago each tendency was registered.
REGISTERED = {"Mass Party Platform": 44, "Rank-and-File Caucus": 42, "Assembly Network": 40}


def tendency_storylines(world: DemoWorld) -> list[Storyline]:
    """Each tendency registered with its coordinators and joined by its members; a member who
    left one; requests to join and an invitation from the last few days."""
    return [
        *(_tendency(world, name, line) for name, line in TENDENCY_LINES.items()),
        _ravi(world),
        _newcomers(world),
    ]


def _tendency(world: DemoWorld, name: str, line: str) -> Storyline:
    clock, members = world.clock, world.members
    yield clock.ago(REGISTERED[name])
    coordinators = [members[n] for n, _role, t, coordinates in PEOPLE if t == name and coordinates]
    world.tendencies[name] = register_tendency(members[CONVENER], name, line, coordinators)
    # Members who were there join within days; later members, days after they joined us.
    joined = joining_days()
    joining = sorted(
        (
            (min(joined[n], REGISTERED[name]) - clock.rng.uniform(1, 4), n)
            for n, _role, t, coordinates in PEOPLE
            if t == name and not coordinates
        ),
        reverse=True,
    )
    for days, member_name in joining:
        yield clock.ago(days)
        add_membership(world.tendencies[name], members[member_name])


def _ravi(world: DemoWorld) -> Storyline:
    """Ravi was in the Assembly Network and left; he now asks to join the Caucus."""
    clock, ravi = world.clock, "Ravi Iyer"
    yield clock.ago(min(joining_days()[ravi], REGISTERED["Assembly Network"]) - 1.5)
    add_membership(world.tendencies["Assembly Network"], world.members[ravi])
    yield clock.ago(24)
    # The service ends the membership with an UPDATE statement, which the clock cannot date.
    leave_tendency(world.members[ravi]).left_at = clock.current
    yield clock.ago(6)
    request_to_join(
        world.members[ravi],
        world.tendencies["Rank-and-File Caucus"],
        "I organize with the tenants' union on Eastside and want to bring that work here.",
    )


def _newcomers(world: DemoWorld) -> Storyline:
    clock = world.clock
    yield clock.ago(3)
    request_to_join(world.members["Emma Schulz"], world.tendencies["Assembly Network"])
    invited = clock.ago(2)
    yield invited
    invitation, _token = invite_member(
        world.members[ADMIN],
        f"new.comrade@{DEMO_DOMAIN}",
        "New Comrade",
        world.tendencies["Assembly Network"],
        valid_for=timedelta(days=14),
    )
    invitation.expires_at = invited + timedelta(days=14)
