"""The demo organization: three tendencies, thirty members, a draft under debate and the votes
that decide it, the records of what it decided, with a history spread over the last eight
weeks. Loaded once (`flask demo`).

Each part (people, tendencies, drafts, papers, debate, bodies, votes, decisions) tells its
storylines; the clock takes their steps together in time order, passing one `DemoWorld` along.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from deliberate.accounts.models import Member
from deliberate.database import utcnow
from deliberate.demo.bodies import body_storylines
from deliberate.demo.debate import debate_storylines
from deliberate.demo.decisions import decision_storylines
from deliberate.demo.drafts import draft_storylines
from deliberate.demo.mail import quiet_history
from deliberate.demo.papers import paper_storylines
from deliberate.demo.people import ADMIN, CONVENER, DEMO_PASSWORD, demo_email, people_storylines
from deliberate.demo.rules import rules_storylines
from deliberate.demo.tendencies import tendency_storylines
from deliberate.demo.tokens import token_storylines
from deliberate.demo.votes import vote_storylines
from deliberate.demo.world import DemoClock, DemoWorld
from deliberate.extensions import db

__all__ = [
    "DEMO_PASSWORD",
    "DemoWorld",
    "demo_loaded",
    "demo_logins",
    "demo_walkthrough",
    "load_demo",
]

SEED = 2026  # the jitter of the demo's moments


def demo_loaded() -> bool:
    admin_email = demo_email(ADMIN)
    return db.session.scalar(select(Member.id).where(Member.email == admin_email)) is not None


def demo_logins() -> dict[str, str]:
    """The accounts a newcomer should try, by what they show."""
    return {
        "admin": demo_email(ADMIN),
        "convener": demo_email(CONVENER),
        "tendency coordinator": demo_email("Rosa Keller"),
        "member": demo_email("Mei Lin"),
        "member without tendency": demo_email("Zainab Sesay"),
    }


def demo_walkthrough() -> dict[str, str]:
    """What each account of `demo_logins` shows first, by the same keys."""
    return {
        "admin": "members, invitations and the audit log; the archive of decision records",
        "convener": (
            "home: the Northgate by-election's evaluation is due and the spring assembly's "
            "record awaits its statements and seal; the Millstone library's sealed evaluation"
        ),
        "tendency coordinator": (
            "the Caucus's minority report on the Northgate by-election, beside her own "
            "registered disagreement; home: a request to join the Caucus and replies to her "
            "comments"
        ),
        "member": (
            "home, under Needs you: her commitment on the Northgate by-election is not recorded "
            "yet, and an amendment of her tendency awaits seconders"
        ),
        "member without tendency": (
            "her entry on the Northgate by-election, revised to add a registered disagreement"
        ),
    }


def load_demo(now: datetime | None = None) -> DemoWorld:
    """Create the demo organization, dated in the weeks before `now` (default: the present).

    The same `now` gives the same rows and times. Flushes; the caller commits.
    """
    world = DemoWorld(DemoClock(now or utcnow(), SEED))
    world.clock.run(
        [
            *people_storylines(world),
            *tendency_storylines(world),
            *draft_storylines(world),
            *rules_storylines(world),
            *paper_storylines(world),
            *debate_storylines(world),
            *body_storylines(world),
            *vote_storylines(world),
            *decision_storylines(world),
            *token_storylines(world),
        ]
    )
    quiet_history(world)
    return world
