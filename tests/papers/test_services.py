"""Writing, revising, publishing, superseding, withdrawing and signing position papers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from deliberate.accounts.models import MemberRole
from deliberate.audit.models import AuditEntry
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.papers import queries, services
from deliberate.papers.models import PaperRevision, PaperSignature, PaperState, PositionPaper
from tests.factories import make_member, make_tendency
from tests.papers.factories import make_paper


@pytest.fixture
def caucus(session):
    tendency = make_tendency("Rank-and-File Caucus")
    coordinator = make_member("Rosa", tendency=tendency, coordinator=True)
    member = make_member("Samir", tendency=tendency)
    return tendency, coordinator, member


def paper_count() -> int:
    return db.session.scalar(select(func.count()).select_from(PositionPaper)) or 0


def test_a_coordinator_drafts_a_paper(caucus, make_subject):
    tendency, coordinator, _ = caucus
    paper = make_paper(coordinator, tendency, make_subject(), "Workplaces first", "We *organize*.")
    assert paper.state == PaperState.DRAFTING
    assert paper.title == "Workplaces first"
    assert paper.current_revision == 1
    assert paper.first_public_revision is None
    revision = db.session.scalar(select(PaperRevision))
    assert revision.body_html == "<p>We <em>organize</em>.</p>\n"


def test_only_the_tendency_s_coordinators_write_its_papers(caucus, make_subject):
    tendency, _, member = caucus
    subject = make_subject()
    other_coordinator = make_member(tendency=make_tendency(), coordinator=True)
    for actor in (member, make_member(role=MemberRole.ADMIN), other_coordinator):
        with pytest.raises(PermissionDenied, match="Only the coordinators"):
            make_paper(actor, tendency, subject)
    assert paper_count() == 0


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [
        ("", "Text.", "needs a title"),
        ("   ", "Text.", "needs a title"),
        ("t" * 201, "Text.", "at most 200"),
        ("Title", "", "needs a text"),
        ("Title", "x" * 50_001, "at most 50,000"),
    ],
)
def test_bad_titles_and_texts_are_refused(caucus, make_subject, title, body, message):
    tendency, coordinator, _ = caucus
    with pytest.raises(ValidationError, match=message):
        make_paper(coordinator, tendency, make_subject(), title, body)
    assert paper_count() == 0


def test_papers_cannot_be_written_on_a_closed_subject(caucus, make_subject):
    tendency, coordinator, _ = caucus
    with pytest.raises(InvalidTransition, match="withdrawn"):
        make_paper(coordinator, tendency, make_subject(closed="The draft is withdrawn."))
    assert paper_count() == 0


def test_revisions_while_drafting_are_working_copies_and_after_publication_public(
    caucus, make_subject
):
    tendency, coordinator, _ = caucus
    paper = make_paper(coordinator, tendency, make_subject(), "v1", "First.")
    services.revise_paper(coordinator, paper, "v2", "Second.")
    services.publish_paper(coordinator, paper)
    assert paper.first_public_revision == 2
    services.revise_paper(coordinator, paper, "v3", "Third.")
    assert (paper.current_revision, paper.title) == (3, "v3")
    public = queries.revisions(paper, include_working=False)
    assert [r.number for r in public] == [3, 2]
    everything = queries.revisions(paper, include_working=True)
    assert [r.title for r in everything] == ["v3", "v2", "v1"]
    assert queries.revision(paper, 2).body_markdown == "Second."
    with pytest.raises(ValidationError, match="Nothing changed"):
        services.revise_paper(coordinator, paper, "v3", "Third.")


def test_publishing_supersedes_the_previous_paper_and_keeps_it(caucus, make_subject):
    tendency, coordinator, _ = caucus
    subject = make_subject()
    first = make_paper(coordinator, tendency, subject, "First line", publish=True)
    second = make_paper(coordinator, tendency, subject, "Better line")
    superseded = services.publish_paper(coordinator, second)
    assert superseded is first
    assert first.state == PaperState.SUPERSEDED
    assert first.superseded_by_id == second.id
    assert second.state == PaperState.PUBLISHED
    assert [p.id for p in queries.lineage(second, include_unpublished=False)] == [
        first.id,
        second.id,
    ]
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["paper.publish", "paper.publish"]


def test_the_database_holds_one_published_paper_per_tendency_and_subject(caucus, make_subject):
    tendency, coordinator, _ = caucus
    subject = make_subject()
    make_paper(coordinator, tendency, subject, publish=True)
    intruder = make_paper(coordinator, tendency, subject)
    intruder.state = PaperState.PUBLISHED
    intruder.published_at = intruder.created_at
    intruder.first_public_revision = 1
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_other_tendencies_publish_side_by_side(caucus, make_subject):
    tendency, coordinator, _ = caucus
    other = make_tendency()
    other_coordinator = make_member(tendency=other, coordinator=True)
    subject = make_subject()
    ours = make_paper(coordinator, tendency, subject, publish=True)
    theirs = make_paper(other_coordinator, other, subject, publish=True)
    assert ours.state == theirs.state == PaperState.PUBLISHED


def test_only_drafting_papers_are_published(caucus, make_subject):
    tendency, coordinator, _ = caucus
    paper = make_paper(coordinator, tendency, make_subject(), publish=True)
    with pytest.raises(InvalidTransition, match="Only a paper being drafted"):
        services.publish_paper(coordinator, paper)


def test_withdrawing_keeps_a_published_paper_readable_and_ends_revisions(caucus, make_subject):
    tendency, coordinator, member = caucus
    paper = make_paper(coordinator, tendency, make_subject(), publish=True)
    with pytest.raises(PermissionDenied):
        services.withdraw_paper(member, paper)
    services.withdraw_paper(coordinator, paper)
    assert paper.state == PaperState.WITHDRAWN
    assert paper.has_been_public
    with pytest.raises(InvalidTransition, match="withdrawn paper cannot be revised"):
        services.revise_paper(coordinator, paper, "New", "New text.")
    with pytest.raises(InvalidTransition):
        services.withdraw_paper(coordinator, paper)
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == (
        "paper.withdraw"
    )


def test_members_of_the_tendency_sign_once_and_may_take_it_back(caucus, make_subject):
    tendency, coordinator, member = caucus
    paper = make_paper(coordinator, tendency, make_subject(), publish=True)
    services.sign_paper(member, paper)
    services.sign_paper(coordinator, paper)
    with pytest.raises(InvalidTransition, match="already signed"):
        services.sign_paper(member, paper)
    assert [s.member.display_name for s in queries.signatures(paper)[0]] == ["Samir", "Rosa"]
    services.unsign_paper(member, paper)
    assert [s.member_id for s in queries.signatures(paper)[0]] == [coordinator.id]
    with pytest.raises(InvalidTransition, match="not signed"):
        services.unsign_paper(member, paper)


def test_outsiders_and_unpublished_papers_cannot_be_signed(caucus, make_subject):
    tendency, coordinator, member = caucus
    subject = make_subject()
    drafting = make_paper(coordinator, tendency, subject)
    with pytest.raises(InvalidTransition, match="Only a published paper"):
        services.sign_paper(member, drafting)
    published = make_paper(coordinator, tendency, make_subject(), publish=True)
    outsider = make_member(tendency=make_tendency())
    for actor in (outsider, make_member(), make_member(role=MemberRole.ADMIN)):
        with pytest.raises(PermissionDenied, match="Only members of the paper's tendency"):
            services.sign_paper(actor, published)
    assert db.session.scalar(select(func.count()).select_from(PaperSignature)) == 0


def test_signatures_remember_the_revision_signed(caucus, make_subject):
    tendency, coordinator, member = caucus
    paper = make_paper(coordinator, tendency, make_subject(), publish=True)
    services.sign_paper(member, paper)
    services.revise_paper(coordinator, paper, "Amended title", "Amended text.")
    services.sign_paper(coordinator, paper)
    assert [s.revision for s in queries.signatures(paper)[0]] == [1, 2]


def test_paper_revisions_are_immutable(caucus, make_subject):
    tendency, coordinator, _ = caucus
    make_paper(coordinator, tendency, make_subject())
    revision = db.session.scalar(select(PaperRevision))
    revision.body_markdown = "rewritten"
    with pytest.raises(RuntimeError, match="immutable"):
        db.session.flush()
    db.session.rollback()


def test_what_the_tendencies_say_lists_each_tendency_with_its_size(caucus, make_subject):
    tendency, coordinator, member = caucus
    quiet = make_tendency("Quiet Tendency")
    subject = make_subject()
    paper = make_paper(coordinator, tendency, subject, publish=True)
    services.sign_paper(member, paper)
    make_paper(coordinator, tendency, make_subject(), publish=True)  # another subject
    result = queries.positions(subject, member)
    columns = {c.tendency.name: c for c in result.columns}
    assert columns["Rank-and-File Caucus"].size == 2
    assert columns["Rank-and-File Caucus"].main.paper.id == paper.id
    assert columns["Rank-and-File Caucus"].main.signatories == ["Samir"]
    assert columns["Quiet Tendency"].main is None
    assert columns["Quiet Tendency"].size == 0
    assert result.any_papers
    assert quiet.id in {c.tendency.id for c in result.columns}
