"""The papers panel other pages include: what each tendency says about a subject."""

from __future__ import annotations

from typing import Any

from deliberate import fragments
from deliberate.auth import actor
from deliberate.fragments import PEOPLE
from deliberate.papers import queries
from deliberate.papers.models import PAPERS_STAMP
from deliberate.subjects import Subject
from deliberate.tendencies.queries import kept_membership, tendency_sizes


def positions_context(
    subject: Subject, *, stamps: fragments.Tokens | None = None
) -> dict[str, Any]:
    """What `papers/_tendencies_say.html` needs, for any page that shows a subject: the panel,
    rendered once and kept for every reader in the same tendency with the same role (the
    panel tells them what their tendency is drafting and lets coordinators write). `stamps`,
    when the page read them first, must include the papers', the people's and the subject's.
    """
    keys = (PAPERS_STAMP, PEOPLE, *subject.stamps)
    stamps = stamps.covering(*keys) if stamps else fragments.tokens(*keys)
    viewer = actor()
    membership = kept_membership(viewer, stamps)
    variant = (
        subject.state,
        membership.tendency_id if membership else None,
        bool(membership and membership.is_coordinator),
        tuple(sorted(tendency_sizes().items())),  # themselves read at most every few seconds
    )
    panel = fragments.part(
        "positions",
        stamps,
        variant,
        lambda: fragments.Part(
            (
                fragments.rendered(
                    "papers/_positions.html",
                    tendency_positions=queries.positions(subject, viewer),
                ),
            )
        ),
    )
    # The viewer's membership, read here anyway, for the page's own use.
    return {"tendency_positions": panel.pieces[0], "viewer_membership": membership}
