"""The demo's members: thirty people in every role, who joined over the last eight weeks."""

from __future__ import annotations

from deliberate.accounts.models import MemberRole
from deliberate.accounts.services import (
    create_member,
    set_organization_time_zone,
    set_time_zone,
    suspend_member,
)
from deliberate.demo.world import DemoWorld, Storyline

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (published demo credentials)
DEMO_DOMAIN = "demo.deliberate.example"

ADMIN = "Ana Ribeiro"
CONVENER = "Kwame Mensah"
MODERATOR = "Lucía Fernández"

# The organization meets in Paris time; one member, working abroad, reads times in her own.
ORGANIZATION_TIME_ZONE = "Europe/Paris"
ABROAD = ("Aoife Byrne", "America/New_York")

# (name, role, tendency or None, coordinator?)
PEOPLE: list[tuple[str, MemberRole, str | None, bool]] = [
    (ADMIN, MemberRole.ADMIN, None, False),
    (CONVENER, MemberRole.CONVENER, "Mass Party Platform", False),
    (MODERATOR, MemberRole.CONVENER, "Assembly Network", False),
    ("Tomasz Nowak", MemberRole.CONVENER, None, False),
    ("Priya Raman", MemberRole.MEMBER, "Mass Party Platform", True),
    ("Jonah Feld", MemberRole.MEMBER, "Mass Party Platform", True),
    ("Mei Lin", MemberRole.MEMBER, "Mass Party Platform", False),
    ("Oskar Lindqvist", MemberRole.MEMBER, "Mass Party Platform", False),
    ("Fatima Zahra Bennani", MemberRole.MEMBER, "Mass Party Platform", False),
    ("Diego Morales", MemberRole.MEMBER, "Mass Party Platform", False),
    ("Hannah Okafor", MemberRole.MEMBER, "Mass Party Platform", False),
    ("Rosa Keller", MemberRole.MEMBER, "Rank-and-File Caucus", True),
    ("Samir Haddad", MemberRole.MEMBER, "Rank-and-File Caucus", False),
    ("Grace Mwangi", MemberRole.MEMBER, "Rank-and-File Caucus", False),
    ("Viktor Petrov", MemberRole.MEMBER, "Rank-and-File Caucus", False),
    ("Aoife Byrne", MemberRole.MEMBER, "Rank-and-File Caucus", False),
    ("Luis Ortega", MemberRole.MEMBER, "Rank-and-File Caucus", False),
    ("Nadia Rahman", MemberRole.MEMBER, "Rank-and-File Caucus", False),
    ("Yusuf Demir", MemberRole.MEMBER, "Assembly Network", True),
    ("Clara Dubois", MemberRole.MEMBER, "Assembly Network", True),
    ("Ben Carter", MemberRole.MEMBER, "Assembly Network", False),
    ("Ingrid Solberg", MemberRole.MEMBER, "Assembly Network", False),
    ("Mateo Silva", MemberRole.MEMBER, "Assembly Network", False),
    ("Zainab Sesay", MemberRole.MEMBER, None, False),
    ("Pavel Horák", MemberRole.MEMBER, None, False),
    ("Emma Schulz", MemberRole.MEMBER, None, False),
    ("Kofi Asante", MemberRole.MEMBER, None, False),
    ("Julia Novak", MemberRole.MEMBER, None, False),
    ("Ravi Iyer", MemberRole.MEMBER, None, False),
    ("Sofia Rossi", MemberRole.MEMBER, None, False),
]


def demo_email(name: str) -> str:
    first = name.split()[0].lower().replace("í", "i").replace("á", "a")
    last = name.split()[-1].lower().replace("á", "a").replace("ó", "o")
    return f"{first}.{last}@{DEMO_DOMAIN}"


def joining_days() -> dict[str, float]:
    """How many days ago each member joined: the admin eight weeks ago, then the conveners,
    the tendencies' coordinators (members before their tendencies are registered) and everyone
    else, in the order of the cast within each, until four weeks ago."""
    rank = {MemberRole.ADMIN: 0, MemberRole.CONVENER: 1}
    ranked = sorted(PEOPLE, key=lambda p: rank.get(p[1], 2 if p[3] else 3))
    last = len(ranked) - 1
    return {name: 56 - 26 * index / last for index, (name, *_rest) in enumerate(ranked)}


def people_storylines(world: DemoWorld) -> list[Storyline]:
    """The members joining, one after the other, and a suspension last week."""
    return [_joining(world), _time_zones(world), _suspension(world)]


def _joining(world: DemoWorld) -> Storyline:
    roles = {name: role for name, role, *_rest in PEOPLE}
    for name, days in joining_days().items():
        yield world.clock.ago(days)
        world.members[name] = create_member(demo_email(name), name, DEMO_PASSWORD, role=roles[name])


def _time_zones(world: DemoWorld) -> Storyline:
    yield world.clock.ago(55)
    set_organization_time_zone(world.members[ADMIN], ORGANIZATION_TIME_ZONE)
    yield world.clock.ago(20)
    name, zone = ABROAD
    set_time_zone(world.members[name], zone)


def _suspension(world: DemoWorld) -> Storyline:
    yield world.clock.ago(9)
    suspend_member(
        world.members[ADMIN], world.members["Sofia Rossi"], "Dues unpaid for six months (demo)."
    )
