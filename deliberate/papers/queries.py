"""Read-side selects for position papers: a paper, its history, what the tendencies say."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import joinedload

from deliberate.accounts.models import Member
from deliberate.extensions import db
from deliberate.papers.models import PaperRevision, PaperSignature, PaperState, PositionPaper
from deliberate.search import name_holds
from deliberate.subjects import RelatedSubject, Subject, kind_for
from deliberate.tendencies.models import Tendency
from deliberate.tendencies.queries import current_membership, tendency_sizes

PAGE_SIZE = 50


def paper_detail(paper_id: int) -> PositionPaper | None:
    """A paper with its tendency and current revision loaded."""
    return db.session.scalar(
        select(PositionPaper)
        .options(joinedload(PositionPaper.tendency), joinedload(PositionPaper.revision))
        .where(PositionPaper.id == paper_id)
    )


def revisions(paper: PositionPaper, *, include_working: bool) -> list[PaperRevision]:
    """The paper's revisions, newest first: the public ones, or all for its tendency."""
    query = (
        select(PaperRevision)
        .options(joinedload(PaperRevision.created_by))
        .where(PaperRevision.paper_id == paper.id)
        .order_by(PaperRevision.number.desc())
    )
    if not include_working:
        if paper.first_public_revision is None:
            return []
        query = query.where(PaperRevision.number >= paper.first_public_revision)
    return list(db.session.scalars(query))


def revision(paper: PositionPaper, number: int) -> PaperRevision | None:
    return db.session.scalar(
        select(PaperRevision)
        .options(joinedload(PaperRevision.created_by))
        .where(PaperRevision.paper_id == paper.id, PaperRevision.number == number)
    )


# Signatories a paper's page names before "and 412 others" links to the whole list.
FEW_SIGNATORIES = 24
SIGNATORIES_PAGE_SIZE = 100


def signatures(
    paper: PositionPaper,
    *,
    search: str = "",
    page: int = 1,
    page_size: int = SIGNATORIES_PAGE_SIZE,
) -> tuple[list[PaperSignature], bool]:
    """One page of the paper's signatures, in the order they were made, whose signatory's
    name holds `search`; second item: whether more follow."""
    rows = list(
        db.session.scalars(
            select(PaperSignature)
            .options(joinedload(PaperSignature.member))
            .join(Member, Member.id == PaperSignature.member_id)
            .where(PaperSignature.paper_id == paper.id, name_holds(search))
            .order_by(PaperSignature.signed_at, PaperSignature.id)
            .limit(page_size + 1)
            .offset((page - 1) * page_size)
        )
    )
    return rows[:page_size], len(rows) > page_size


def signature_summary(paper: PositionPaper, viewer: Member) -> tuple[int, bool]:
    """How many have signed the paper, and whether `viewer` has."""
    count, signed = db.session.execute(
        select(
            select(func.count()).where(PaperSignature.paper_id == paper.id).scalar_subquery(),
            exists().where(
                PaperSignature.paper_id == paper.id, PaperSignature.member_id == viewer.id
            ),
        )
    ).one()
    return count, bool(signed)


def lineage(paper: PositionPaper, *, include_unpublished: bool) -> list[PositionPaper]:
    """All papers of the same tendency on the same subject, oldest first (the history)."""
    query = (
        select(PositionPaper)
        .where(
            PositionPaper.tendency_id == paper.tendency_id,
            PositionPaper.subject_type == paper.subject_type,
            PositionPaper.subject_id == paper.subject_id,
        )
        .order_by(PositionPaper.created_at, PositionPaper.id)
    )
    if not include_unpublished:
        query = query.where(
            or_(PositionPaper.first_public_revision.is_not(None), PositionPaper.id == paper.id)
        )
    return list(db.session.scalars(query))


FEW_NAMES_ON_CARDS = 12


@dataclass
class PaperCard:
    """A published paper as "What the tendencies say" shows it."""

    paper: PositionPaper
    on: RelatedSubject | None  # None: on the page's own subject
    signatories: list[str] = field(default_factory=list)  # the first FEW_NAMES_ON_CARDS
    signature_count: int = 0


@dataclass
class TendencyColumn:
    tendency: Tendency
    size: int
    main: PaperCard | None = None
    on_related: list[PaperCard] = field(default_factory=list)
    drafting: int = 0  # papers the viewer's own tendency is drafting here

    @property
    def has_papers(self) -> bool:
        return self.main is not None or bool(self.on_related)


@dataclass
class Positions:
    """Each tendency's published papers on a subject and on its related subjects."""

    subject: Subject
    columns: list[TendencyColumn]
    viewer_tendency_id: int | None
    viewer_coordinates: bool

    @property
    def any_papers(self) -> bool:
        return any(column.has_papers for column in self.columns)


def _on_any(subjects: Iterable[Subject | RelatedSubject]) -> ColumnElement[bool]:
    """Papers on any of `subjects`: one IN list per subject type, however many subjects."""
    ids_by_type: dict[str, list[int]] = {}
    for subject in subjects:
        ids_by_type.setdefault(subject.type.value, []).append(subject.id)
    return or_(
        *(
            and_(PositionPaper.subject_type == subject_type, PositionPaper.subject_id.in_(ids))
            for subject_type, ids in ids_by_type.items()
        )
    )


