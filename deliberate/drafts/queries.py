"""Read-side selects for drafts, versions and amendments, each page in a fixed number of queries."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from deliberate.accounts.models import Member
from deliberate.database import MemberId
from deliberate.drafts import rendered, rules, text
from deliberate.drafts.models import (
    Amendment,
    AmendmentCosponsor,
    AmendmentEvent,
    AmendmentKind,
    AmendmentSecond,
    AmendmentState,
    CompetitionGroup,
    Draft,
    DraftConvener,
    DraftParagraph,
    DraftVersion,
)
from deliberate.errors import NotFound
from deliberate.extensions import db
from deliberate.search import name_holds
from deliberate.tendencies.models import Tendency, TendencyMembership

DRAFTS_PER_PAGE = 50


def as_change(amendment: Amendment) -> text.Change:
    """The amendment as a paragraph change of the version it is based on."""
    paragraphs = (
        ()
        if amendment.kind == AmendmentKind.DELETE
        else tuple(text.split_paragraphs(amendment.new_text))
    )
    return text.Change(
        amendment.kind,
        amendment.first_paragraph,
        amendment.last_paragraph,
        paragraphs,
        label=amendment.label,
    )


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


def version_head(draft: Draft, number: int) -> DraftVersion | None:
    """Version `number` of `draft` with its author, without its paragraphs (pages take them
    from `rendered.paragraphs`, read once per process)."""
    return db.session.scalar(
        select(DraftVersion)
        .options(joinedload(DraftVersion.author))
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


def amendments_of(draft: Draft) -> list[Amendment]:
    """Every amendment of `draft`, by number (without their relations)."""
    return list(
        db.session.scalars(
            select(Amendment).where(Amendment.draft_id == draft.id).order_by(Amendment.number)
        )
    )


def open_amendments_on(version_id: int) -> list[Amendment]:
    """Amendments still in play against the given version."""
    return list(
        db.session.scalars(
            select(Amendment)
            .where(
                Amendment.version_id == version_id, Amendment.state.in_(rules.OPEN_AMENDMENT_STATES)
            )
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
        )
        .tuples()
        .all()
    )


def second_count(amendment: Amendment) -> int:
    return second_counts([amendment.id]).get(amendment.id, 0)


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
        for draft_id, total, open_count in db.session.execute(
            select(
                Amendment.draft_id,
                func.count(),
                func.count().filter(Amendment.state.in_(rules.LIVE_AMENDMENT_STATES)),
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
    paragraphs: tuple[rendered.ShownParagraph, ...] = ()


def draft_page(draft: Draft) -> DraftPage:
    """Everything the draft page shows, in a fixed number of queries whatever the size."""
    from deliberate.tendencies.queries import tendencies_of

    version_ = version_head(draft, draft.current_version_number)
    if version_ is None:  # pragma: no cover - the schema and services keep it present
        raise LookupError(f"draft {draft.id} has no version {draft.current_version_number}")
    # The page's debate panels ask the draft for its current version: hand them this one.
    set_committed_value(draft, "current_version", version_)
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
        paragraphs=rendered.paragraphs(version_),
    )


@dataclass(frozen=True)
class ParagraphLines:
    """A paragraph's text and line range, without its rendered HTML."""

    number: int
    markdown: str
    first_line: int
    last_line: int


@dataclass
class AmendmentPage:
    amendment: Amendment
    version: DraftVersion
    paragraphs: Sequence[ParagraphLines | rendered.ShownParagraph]
    current: DraftVersion | None
    seconders: list[Member]  # the first FEW_NAMES of them
    cosponsors: list[AmendmentCosponsor]  # the first FEW_NAMES of them
    events: list[AmendmentEvent]
    competitors: list[Amendment]
    proposer_tendency: Tendency | None
    seconder_count: int = 0
    cosponsor_count: int = 0
    cosponsor_tendencies: list[Tendency] = field(default_factory=list)


