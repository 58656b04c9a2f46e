"""Read-side selects for drafts, versions and amendments, each page in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from deliberate.accounts.models import Member
from deliberate.drafts.models import (
    OPEN_AMENDMENT_STATES,
    Amendment,
    AmendmentCosponsor,
    AmendmentEvent,
    AmendmentSecond,
    AmendmentState,
    CompetitionGroup,
    Draft,
    DraftConvener,
    DraftParagraph,
    DraftVersion,
)
from deliberate.extensions import db
from deliberate.tendencies.models import Tendency

DRAFTS_PER_PAGE = 50


def named_convener_ids(draft: Draft) -> set[int]:
    return set(
        db.session.scalars(
            select(DraftConvener.member_id).where(DraftConvener.draft_id == draft.id)
        )
    )


def named_conveners(draft: Draft) -> list[Member]:
    return list(
        db.session.scalars(
            select(Member)
            .join(DraftConvener, DraftConvener.member_id == Member.id)
            .where(DraftConvener.draft_id == draft.id)
            .order_by(Member.display_name)
        )
    )


def version(draft: Draft, number: int) -> DraftVersion | None:
    """Version `number` of `draft` with its paragraphs and author loaded."""
    return db.session.scalar(
        select(DraftVersion)
        .options(selectinload(DraftVersion.paragraphs), joinedload(DraftVersion.author))
        .where(DraftVersion.draft_id == draft.id, DraftVersion.number == number)
    )


def current_version(draft: Draft) -> DraftVersion:
    found = version(draft, draft.current_version_number)
    if found is None:  # pragma: no cover - the schema and services keep it present
        raise LookupError(f"draft {draft.id} has no version {draft.current_version_number}")
    return found


def versions(draft: Draft) -> list[DraftVersion]:
    """Every version of the draft, newest first, with authors (no bodies needed)."""
    return list(
        db.session.scalars(
            select(DraftVersion)
            .options(joinedload(DraftVersion.author))
            .where(DraftVersion.draft_id == draft.id)
            .order_by(DraftVersion.number.desc())
        )
    )


def amendment_by_number(draft: Draft, number: int) -> Amendment | None:
    return db.session.scalar(
        select(Amendment)
        .options(
            joinedload(Amendment.proposer),
            joinedload(Amendment.sponsor_tendency),
            joinedload(Amendment.competition_group),
        )
        .where(Amendment.draft_id == draft.id, Amendment.number == number)
    )


def open_amendments_on(version_id: int) -> list[Amendment]:
    """Amendments still in play against the given version."""
    return list(
        db.session.scalars(
            select(Amendment)
            .where(Amendment.version_id == version_id, Amendment.state.in_(OPEN_AMENDMENT_STATES))
            .order_by(Amendment.number)
        )
    )


def second_counts(amendment_ids: list[int]) -> dict[int, int]:
    if not amendment_ids:
        return {}
    return dict(
        db.session.execute(
            select(AmendmentSecond.amendment_id, func.count())
            .where(AmendmentSecond.amendment_id.in_(amendment_ids))
            .group_by(AmendmentSecond.amendment_id)
        ).all()
    )


def second_count(amendment: Amendment) -> int:
    return second_counts([amendment.id]).get(amendment.id, 0)


def has_seconded(member: Member, amendment: Amendment) -> bool:
    return (
        db.session.scalar(
            select(AmendmentSecond.id).where(
                AmendmentSecond.amendment_id == amendment.id,
                AmendmentSecond.member_id == member.id,
            )
        )
        is not None
    )


def has_cosponsored(member: Member, amendment: Amendment) -> bool:
    return (
        db.session.scalar(
            select(AmendmentCosponsor.id).where(
                AmendmentCosponsor.amendment_id == amendment.id,
                AmendmentCosponsor.member_id == member.id,
            )
        )
        is not None
    )


def cosponsor_tendencies(amendment_ids: list[int]) -> dict[int, list[Tendency]]:
    """For each amendment, the distinct tendencies of its co-sponsors, by name."""
    if not amendment_ids:
        return {}
    rows = db.session.execute(
        select(AmendmentCosponsor.amendment_id, Tendency)
        .join(Tendency, Tendency.id == AmendmentCosponsor.tendency_id)
        .where(AmendmentCosponsor.amendment_id.in_(amendment_ids))
        .distinct()
        .order_by(AmendmentCosponsor.amendment_id, Tendency.name)
    ).all()
    result: dict[int, list[Tendency]] = defaultdict(list)
    for amendment_id, tendency in rows:
        result[amendment_id].append(tendency)
    return dict(result)


# --- pages ------------------------------------------------------------------------------------


@dataclass
class DraftSummary:
    draft: Draft
    open_amendments: int
    all_amendments: int


def drafts_index(page: int = 1) -> tuple[list[DraftSummary], bool]:
    """Drafts, most recently changed first, with amendment counts (two queries)."""
    drafts = list(
        db.session.scalars(
            select(Draft)
            .order_by(Draft.updated_at.desc(), Draft.id.desc())
            .limit(DRAFTS_PER_PAGE + 1)
            .offset((page - 1) * DRAFTS_PER_PAGE)
        )
    )
    has_more = len(drafts) > DRAFTS_PER_PAGE
    drafts = drafts[:DRAFTS_PER_PAGE]
    counts: dict[int, tuple[int, int]] = {}
    if drafts:
        open_states = [s.value for s in OPEN_AMENDMENT_STATES] + [AmendmentState.NEEDS_UPDATE]
        for draft_id, total, open_count in db.session.execute(
            select(
                Amendment.draft_id,
                func.count(),
                func.count().filter(Amendment.state.in_(open_states)),
            )
            .where(Amendment.draft_id.in_([d.id for d in drafts]))
            .group_by(Amendment.draft_id)
        ):
            counts[draft_id] = (open_count, total)
    return [DraftSummary(d, *counts.get(d.id, (0, 0))) for d in drafts], has_more


@dataclass
class DraftPage:
    draft: Draft
    version: DraftVersion
    amendments: list[Amendment]
    seconds: dict[int, int]
    cosponsors: dict[int, list[Tendency]]
    groups: dict[int, CompetitionGroup]
    versions: list[DraftVersion]
    conveners: list[Member]
    proposer_tendencies: dict[int, Tendency] = field(default_factory=dict)


def draft_page(draft: Draft) -> DraftPage:
    """Everything the draft page shows, in a fixed number of queries whatever the size."""
    from deliberate.tendencies.queries import tendencies_of

    version_ = current_version(draft)  # 2 queries: version + author, paragraphs
    amendments = list(
        db.session.scalars(
            select(Amendment)
            .options(joinedload(Amendment.proposer), joinedload(Amendment.sponsor_tendency))
            .where(Amendment.draft_id == draft.id)
            .order_by(Amendment.number)
        )
    )
    ids = [a.id for a in amendments]
    groups = {
        g.id: g
        for g in db.session.scalars(
            select(CompetitionGroup).where(CompetitionGroup.draft_id == draft.id)
        )
    }
    return DraftPage(
        draft=draft,
        version=version_,
        amendments=amendments,
        seconds=second_counts(ids),
        cosponsors=cosponsor_tendencies(ids),
        groups=groups,
        versions=versions(draft),
        conveners=named_conveners(draft),
        proposer_tendencies=tendencies_of(sorted({a.proposer_id for a in amendments})),
    )


@dataclass
class AmendmentPage:
    amendment: Amendment
    version: DraftVersion
    current: DraftVersion | None
    seconders: list[Member]
    cosponsors: list[AmendmentCosponsor]
    events: list[AmendmentEvent]
    competitors: list[Amendment]
    proposer_tendency: Tendency | None


def amendment_page(draft: Draft, amendment: Amendment) -> AmendmentPage:
    from deliberate.tendencies.queries import tendencies_of

    base = db.session.scalar(
        select(DraftVersion)
        .options(selectinload(DraftVersion.paragraphs))
        .where(DraftVersion.id == amendment.version_id)
    )
    assert base is not None  # noqa: S101 (foreign key)
    current = (
        base
        if base.number == draft.current_version_number
        else db.session.scalar(
            select(DraftVersion).where(
                DraftVersion.draft_id == draft.id,
                DraftVersion.number == draft.current_version_number,
            )
        )
    )
    seconders = list(
        db.session.scalars(
            select(Member)
            .join(AmendmentSecond, AmendmentSecond.member_id == Member.id)
            .where(AmendmentSecond.amendment_id == amendment.id)
            .order_by(AmendmentSecond.created_at, AmendmentSecond.id)
        )
    )
    cosponsors = list(
        db.session.scalars(
            select(AmendmentCosponsor)
            .options(joinedload(AmendmentCosponsor.member), joinedload(AmendmentCosponsor.tendency))
            .where(AmendmentCosponsor.amendment_id == amendment.id)
            .order_by(AmendmentCosponsor.created_at, AmendmentCosponsor.id)
        )
    )
    events = list(
        db.session.scalars(
            select(AmendmentEvent)
            .options(joinedload(AmendmentEvent.actor))
            .where(AmendmentEvent.amendment_id == amendment.id)
            .order_by(AmendmentEvent.id)
        )
    )
    competitors: list[Amendment] = []
    if amendment.competition_group_id is not None:
        competitors = list(
            db.session.scalars(
                select(Amendment)
                .where(
                    Amendment.competition_group_id == amendment.competition_group_id,
                    Amendment.id != amendment.id,
                )
                .order_by(Amendment.number)
            )
        )
    return AmendmentPage(
        amendment=amendment,
        version=base,
        current=current,
        seconders=seconders,
        cosponsors=cosponsors,
        events=events,
        competitors=competitors,
        proposer_tendency=tendencies_of([amendment.proposer_id]).get(amendment.proposer_id),
    )


def paragraphs_of(version_id: int) -> list[DraftParagraph]:
    return list(
        db.session.scalars(
            select(DraftParagraph)
            .where(DraftParagraph.version_id == version_id)
            .order_by(DraftParagraph.number)
        )
    )