def positions(subject: Subject, viewer: Member) -> Positions:
    """What the tendencies say about `subject`: one column per tendency with its size, its
    published paper on the subject and its published papers on the related subjects (a
    draft's amendments). A fixed number of queries."""
    related = subject.related()
    related_by_key = {(r.type.value, r.id): r for r in related}
    tendencies = list(db.session.scalars(select(Tendency).order_by(Tendency.name)))
    sizes = tendency_sizes()
    where = _on_any([subject, *related])
    papers = list(
        db.session.scalars(
            select(PositionPaper)
            .options(joinedload(PositionPaper.revision))
            .where(where, PositionPaper.state == PaperState.PUBLISHED)
            .order_by(PositionPaper.published_at)
        )
    )
    names: dict[int, list[str]] = {}
    counts: dict[int, int] = {}
    if papers:
        ids = [p.id for p in papers]
        # The first few signatories of each paper, by a window over each paper's signatures,
        # and the counts: two queries whose answers do not grow with the signatures.
        ranked = (
            select(
                PaperSignature.paper_id,
                PaperSignature.member_id,
                func.row_number()
                .over(
                    partition_by=PaperSignature.paper_id,
                    order_by=(PaperSignature.signed_at, PaperSignature.id),
                )
                .label("n"),
            )
            .where(PaperSignature.paper_id.in_(ids))
            .subquery()
        )
        for paper_id, name in db.session.execute(
            select(ranked.c.paper_id, Member.display_name)
            .join(Member, Member.id == ranked.c.member_id)
            .where(ranked.c.n <= FEW_NAMES_ON_CARDS)
            .order_by(ranked.c.paper_id, ranked.c.n)
        ):
            names.setdefault(paper_id, []).append(name)
        counts = dict(
            db.session.execute(
                select(PaperSignature.paper_id, func.count())
                .where(PaperSignature.paper_id.in_(ids))
                .group_by(PaperSignature.paper_id)
            )
            .tuples()
            .all()
        )
    membership = current_membership(viewer)
    viewer_tendency_id = membership.tendency_id if membership else None
    drafting = 0
    if viewer_tendency_id is not None:
        drafting = (
            db.session.scalar(
                select(func.count())
                .select_from(PositionPaper)
                .where(
                    PositionPaper.tendency_id == viewer_tendency_id,
                    PositionPaper.state == PaperState.DRAFTING,
                    where,
                )
            )
            or 0
        )
    columns = {t.id: TendencyColumn(t, sizes.get(t.id, 0)) for t in tendencies}
    for paper in papers:
        column = columns.get(paper.tendency_id)
        if column is None:
            continue
        card = PaperCard(
            paper,
            related_by_key.get((paper.subject_type, paper.subject_id)),
            names.get(paper.id, []),
            counts.get(paper.id, 0),
        )
        if card.on is None:
            column.main = card
        else:
            column.on_related.append(card)
    if viewer_tendency_id in columns:
        columns[viewer_tendency_id].drafting = drafting
    return Positions(
        subject=subject,
        columns=list(columns.values()),
        viewer_tendency_id=viewer_tendency_id,
        viewer_coordinates=membership is not None and membership.is_coordinator,
    )


@dataclass
class PaperListing:
    paper: PositionPaper
    subject_title: str
    signature_count: int


def published_papers(
    *, tendency_id: int | None = None, page: int = 1
) -> tuple[list[PaperListing], bool]:
    """Published papers, newest first, with subject titles and signature counts."""
    counts = (
        select(PaperSignature.paper_id, func.count().label("n"))
        .group_by(PaperSignature.paper_id)
        .subquery()
    )
    query = (
        select(PositionPaper, func.coalesce(counts.c.n, 0))
        .options(joinedload(PositionPaper.tendency))
        .outerjoin(counts, counts.c.paper_id == PositionPaper.id)
        .where(PositionPaper.state == PaperState.PUBLISHED)
        .order_by(PositionPaper.published_at.desc(), PositionPaper.id.desc())
    )
    if tendency_id is not None:
        query = query.where(PositionPaper.tendency_id == tendency_id)
    rows = db.session.execute(query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    rows = rows[: PAGE_SIZE + 1]
    has_more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    titles = subject_titles({(p.subject_type, p.subject_id) for p, _n in rows})
    listings = [PaperListing(p, titles.get((p.subject_type, p.subject_id), ""), n) for p, n in rows]
    return listings, has_more


def subject_titles(keys: set[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """Titles of several subjects: one query per subject type."""
    by_type: dict[str, list[int]] = {}
    for subject_type, subject_id in keys:
        by_type.setdefault(subject_type, []).append(subject_id)
    titles: dict[tuple[str, int], str] = {}
    for subject_type, ids in by_type.items():
        for subject_id, title in kind_for(subject_type).titles(sorted(ids)).items():
            titles[(subject_type, subject_id)] = title
    return titles


def drafting_papers(tendency_id: int) -> list[PositionPaper]:
    """Papers a tendency is still drafting, for its members."""
    return list(
        db.session.scalars(
            select(PositionPaper)
            .where(
                PositionPaper.tendency_id == tendency_id,
                PositionPaper.state == PaperState.DRAFTING,
            )
            .order_by(PositionPaper.created_at.desc())
        )
    )


def all_tendencies() -> list[Tendency]:
    return list(db.session.scalars(select(Tendency).order_by(Tendency.name)))