@dataclass(frozen=True)
class Support:
    """How many second and co-sponsor an amendment, and whether the viewer does."""

    seconds: int
    cosponsors: int
    viewer_seconded: bool
    viewer_cosponsors: bool


def amendment_for(draft_id: int, number: int, viewer: Member) -> ViewedAmendment | None:
    """The amendment numbered `number` of the draft, with its draft, and whether the viewer
    seconds and co-sponsors it, in one query; None when there is no such amendment (or no
    such draft). (Its proposer, sponsor and group: `with_relations`, when shown.)"""
    row = db.session.execute(
        select(
            Amendment,
            exists().where(
                AmendmentSecond.amendment_id == Amendment.id,
                AmendmentSecond.member_id == viewer.id,
            ),
            exists().where(
                AmendmentCosponsor.amendment_id == Amendment.id,
                AmendmentCosponsor.member_id == viewer.id,
            ),
        )
        .join(Amendment.draft)
        .options(contains_eager(Amendment.draft))
        .where(Amendment.draft_id == draft_id, Amendment.number == number)
    ).first()
    return None if row is None else ViewedAmendment(row[0], bool(row[1]), bool(row[2]))


def with_relations(
    amendment: Amendment, *, proposer: bool = True, sponsor: bool = True, group: bool = True
) -> Amendment:
    """The amendment with the relations asked for loaded (each read only if the session does
    not hold it already)."""
    for wanted, name, model, key in (
        (proposer, "proposer", Member, amendment.proposer_id),
        (sponsor, "sponsor_tendency", Tendency, amendment.sponsor_tendency_id),
        (group, "competition_group", CompetitionGroup, amendment.competition_group_id),
    ):
        if wanted and name not in amendment.__dict__:
            related = db.session.get(model, key) if key is not None else None
            set_committed_value(amendment, name, related)
    return amendment


@dataclass(frozen=True)
class ViewedAmendment:
    """An amendment as one viewer reads it: whether they second and co-sponsor it."""

    amendment: Amendment
    viewer_seconded: bool
    viewer_cosponsors: bool


def support_counts(amendment_id: int) -> tuple[int, int]:
    """How many second and how many co-sponsor the amendment, in one query."""
    counted = db.session.execute(
        select(
            select(func.count())
            .where(AmendmentSecond.amendment_id == amendment_id)
            .scalar_subquery(),
            select(func.count())
            .where(AmendmentCosponsor.amendment_id == amendment_id)
            .scalar_subquery(),
        )
    ).one()
    return int(counted[0]), int(counted[1])


def support_of(amendment: Amendment, viewer: Member) -> Support:
    """One query: the counts and the viewer's part in them."""
    counted = db.session.execute(
        select(
            select(func.count())
            .where(AmendmentSecond.amendment_id == amendment.id)
            .scalar_subquery(),
            select(func.count())
            .where(AmendmentCosponsor.amendment_id == amendment.id)
            .scalar_subquery(),
            exists().where(
                AmendmentSecond.amendment_id == amendment.id,
                AmendmentSecond.member_id == viewer.id,
            ),
            exists().where(
                AmendmentCosponsor.amendment_id == amendment.id,
                AmendmentCosponsor.member_id == viewer.id,
            ),
        )
    ).one()
    return Support(counted[0], counted[1], bool(counted[2]), bool(counted[3]))


# Names a page shows of a list of people before "and 412 others" links to the whole list.
FEW_NAMES = 12
SUPPORTERS_PAGE_SIZE = 100


