"""State changes for position papers: write, revise, publish, withdraw, sign."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from deliberate import cleaning
from deliberate.accounts.models import Member
from deliberate.audit.services import record_action
from deliberate.database import rows_matched, utcnow
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.papers.models import (
    LIVE_PAPER_STATES,
    PaperRevision,
    PaperSignature,
    PaperState,
    PositionPaper,
)
from deliberate.papers.permissions import can_write_papers, is_in_tendency
from deliberate.subjects import Subject, resolve
from deliberate.tendencies.models import Tendency

MAX_TITLE_LENGTH = 200
MAX_BODY_LENGTH = 50_000


def clean_title(raw: str | None) -> str:
    return cleaning.clean_line(
        raw,
        max_length=MAX_TITLE_LENGTH,
        empty="A position paper needs a title.",
        too_long="A title has at most {limit} characters.",
        field="title",
    )


def clean_body(raw: str | None) -> tuple[str, str]:
    return cleaning.clean_markdown(
        raw,
        max_length=MAX_BODY_LENGTH,
        empty="A position paper needs a text.",
        too_long="A position paper has at most {limit:,} characters; this one has {length:,}.",
        field="body",
    )


def _tendency_of(paper: PositionPaper) -> Tendency:
    return db.session.get_one(Tendency, paper.tendency_id)


def _require_writer(actor: Member, tendency: Tendency) -> None:
    if not can_write_papers(actor, tendency):
        raise PermissionDenied(f"Only the coordinators of {tendency.name} write its papers.")


def _require_open(subject: Subject) -> None:
    reason = subject.closed_reason
    if reason is not None:
        raise InvalidTransition(reason)


def subject_of(paper: PositionPaper) -> Subject:
    return resolve(paper.subject_type, paper.subject_id)


def create_paper(
    actor: Member, tendency: Tendency, subject: Subject, title: str, body: str
) -> PositionPaper:
    """A coordinator starts a paper of their tendency on `subject`, in drafting state.

    Refused when the actor does not coordinate the tendency, the subject takes no papers or
    is closed, or the title or text is missing or too long.
    """
    _require_writer(actor, tendency)
    if not subject.kind.accepts_papers:
        raise ValidationError(f"Position papers cannot be written on a {subject.label}.")
    if not subject.can_view(actor):
        raise PermissionDenied(f"You cannot see this {subject.label}.")
    _require_open(subject)
    title = clean_title(title)
    markdown, html = clean_body(body)
    paper = PositionPaper(
        tendency_id=tendency.id,
        subject_type=subject.type.value,
        subject_id=subject.id,
        title=title,
        current_revision=1,
        created_by_id=actor.id,
        created_at=utcnow(),
    )
    db.session.add(paper)
    db.session.flush()
    db.session.add(
        PaperRevision(
            paper_id=paper.id,
            number=1,
            title=title,
            body_markdown=markdown,
            body_html=html,
            created_by_id=actor.id,
            created_at=paper.created_at,
        )
    )
    db.session.flush()
    return paper


def revise_paper(actor: Member, paper: PositionPaper, title: str, body: str) -> PaperRevision:
    """A coordinator writes a new revision; once published, every revision is public and the
    earlier ones stay readable. Refused for superseded or withdrawn papers and when nothing
    changed."""
    _require_writer(actor, _tendency_of(paper))
    if paper.state not in LIVE_PAPER_STATES:
        raise InvalidTransition(f"A {paper.state} paper cannot be revised; write a new one.")
    title = clean_title(title)
    markdown, html = clean_body(body)
    current = db.session.scalar(
        select(PaperRevision).where(
            PaperRevision.paper_id == paper.id, PaperRevision.number == paper.current_revision
        )
    )
    if current is not None and current.title == title and current.body_markdown == markdown:
        raise ValidationError("Nothing changed: the title and the text are the same.")
    revision = PaperRevision(
        paper_id=paper.id,
        number=paper.current_revision + 1,
        title=title,
        body_markdown=markdown,
        body_html=html,
        created_by_id=actor.id,
        created_at=utcnow(),
    )
    db.session.add(revision)
    paper.current_revision = revision.number
    paper.title = title
    try:
        db.session.flush()
    except IntegrityError:
        raise InvalidTransition(
            "Someone else revised this paper at the same moment; reload it and try again."
        ) from None
    if paper.state == PaperState.PUBLISHED:
        record_action(
            actor,
            "paper.revise",
            paper,
            f"Revised position paper {paper.id} (revision {revision.number})",
            revision=revision.number,
        )
    return revision


def publish_paper(actor: Member, paper: PositionPaper) -> PositionPaper | None:
    """A coordinator publishes a drafted paper; returns the paper it supersedes, if any.

    The tendency's paper currently published on the same subject becomes superseded (and
    stays readable). Refused unless the paper is being drafted and the subject is open.
    """
    _require_writer(actor, _tendency_of(paper))
    if paper.state != PaperState.DRAFTING:
        raise InvalidTransition(
            f"Only a paper being drafted can be published; this one is {paper.state}."
        )
    _require_open(subject_of(paper))
    now = utcnow()
    previous = db.session.scalar(
        select(PositionPaper).where(
            PositionPaper.tendency_id == paper.tendency_id,
            PositionPaper.subject_type == paper.subject_type,
            PositionPaper.subject_id == paper.subject_id,
            PositionPaper.state == PaperState.PUBLISHED,
        )
    )
    try:
        with db.session.begin_nested():
            if previous is not None:
                previous.state = PaperState.SUPERSEDED
                previous.superseded_at = now
                previous.superseded_by_id = paper.id
                db.session.flush()
            paper.state = PaperState.PUBLISHED
            paper.published_at = now
            paper.first_public_revision = paper.current_revision
            db.session.flush()
    except IntegrityError:
        raise InvalidTransition(
            "Another paper of this tendency on the same subject was published at the same "
            "moment; reload the page."
        ) from None
    record_action(
        actor,
        "paper.publish",
        paper,
        f"Published position paper {paper.id} “{paper.title}”"
        + (f", superseding paper {previous.id}" if previous else ""),
        superseded=previous.id if previous else None,
    )
    return previous


def withdraw_paper(actor: Member, paper: PositionPaper) -> None:
    """A coordinator withdraws a paper being drafted or published; a published one stays
    readable, marked withdrawn."""
    _require_writer(actor, _tendency_of(paper))
    if paper.state not in LIVE_PAPER_STATES:
        raise InvalidTransition(f"A {paper.state} paper cannot be withdrawn.")
    paper.state = PaperState.WITHDRAWN
    paper.withdrawn_at = utcnow()
    db.session.flush()
    record_action(
        actor, "paper.withdraw", paper, f"Withdrew position paper {paper.id} “{paper.title}”"
    )


def sign_paper(actor: Member, paper: PositionPaper) -> PaperSignature:
    """A member of the paper's tendency signs the published paper (once)."""
    if not actor.is_active or not is_in_tendency(actor, paper.tendency_id):
        raise PermissionDenied("Only members of the paper's tendency can sign it.")
    if paper.state != PaperState.PUBLISHED:
        raise InvalidTransition("Only a published paper can be signed.")
    signature = PaperSignature(
        paper_id=paper.id, member_id=actor.id, revision=paper.current_revision, signed_at=utcnow()
    )
    try:
        with db.session.begin_nested():
            db.session.add(signature)
    except IntegrityError:
        raise InvalidTransition("You have already signed this paper.") from None
    return signature


def unsign_paper(actor: Member, paper: PositionPaper) -> None:
    """A signatory takes their signature back while the paper is published."""
    if paper.state != PaperState.PUBLISHED:
        raise InvalidTransition("Signatures can only be taken back while the paper is published.")
    removed = db.session.execute(
        delete(PaperSignature)
        .where(PaperSignature.paper_id == paper.id, PaperSignature.member_id == actor.id)
        .execution_options(synchronize_session=False)
    )
    if rows_matched(removed) != 1:
        raise InvalidTransition("You have not signed this paper.")
