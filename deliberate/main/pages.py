"""What the home page shows a member: the drafts under deliberation, the tendencies, and where
the member stands. It imports Flask only for rendering, never for state."""

from __future__ import annotations

from typing import Any

from deliberate import fragments
from deliberate.accounts.models import Member
from deliberate.accounts.services import count_members
from deliberate.database import utcnow
from deliberate.decisions.panels import home_context
from deliberate.drafts.models import DRAFTS_STAMP
from deliberate.drafts.queries import drafts_index
from deliberate.fragments import PEOPLE
from deliberate.main import needs
from deliberate.tendencies.queries import (
    current_membership,
    tendency_coordinators,
    tendency_sizes,
    tendency_summaries,
)

HOME_DRAFTS = 5


def index_context(member: Member) -> dict[str, Any]:
    """What the home page shows a member: what waits for them (deliberate/main/needs.py), the
    latest drafts and the tendencies (a part the page cache keeps), the member count, the
    member's tendency, and the decisions panel."""
    # The stamps first, then the rows: what is kept was read after its tokens (fragments.py).
    stamps = fragments.tokens(DRAFTS_STAMP, PEOPLE)
    mine = current_membership(member)
    sizes, coordinators = tendency_sizes(), tendency_coordinators()  # kept a few seconds

    def render() -> fragments.Part:
        summaries, more_drafts = drafts_index(1)
        return fragments.Part(
            fragments.rendered_blocks(
                "main/_deliberation.html",
                summaries=summaries[:HOME_DRAFTS],
                more_drafts=more_drafts or len(summaries) > HOME_DRAFTS,
                tendencies=tendency_summaries(),
            ),
        )

    variant = (
        tuple(sorted(sizes.items())),
        tuple((k, tuple(names)) for k, names in sorted(coordinators.items())),
    )
    return {
        "parts": fragments.part("home", stamps, variant, render),
        "member_count": count_members(),
        "mine": mine,
        "needs": needs.sections(member, utcnow(), people=stamps.only(PEOPLE)),
        **home_context(member),
    }
