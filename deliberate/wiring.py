"""The one list of what the domains register with each other, imported by create_app."""

from __future__ import annotations


def connect() -> None:
    """Import each domain's registering modules (registering is their import's effect)."""
    import deliberate.accounts.watches
    import deliberate.debate.watches
    import deliberate.decisions.subjects
    import deliberate.drafts.subjects
    import deliberate.drafts.voting
    import deliberate.drafts.watches
    import deliberate.papers.subjects
    import deliberate.papers.watches
    import deliberate.tendencies.watches
    import deliberate.voting.subjects  # noqa: F401
