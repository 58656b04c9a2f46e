"""Decision records: made by the vote that decides, written and sealed by conveners, carried by
members' commitments and disagreements, tendencies' minority reports, and the evaluation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from deliberate.accounts.models import MemberRole
from deliberate.database import utcnow
from deliberate.decisions import services
from deliberate.decisions.models import (
    ArchiveLink,
    Commitment,
    CommitmentEntry,
    DecisionRecord,
    RecordRevision,
)
from deliberate.decisions.verify import verify_archive
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.subjects import resolve
from deliberate.voting import services as voting
from deliberate.voting.rules import Settings
from tests.decisions.factories import OUTCOME, decided_record, sealed_record, write
from tests.factories import make_member, make_tendency
from tests.papers.factories import make_paper


@pytest.fixture
def convener(session):
    return make_member("Record Convener", role=MemberRole.CONVENER)


@pytest.fixture
def tendency(session):
    return make_tendency("Harbour tendency")


@pytest.fixture
def voters(session, tendency):
    return [make_member(tendency=tendency if i % 2 else None) for i in range(4)]


def test_a_deciding_vote_makes_exactly_one_record(convener, voters):
    record = decided_record(convener, voters)
    assert record.adopted is True
    assert record.state == "drafting"
    assert record.outcome_summary
    assert db.session.scalar(select(func.count()).select_from(DecisionRecord)) == 1


def test_a_vote_without_quorum_decides_nothing_and_makes_no_record(convener, voters):
    vote = voting.create_vote(
        convener,
        title="Too few took part",
        settings=Settings(method="majority", threshold="simple", quorum_percent=90),
    )
    voting.cast_ballot(voters[0], vote, {"choice": "yes"})
    voting.close_vote(convener, vote)
    assert services.record_of_vote(vote.id) is None


def test_statements_keep_their_revisions_and_a_stale_edit_is_refused(convener, voters):
    record = write(convener, decided_record(convener, voters))
    seen = record.revision
    services.revise_statements(
        convener,
        record,
        services.Statements(outcome=OUTCOME + " Amended.", unity="Leaflet."),
        seen_revision=seen,
    )
    with pytest.raises(InvalidTransition, match="Another convener"):
        services.revise_statements(
            convener, record, services.Statements(outcome="x", unity="y"), seen_revision=seen
        )
    revisions = db.session.scalars(
        select(RecordRevision.unity_markdown)
        .where(RecordRevision.record_id == record.id)
        .order_by(RecordRevision.number)
    ).all()
    assert revisions[-1] == "Leaflet."
    assert len(revisions) == 2
    assert record.unity_markdown == "Leaflet."


def test_only_conveners_write_and_seal(convener, voters):
    record = decided_record(convener, voters)
    with pytest.raises(PermissionDenied):
        services.revise_statements(
            voters[0], record, services.Statements("a", "b"), seen_revision=0
        )
    write(convener, record)
    with pytest.raises(PermissionDenied):
        services.seal_record(voters[0], record)
    assert not record.is_sealed


def test_sealing_needs_both_statements_and_chains_the_record(convener, voters):
    record = decided_record(convener, voters)
    with pytest.raises(InvalidTransition, match="unity-in-action"):
        services.seal_record(convener, record)
    write(convener, record)
    assert services.seal_record(convener, record) is True
    assert services.seal_record(convener, record) is False
    links = db.session.scalars(select(ArchiveLink)).all()
    # The vote was chained at its close, before its record was made; the seal follows it.
    assert [(link.position, link.kind, link.record_id, link.vote_id) for link in links] == [
        (1, "vote", None, record.vote_id),
        (2, "record", record.id, None),
    ]
    assert verify_archive().holds


def test_the_database_refuses_to_change_a_sealed_record(convener, voters):
    record = sealed_record(convener, voters)
    with pytest.raises(DBAPIError), db.session.begin_nested():
        db.session.execute(
            update(DecisionRecord).where(DecisionRecord.id == record.id).values(title="Forged")
        )
    with pytest.raises(DBAPIError), db.session.begin_nested():
        db.session.execute(text("DELETE FROM archive_links"))


def test_commitments_keep_history_tendency_and_chain(convener, voters, tendency):
    record = sealed_record(convener, voters)
    member = voters[1]
    services.record_commitment(member, record, commits=True, disagreement=None)
    current = services.record_commitment(
        member, record, commits=True, disagreement="The leaflet is *too long*."
    )
    assert current.revision == 2
    assert current.tendency_id == tendency.id
    assert "<em>too long</em>" in (current.disagreement_html or "")
    with pytest.raises(ValidationError, match="already says this"):
        services.record_commitment(
            member, record, commits=True, disagreement="The leaflet is *too long*."
        )
    with pytest.raises(ValidationError, match="or both"):
        services.record_commitment(voters[0], record, commits=False, disagreement="  ")
    entries = db.session.scalars(
        select(CommitmentEntry.revision).where(CommitmentEntry.member_id == member.id)
    ).all()
    assert sorted(entries) == [1, 2]
    kinds = db.session.scalars(select(ArchiveLink.kind).order_by(ArchiveLink.position)).all()
    assert kinds == ["vote", "record", "commitment", "commitment"]
    assert verify_archive().holds


def test_commitments_wait_for_the_seal(convener, voters):
    record = write(convener, decided_record(convener, voters))
    with pytest.raises(InvalidTransition, match="sealed"):
        services.record_commitment(voters[0], record, commits=True, disagreement=None)
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == 0


def test_a_coordinator_attaches_a_published_paper_of_their_own_tendency(convener, voters, tendency):
    record = sealed_record(convener, voters)
    coordinator = make_member(tendency=tendency, coordinator=True)
    other = make_tendency("Ridge tendency")
    outsider = make_member(tendency=other, coordinator=True)
    subject = resolve("decision", record.id)
    paper = make_paper(coordinator, tendency, subject, "We warned", "It will *fail*.", publish=True)
    with pytest.raises(PermissionDenied):
        services.attach_minority_report(outsider, record, paper)
    unpublished = make_paper(outsider, other, subject, "Draft", "Not yet.")
    with pytest.raises(ValidationError, match="published"):
        services.attach_minority_report(outsider, record, unpublished)
    report = services.attach_minority_report(coordinator, record, paper)
    assert report.paper_revision == paper.current_revision
    with pytest.raises(ValidationError, match="already attached"):
        services.attach_minority_report(coordinator, record, paper)
    assert verify_archive().holds


def test_evaluation_opens_on_its_date_freezes_entries_and_seals_into_the_chain(
    convener, voters, tendency
):
    today = utcnow().date()
    record = sealed_record(
        convener,
        voters,
        valid_from=today - timedelta(days=30),
        valid_until=today,
        evaluation_date=today + timedelta(days=1),
    )
    services.record_commitment(voters[1], record, commits=True, disagreement="Wrong season.")
    with pytest.raises(InvalidTransition, match="due on"):
        services.open_evaluation(convener, record, today=today)
    evaluation = services.open_evaluation(convener, record, today=today + timedelta(days=1))
    with pytest.raises(InvalidTransition, match="evaluation"):
        services.record_commitment(voters[2], record, commits=True, disagreement=None)
    dissent = services.DissentKey(member_id=voters[1].id)
    services.revise_evaluation(
        convener,
        evaluation,
        services.EvaluationText(verdict="partly_achieved", assessment="Half done.", dissents={}),
    )
    with pytest.raises(InvalidTransition, match="1 left"):
        services.seal_evaluation(convener, evaluation)
    services.revise_evaluation(
        convener,
        evaluation,
        services.EvaluationText(
            verdict="partly_achieved",
            assessment="Half done.",
            dissents={dissent: ("borne_out", "Spring was wrong indeed.")},
        ),
    )
    assert services.seal_evaluation(convener, evaluation) is True
    kinds = db.session.scalars(select(ArchiveLink.kind).order_by(ArchiveLink.position)).all()
    assert kinds == ["vote", "record", "commitment", "evaluation"]
    assert verify_archive().holds
