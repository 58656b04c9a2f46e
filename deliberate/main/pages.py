"""What the home page shows a member: the drafts under deliberation, the tendencies, and where
the member stands. It imports Flask only for rendering, never for state."""

from __future__ import annotations

from typing import Any

from deliberate import fragments
from deliberate.accounts.models import Member
from deliberate.accounts.services import count_members
from deliberate.decisions.panels import home_context
from deliberate.drafts.models import DRAFTS_STAMP
from deliberate.drafts.queries import drafts_index
from deliberate.fragments import PEOPLE
from deliberate.tendencies.queries import (
    current_membership,
    pending_request_count,
    tendency_coordinators,
    tendency_sizes,
    tendency_summaries,
)

HOME_DRAFTS = 5


def index_context(member: Member) -> dict[str, Any]:
    """What the home page shows a member: the latest drafts and the tendencies (a part the page
    cache keeps), the member count, the member's tendency and, to its coordinators, how many
    ask to join it, and the decisions panel."""
    # The stamps first, then the rows: what is kept was read after its tokens (fragments.py).
    stamps = fragments.tokens(DRAFTS_STAMP, PEOPLE)
    mine = current_membership(member)
    coordinating = (
        mine is not None and member.is_active and (member.is_admin or mine.is_coordinator)
    )
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
        "waiting": pending_request_count(mine.tendency) if coordinating and mine is not None else 0,
        **home_context(member),
    }
