"""Builders for drafts and amendments (through the services, so the rules hold)."""

from __future__ import annotations

from datetime import timedelta

from deliberate.accounts.models import Member, MemberRole
from deliberate.database import utcnow
from deliberate.drafts import services
from deliberate.drafts.models import Amendment, Draft
from tests.factories import make_member


def paragraph_text(number: int) -> str:
    return (
        f"Paragraph {number}: the branch commits to organizing tenants in building {number} "
        "and reports back to the assembly every month."
    )


def make_draft(
    convener: Member | None = None,
    *,
    paragraphs: int = 5,
    body: str | None = None,
    open_window: bool = True,
    seconds_required: int = 2,
    title: str = "Housing resolution",
) -> Draft:
    convener = convener or make_member(role=MemberRole.CONVENER)
    draft = services.create_draft(
        convener,
        title=title,
        kind="resolution",
        body=body or "\n\n".join(paragraph_text(i) for i in range(1, paragraphs + 1)),
        seconds_required=seconds_required,
    )
    if open_window:
        services.open_amendment_window(convener, draft, utcnow() + timedelta(days=7))
    return draft


def propose(
    member: Member,
    draft: Draft,
    *,
    kind: str = "replace",
    first: int | None = 1,
    last: int | None = 1,
    new_text: str = "A new paragraph written by a member.",
    title: str = "Sharpen the aim",
    rationale: str = "Because it is *clearer*.",
) -> Amendment:
    return services.propose_amendment(
        member,
        draft,
        version_number=draft.current_version_number,
        kind=kind,
        first=first,
        last=last,
        new_text="" if kind == "delete" else new_text,
        title=title,
        rationale=rationale,
    )


def table(amendment: Amendment, count: int = 2) -> list[Member]:
    """Second `amendment` by `count` new members."""
    seconders = [make_member() for _ in range(count)]
    for member in seconders:
        services.second_amendment(member, amendment)
    return seconders
