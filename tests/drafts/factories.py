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
    """A draft made by the drafts service, by a new convener unless one is given, of
    `paragraphs` numbered paragraphs (or `body`), its amendment window open for a week
    unless `open_window` is false. The one draft builder of every domain's tests."""
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


def bulk_amendments(draft: Draft, members: list[Member], count: int, seed: int = 7) -> None:
    """Insert `count` amendments of every kind and state straight into the tables, with
    seconds, co-sponsors and competition groups: the shape of a large, busy draft."""
    import random

    from sqlalchemy import select

    from deliberate.drafts.models import (
        AmendmentCosponsor,
        AmendmentKind,
        AmendmentSecond,
        AmendmentState,
        CompetitionGroup,
        DraftVersion,
    )
    from deliberate.extensions import db
    from deliberate.markup import render_markdown
    from deliberate.tendencies.queries import tendencies_of

    rng = random.Random(seed)
    versions = {
        v.number: v
        for v in db.session.scalars(select(DraftVersion).where(DraftVersion.draft_id == draft.id))
    }
    current = versions[draft.current_version_number]
    oldest = versions[1]
    n = current.paragraph_count
    groups = [CompetitionGroup(draft_id=draft.id, number=i) for i in range(1, 6)]
    db.session.add_all(groups)
    db.session.flush()
    badges = tendencies_of([m.id for m in members])
    amendments = []
    for index in range(count):
        kind = rng.choice(list(AmendmentKind))
        state = rng.choice(list(AmendmentState))
        first = rng.randint(1, n)
        last = min(n, first + rng.randint(0, 3))
        if kind == AmendmentKind.INSERT_AFTER:
            last = first
        if kind == AmendmentKind.SUBSTITUTE:
            first, last = 1, n
        proposer = rng.choice(members)
        sponsor = badges.get(proposer.id) if rng.random() < 0.3 else None
        rationale = f"Reason number {index}, with *emphasis*."
        amendments.append(
            Amendment(
                draft_id=draft.id,
                number=draft.next_amendment_number + index,
                version_id=(oldest if state == AmendmentState.NEEDS_UPDATE else current).id,
                kind=kind,
                first_paragraph=first,
                last_paragraph=last,
                new_text="" if kind == AmendmentKind.DELETE else f"New text {index}.\n\nMore.",
                title=f"Amendment title {index}",
                rationale=rationale,
                rationale_html=render_markdown(rationale),
                proposer_id=proposer.id,
                state=state,
                competition_group_id=rng.choice(groups).id if rng.random() < 0.2 else None,
                sponsor_tendency_id=sponsor.id if sponsor else None,
                sponsor_confirmed_at=utcnow() if sponsor and rng.random() < 0.7 else None,
            )
        )
    draft.next_amendment_number += count
    db.session.add_all(amendments)
    db.session.flush()
    for amendment in amendments:
        for member in rng.sample(members, rng.randint(0, 3)):
            if member.id != amendment.proposer_id:
                db.session.add(AmendmentSecond(amendment_id=amendment.id, member_id=member.id))
        if amendment.sponsor_confirmed_at is not None:
            for member in rng.sample(members, 2):
                tendency = badges.get(member.id)
                if tendency and tendency.id != amendment.sponsor_tendency_id:
                    db.session.add(
                        AmendmentCosponsor(
                            amendment_id=amendment.id, member_id=member.id, tendency_id=tendency.id
                        )
                    )
    db.session.flush()