def amendment_page(draft: Draft, amendment: Amendment, support: Support) -> AmendmentPage:
    """What the amendment page shows alike to every reader, with at most FEW_NAMES seconders
    and co-sponsors by name whatever their number (`support`: the counts, read already)."""
    from deliberate.tendencies.queries import tendencies_of

    base = db.session.get_one(DraftVersion, amendment.version_id)
    paragraphs = rendered.paragraphs(base)
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
    seconders, _ = amendment_seconders(amendment, page_size=FEW_NAMES)
    cosponsors, _ = amendment_cosponsors(amendment, page_size=FEW_NAMES)
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
        paragraphs=paragraphs,
        current=current,
        seconders=seconders,
        cosponsors=cosponsors,
        events=events,
        competitors=competitors,
        proposer_tendency=tendencies_of([amendment.proposer_id]).get(amendment.proposer_id),
        seconder_count=support.seconds,
        cosponsor_count=support.cosponsors,
        cosponsor_tendencies=cosponsor_tendencies([amendment.id]).get(amendment.id, []),
    )


def amendment_seconders(
    amendment: Amendment, *, search: str = "", page: int = 1, page_size: int = SUPPORTERS_PAGE_SIZE
) -> tuple[list[Member], bool]:
    """One page of the amendment's seconders whose name holds `search`, in the order they
    seconded; second item: whether more follow."""
    rows = list(
        db.session.scalars(
            select(Member)
            .join(AmendmentSecond, AmendmentSecond.member_id == Member.id)
            .where(AmendmentSecond.amendment_id == amendment.id, name_holds(search))
            .order_by(AmendmentSecond.created_at, AmendmentSecond.id)
            .limit(page_size + 1)
            .offset((page - 1) * page_size)
        )
    )
    return rows[:page_size], len(rows) > page_size


def amendment_cosponsors(
    amendment: Amendment, *, search: str = "", page: int = 1, page_size: int = SUPPORTERS_PAGE_SIZE
) -> tuple[list[AmendmentCosponsor], bool]:
    """One page of the amendment's co-sponsors, with their tendencies, whose name holds
    `search`, in the order they signed; second item: whether more follow."""
    rows = list(
        db.session.scalars(
            select(AmendmentCosponsor)
            .options(joinedload(AmendmentCosponsor.member), joinedload(AmendmentCosponsor.tendency))
            .join(Member, Member.id == AmendmentCosponsor.member_id)
            .where(AmendmentCosponsor.amendment_id == amendment.id, name_holds(search))
            .order_by(AmendmentCosponsor.created_at, AmendmentCosponsor.id)
            .limit(page_size + 1)
            .offset((page - 1) * page_size)
        )
    )
    return rows[:page_size], len(rows) > page_size


def paragraphs_of(version_id: int) -> list[DraftParagraph]:
    return list(
        db.session.scalars(
            select(DraftParagraph)
            .where(DraftParagraph.version_id == version_id)
            .order_by(DraftParagraph.number)
        )
    )


# --- page layout (pure: works on what the queries above loaded) -------------------------------


