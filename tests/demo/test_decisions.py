"""The demo's decision records: a sealed objective carried by every tendency with its registered
disagreements and a minority report, whose evaluation is due; an earlier objective evaluated,
one dissent borne out; a record still being written; and a chain that verifies."""

from __future__ import annotations

from sqlalchemy import func, select

from deliberate.database import utcnow
from deliberate.debate.models import Comment
from deliberate.decisions import queries
from deliberate.decisions.models import (
    BorneOut,
    Commitment,
    CommitmentEntry,
    DissentAssessment,
    MinorityReport,
    RecordState,
    Verdict,
)
from deliberate.decisions.verify import verify_archive
from deliberate.demo import demo_logins, demo_walkthrough, load_demo
from deliberate.demo.people import demo_email
from deliberate.demo.texts import BY_ELECTION, LIBRARY
from deliberate.demo.votes import COMMITTEE_VOTE, VENUE_QUESTION
from deliberate.drafts.models import DraftKind
from deliberate.papers.models import PaperState, PositionPaper
from deliberate.tendencies.models import Tendency


def adoption(title: str) -> str:
    return f"Adoption of “{title}”, version 1"


def test_the_by_election_is_carried_by_every_tendency_with_its_dissents_and_due(session):
    world = load_demo()
    record = world.records[adoption(BY_ELECTION.title)]
    assert record.is_sealed
    assert record.kind == DraftKind.SITUATIONAL_OBJECTIVE
    assert record.revision == 2, "two conveners wrote it in turn"
    assert "at least one canvassing session a week" in record.unity_markdown
    entries = list(session.scalars(select(Commitment).where(Commitment.record_id == record.id)))
    committed_in = {entry.tendency_id for entry in entries if entry.commits}
    assert set(session.scalars(select(Tendency.id))) | {None} == committed_in
    dissents = [entry for entry in entries if entry.disagrees]
    assert len(dissents) >= 3
    caucus, network = (
        world.tendencies[name].id for name in ("Rank-and-File Caucus", "Assembly Network")
    )
    assert {d.tendency_id for d in dissents} == {caucus, network, None}
    assert any(not d.commits for d in dissents), "one disagrees without committing"
    assert all(len(d.disagreement_markdown or "") > 100 for d in dissents)
    revised = [entry for entry in entries if entry.revision > 1]
    assert len(revised) == 2
    history = session.scalar(
        select(func.count())
        .select_from(CommitmentEntry)
        .where(CommitmentEntry.record_id == record.id)
    )
    assert history == len(entries) + 2

    report = session.scalars(
        select(MinorityReport).where(MinorityReport.record_id == record.id)
    ).one()
    assert report.tendency_id == caucus
    paper = session.get(PositionPaper, report.paper_id)
    assert (paper.subject_type, paper.subject_id) == ("decision", record.id)
    assert paper.state == PaperState.PUBLISHED

    talk = select(func.count()).where(
        Comment.subject_type == "decision", Comment.subject_id == record.id
    )
    assert session.scalar(talk) == 4, "members talk of the result before the evaluation"

    today = utcnow().date()
    assert record.is_evaluation_due(today)
    assert queries.evaluation_of(record) is None
    assert record in queries.evaluations_due(today)
    mei = world.members["Mei Lin"]
    assert mei.email == demo_email("Mei Lin")
    awaiting, _count = queries.awaiting_commitment(mei)
    assert record in awaiting, "the demo member has a commitment to record"


def test_the_library_objective_was_evaluated_and_a_dissent_borne_out(session):
    world = load_demo()
    record = world.records[adoption(LIBRARY.title)]
    evaluation = queries.evaluation_of(record)
    assert evaluation is not None
    assert evaluation.is_sealed
    assert evaluation.verdict == Verdict.PARTLY
    assert evaluation.sealed_at < world.clock.now
    assessed = {
        a.member_id: a.borne_out
        for a in session.scalars(
            select(DissentAssessment).where(DissentAssessment.evaluation_id == evaluation.id)
        )
    }
    samir = world.members["Samir Haddad"].id
    assert assessed[samir] == BorneOut.YES
    assert set(assessed.values()) == set(BorneOut)
    ingrid = session.get(Commitment, (record.id, world.members["Ingrid Solberg"].id))
    assert ingrid.tendency_id == world.tendencies["Assembly Network"].id
    assert record not in queries.evaluations_due(utcnow().date())
    # A member who joined after the vote registered his disagreement without committing.
    pavel = session.get(Commitment, (record.id, world.members["Pavel Horák"].id))
    assert pavel is not None
    assert not pavel.commits
    assert pavel.disagrees

    committee = world.records[COMMITTEE_VOTE]
    assert committee.is_sealed
    assert committee.evaluation_date is None
    venue = world.records[VENUE_QUESTION]
    assert venue.state == RecordState.DRAFTING
    assert venue.revision == 2
    assert venue in queries.drafting_records()


def test_the_demo_command_loads_an_archive_that_verifies(app, session):
    runner = app.test_cli_runner()
    loaded = runner.invoke(args=["demo"])
    assert loaded.exit_code == 0, loaded.output
    for role, email in demo_logins().items():
        assert email in loaded.output
        assert demo_walkthrough()[role] in loaded.output
    report = verify_archive()
    assert report.holds, report.mismatch
    assert report.records == 4
    assert report.links > 60
    verified = runner.invoke(args=["verify-archive"])
    assert verified.exit_code == 0, verified.output
