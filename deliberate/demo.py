"""The demo organization: three tendencies and about thirty members, loaded once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from deliberate.accounts.models import Member, MemberRole
from deliberate.accounts.services import create_member, invite_member, suspend_member
from deliberate.database import utcnow
from deliberate.extensions import db
from deliberate.tendencies.models import MembershipRole
from deliberate.tendencies.services import (
    add_membership,
    leave_tendency,
    register_tendency,
    request_to_join,
)

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (published demo credentials)
DEMO_DOMAIN = "demo.deliberate.example"


TENDENCIES = {
    "Mass Party Platform": """\
We want an organization of **tens of thousands** that stands candidates, wins reforms and
makes socialism a common word again.

- Grow membership through open campaigns that anyone can join in a week.
- Contest elections where a campaign strengthens local organizing, and hold our
  representatives to the program by binding mandates.
- Build one press and one school for the whole organization.
""",
    "Rank-and-File Caucus": """\
Power grows where people work and live. We put **unions, tenant unions and workplace
committees** before elections.

1. Every member belongs to an organizing project, not just a branch.
2. Salaried staff answer to elected committees of members.
3. We measure success by new organizers trained and disputes won, not by votes.
""",
    "Assembly Network": """\
Decisions belong to those affected. We build **neighbourhood assemblies** and
federate them, and we want the organization itself run the same way.

> Delegates carry mandates; they do not make policy alone.

We ask that every situational objective be evaluated in open assemblies, and that
dissent be recorded, never buried.
""",
}

# (name, role, tendency or None, coordinator?)
PEOPLE: list[tuple[str, MemberRole, str | None, bool]] = [
    ("Ana Ribeiro", MemberRole.ADMIN, None, False),
    ("Kwame Mensah", MemberRole.CONVENER, "Mass Party Platform", False),
    ("Lucía Fernández", MemberRole.CONVENER, "Assembly Network", False),
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


def demo_loaded() -> bool:
    admin_email = demo_email("Ana Ribeiro")
    return db.session.scalar(select(Member.id).where(Member.email == admin_email)) is not None


def demo_logins() -> dict[str, str]:
    """The accounts a newcomer should try, by what they show."""
    return {
        "admin": demo_email("Ana Ribeiro"),
        "convener": demo_email("Kwame Mensah"),
        "tendency coordinator": demo_email("Rosa Keller"),
        "member": demo_email("Mei Lin"),
        "member without tendency": demo_email("Zainab Sesay"),
    }


def load_demo() -> None:
    """Create the demo organization (flushes; the caller commits)."""
    members: dict[str, Member] = {}
    for name, role, _tendency, _coordinates in PEOPLE:
        members[name] = create_member(demo_email(name), name, DEMO_PASSWORD, role=role)
    admin = members["Ana Ribeiro"]
    convener = members["Kwame Mensah"]
    tendencies = {}
    for tendency_name, line in TENDENCIES.items():
        coordinators = [
            members[name]
            for name, _role, t, coordinates in PEOPLE
            if t == tendency_name and coordinates
        ]
        tendencies[tendency_name] = register_tendency(convener, tendency_name, line, coordinators)
    for name, _role, tendency_name, coordinates in PEOPLE:
        if tendency_name and not coordinates:
            add_membership(tendencies[tendency_name], members[name], role=MembershipRole.MEMBER)

    # History: Ravi was in the Assembly Network and left; he now asks to join the Caucus.
    add_membership(
        tendencies["Assembly Network"],
        members["Ravi Iyer"],
        joined_at=utcnow() - timedelta(days=200),
    )
    leave_tendency(members["Ravi Iyer"])
    request_to_join(
        members["Ravi Iyer"],
        tendencies["Rank-and-File Caucus"],
        "I organize with the tenants' union on Eastside and want to bring that work here.",
    )
    request_to_join(members["Emma Schulz"], tendencies["Assembly Network"])

    suspend_member(admin, members["Sofia Rossi"], "Dues unpaid for six months (demo).")
    invite_member(
        admin,
        f"new.comrade@{DEMO_DOMAIN}",
        "New Comrade",
        tendencies["Assembly Network"],
        valid_for=timedelta(days=14),
    )

    from deliberate.drafts.demo import load_drafts_demo

    load_drafts_demo()

    from deliberate.debate.demo import load_debate_demo

    load_debate_demo()