def and_join(names: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def sponsorship_line(amendment: Amendment, cosponsors: list[Tendency]) -> str | None:
    """ "Tabled by A, supported by members of B and C", or the pending request, or None."""
    if amendment.sponsor_tendency is None:
        return None
    name = amendment.sponsor_tendency.name
    if amendment.sponsor_confirmed_at is None:
        return f"Sponsorship by {name} requested; awaiting a coordinator."
    line = f"Tabled by {name}"
    if cosponsors:
        line += ", supported by members of " + and_join([t.name for t in cosponsors])
    return line + "."


@dataclass
class DraftLayout:
    markers: dict[int, list[Amendment]]
    whole_text: list[Amendment]
    groups: list[tuple[CompetitionGroup, list[Amendment]]]
    sections: list[tuple[AmendmentState, list[Amendment]]]
    overlaps: dict[int, list[Amendment]]
    mergeable: list[Amendment]
    groupable: list[Amendment]
    sponsorship: dict[int, str]


@dataclass(frozen=True)
class TextWindow:
    """Which paragraphs of a long text a page shows: part `number` of `count`, `size` at a
    time."""

    number: int
    count: int
    size: int

    @classmethod
    def of(cls, paragraphs: int, size: int, number: int) -> TextWindow:
        """Part `number` of a text of `paragraphs`; NotFound beyond its last part."""
        count = max(1, -(-paragraphs // size))
        if number > count:
            raise NotFound(f"This text has {count} part{'' if count == 1 else 's'}.")
        return cls(number, count, size)

    def bounds(self, part: int) -> tuple[int, int]:
        """The first and last paragraph numbers of `part` (the last may be past the end)."""
        return (part - 1) * self.size + 1, part * self.size

    def holds(self, paragraph: int) -> bool:
        first, last = self.bounds(self.number)
        return first <= paragraph <= last


@dataclass
class AmendmentListing:
    """A page of a draft's amendments, all of them or one state's or one group's."""

    page: DraftPage
    layout: DraftLayout
    state: str | None
    group: CompetitionGroup | None
    counts: Counter[str]  # amendments per state, whatever is chosen
    rows: list[Amendment]
    page_number: int
    has_more: bool


def amendment_listing(
    draft: Draft, state: str | None, group_number: int | None, page_number: int
) -> AmendmentListing:
    """Page `page_number` of the amendments of `draft` in `state` (all when None) and of
    competing group `group_number` (all when None); NotFound for a group the draft lacks."""
    page = draft_page(draft)
    group = None
    if group_number is not None:
        group = next((g for g in page.groups.values() if g.number == group_number), None)
        if group is None:
            raise NotFound(f"This draft has no competing group {group_number}.")
    chosen = [
        a
        for a in page.amendments
        if (state is None or a.state == state)
        and (group is None or a.competition_group_id == group.id)
    ]
    size = SUPPORTERS_PAGE_SIZE
    return AmendmentListing(
        page=page,
        layout=draft_layout(page),
        state=state,
        group=group,
        counts=Counter(a.state for a in page.amendments),
        rows=chosen[(page_number - 1) * size : page_number * size],
        page_number=page_number,
        has_more=len(chosen) > page_number * size,
    )


def draft_layout(page: DraftPage) -> DraftLayout:
    """Arrange the draft page's amendments: margin markers per paragraph, competition groups,
    status sections, overlaps between open amendments, and what conveners may select."""
    version_id = page.version.id
    current_open = [
        a
        for a in page.amendments
        if a.version_id == version_id and a.state in rules.OPEN_AMENDMENT_STATES
    ]
    markers: dict[int, list[Amendment]] = defaultdict(list)
    whole_text = []
    for amendment in current_open:
        if amendment.kind == "substitute":
            whole_text.append(amendment)
        elif amendment.kind == "insert_after":
            markers[max(amendment.first_paragraph, 1)].append(amendment)
        else:
            for number in range(amendment.first_paragraph, amendment.last_paragraph + 1):
                markers[number].append(amendment)

    # Overlaps by a sweep over ranges sorted by start; a substitute competes with everything
    # and says so itself, so it is left out of the pairwise list.
    overlaps: dict[int, list[Amendment]] = defaultdict(list)
    ranged = sorted(
        (a for a in current_open if a.kind != "substitute"),
        key=lambda a: (a.first_paragraph, a.last_paragraph),
    )
    changes = {a.id: as_change(a) for a in ranged}
    for index, amendment in enumerate(ranged):
        for other in ranged[index + 1 :]:
            if other.first_paragraph > amendment.last_paragraph:
                break
            if text.collides(changes[amendment.id], changes[other.id]):
                overlaps[amendment.id].append(other)
                overlaps[other.id].append(amendment)

    grouped: dict[int, list[Amendment]] = defaultdict(list)
    for amendment in page.amendments:
        if (
            amendment.competition_group_id is not None
            and amendment.state in rules.LIVE_AMENDMENT_STATES
        ):
            grouped[amendment.competition_group_id].append(amendment)
    groups = [
        (page.groups[group_id], members)
        for group_id, members in sorted(grouped.items(), key=lambda kv: page.groups[kv[0]].number)
        if len(members) >= 2
    ]
    in_groups = {a.id for _group, members in groups for a in members}
    by_state: dict[str, list[Amendment]] = defaultdict(list)
    for amendment in page.amendments:
        if amendment.id not in in_groups:
            by_state[amendment.state].append(amendment)
    sections = [
        (state, by_state[state]) for state in rules.AMENDMENT_STATE_ORDER if by_state.get(state)
    ]
    sponsorship = {}
    for amendment in page.amendments:
        line = sponsorship_line(amendment, page.cosponsors.get(amendment.id, []))
        if line:
            sponsorship[amendment.id] = line
    return DraftLayout(
        markers=dict(markers),
        whole_text=whole_text,
        groups=groups,
        sections=sections,
        overlaps=dict(overlaps),
        mergeable=[a for a in current_open if a.state in rules.MERGEABLE_AMENDMENT_STATES],
        groupable=[a for a in page.amendments if a.state in rules.LIVE_AMENDMENT_STATES],
        sponsorship=sponsorship,
    )


# --- what waits for a member ("needs you", deliberate/main/needs.py) ---------------------------

# (amendment id, draft id, number, title, draft title): what a list of amendments shows.
_LISTED = (Amendment.id, Amendment.draft_id, Amendment.number, Amendment.title, Draft.title)


def amendments_to_update(member_id: MemberId) -> Select[Any]:
    """The member's amendments flagged for update by a new version, while the draft still
    lets its proposer update them: the oldest flag first."""
    return (
        select(*_LISTED)
        .join(Draft, Draft.id == Amendment.draft_id)
        .where(
            Amendment.proposer_id == member_id,
            Amendment.state == AmendmentState.NEEDS_UPDATE,
            Draft.state.in_(rules.SECONDING_DRAFT_STATES),
        )
        .order_by(Amendment.updated_at, Amendment.id)
    )


def seconding_requests(member_id: MemberId, tendency_ids: Select[tuple[int]]) -> Select[Any]:
    """Amendments awaiting seconders that members of the member's tendency (`tendency_ids`,
    their current one) propose, or that ask it for sponsorship, which the member has neither
    proposed nor seconded: the oldest first."""
    seconded = exists().where(
        AmendmentSecond.amendment_id == Amendment.id, AmendmentSecond.member_id == member_id
    )
    comrade = (
        select(TendencyMembership.id)
        .where(
            TendencyMembership.member_id == Amendment.proposer_id,
            TendencyMembership.left_at.is_(None),
            TendencyMembership.tendency_id.in_(tendency_ids),
        )
        .exists()
    )
    return (
        select(*_LISTED)
        .join(Draft, Draft.id == Amendment.draft_id)
        .where(
            Amendment.state == AmendmentState.PROPOSED,
            Draft.state.in_(rules.SECONDING_DRAFT_STATES),
            Amendment.proposer_id != member_id,
            or_(comrade, Amendment.sponsor_tendency_id.in_(tendency_ids)),
            ~seconded,
        )
        .order_by(Amendment.created_at, Amendment.id)
    )


def sponsorship_requests(tendency_ids: Select[tuple[int]]) -> Select[Any]:
    """Amendments asking a tendency of `tendency_ids` (the one the member coordinates) to
    sponsor them, not yet confirmed or declined, while sponsorship may change: oldest first."""
    return (
        select(*_LISTED)
        .join(Draft, Draft.id == Amendment.draft_id)
        .where(
            Amendment.sponsor_tendency_id.in_(tendency_ids),
            Amendment.sponsor_confirmed_at.is_(None),
            Amendment.state.in_(rules.SPONSORABLE_AMENDMENT_STATES),
            Draft.state.not_in(rules.FINAL_DRAFT_STATES),
        )
        .order_by(Amendment.updated_at, Amendment.id)
    )
