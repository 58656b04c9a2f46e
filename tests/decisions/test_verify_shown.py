"""`verify-archive` vouches for everything shown: every closed vote (recorded or not) is chained
and recounted, every shown HTML is checked against its chained Markdown, every member's
current entry against the chain's latest, and whatever a direct change to the database did,
the command names the vote or record and exits 1, never with a traceback."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from deliberate.accounts.models import MemberRole
from deliberate.audit.models import AuditEntry
from deliberate.database import utcnow
from deliberate.decisions import ledger, services
from deliberate.decisions.models import ArchiveLink, DecisionRecord
from deliberate.drafts.voting import put_amendment_to_vote
from deliberate.extensions import db
from deliberate.subjects import resolve
from deliberate.voting import services as voting
from deliberate.voting.models import Vote
from deliberate.voting.rules import Settings
from tests.decisions.factories import decided_record, sealed_record, write
from tests.decisions.test_verify import tamper, verify
from tests.drafts.factories import make_draft, propose, table
from tests.factories import make_member, make_tendency
from tests.papers.factories import make_paper


@dataclass(frozen=True)
class World:
    sealed: int  # a sealed record with entries, a minority report and a sealed evaluation
    drafting: int  # a record whose statements are being written (not sealed)
    amendment_vote: int  # an amendment's vote: it makes no record
    paper: int  # the minority report's paper


@pytest.fixture
def world(session) -> World:
    convener = make_member("Shown Convener", role=MemberRole.CONVENER)
    tendency = make_tendency("Quay tendency")
    voters = [make_member(tendency=tendency if i % 2 else None) for i in range(5)]
    today = utcnow().date()
    sealed = sealed_record(convener, voters, evaluation_date=today)
    services.record_commitment(voters[0], sealed, commits=True, disagreement=None)
    services.record_commitment(voters[1], sealed, commits=True, disagreement="Too *soon*.")
    coordinator = make_member("Quay Coordinator", tendency=tendency, coordinator=True)
    paper = make_paper(
        coordinator, tendency, resolve("decision", sealed.id), "Too soon", "Wait for *May*.",
        publish=True,
    )  # fmt: skip
    report = services.attach_minority_report(coordinator, sealed, paper)
    evaluation = services.open_evaluation(convener, sealed, today=today)
    services.revise_evaluation(
        convener,
        evaluation,
        services.EvaluationText(
            verdict="partly_achieved",
            assessment="Half the *leaflets* went out.",
            dissents={
                services.DissentKey(member_id=voters[1].id): ("borne_out", "Indeed."),
                services.DissentKey(minority_report_id=report.id): ("borne_out", ""),
            },
        ),
    )
    services.seal_evaluation(convener, evaluation)
    drafting = write(convener, decided_record(convener, voters, title="Being written"))
    draft = make_draft(convener)
    amendment = propose(make_member(), draft, new_text="Every branch meets weekly.")
    table(amendment)
    vote = put_amendment_to_vote(
        convener, amendment, Settings(method="majority", threshold="simple")
    )
    for voter in voters:
        voting.cast_ballot(voter, vote, {"choice": "yes"})
    voting.close_vote(convener, vote)
    db.session.commit()
    return World(sealed.id, drafting.id, vote.id, paper.id)


def names_record(output: str, record_id: int) -> bool:
    title = db.session.get_one(DecisionRecord, record_id).title
    return f"the archive does not hold: decision record {record_id} “{title}”" in output


def names_vote(output: str, vote_id: int) -> bool:
    title = db.session.get_one(Vote, vote_id).title
    return f"the archive does not hold: vote {vote_id} “{title}”" in output


def refused(app) -> str:
    result = verify(app)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.output


def vote_of(record_id: int) -> int:
    return db.session.get_one(DecisionRecord, record_id).vote_id


def test_the_world_verifies_and_every_closed_vote_is_chained(app, world):
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert "recounted 3 closed votes" in result.output
    chained = db.session.scalars(select(ArchiveLink.vote_id).where(ArchiveLink.kind == "vote"))
    assert set(chained) == {vote_of(world.sealed), vote_of(world.drafting), world.amendment_vote}


def test_a_vote_is_chained_before_its_record_and_the_seal_names_its_link(app, world):
    vote_link = db.session.scalar(
        select(ArchiveLink).where(ArchiveLink.vote_id == vote_of(world.sealed))
    )
    seal = db.session.scalar(
        select(ArchiveLink).where(
            ArchiveLink.record_id == world.sealed, ArchiveLink.kind == "record"
        )
    )
    assert vote_link is not None
    assert seal is not None
    assert vote_link.position < seal.position
    assert (vote_link.format, seal.format) == (2, 2)
    assert ledger.content_of(seal)["vote"]["link"] == vote_link.hash


# --- shown HTML, against its chained Markdown -----------------------------------------------


def test_a_sealed_statements_shown_html_rewritten_is_found(app, connection, world):
    tamper(
        connection,
        "UPDATE decision_records SET outcome_html = :html WHERE id = :id",
        html="<p>The members rejected the plan.</p>",
        id=world.sealed,
    )
    output = refused(app)
    assert names_record(output, world.sealed)
    assert "outcome statement shown is not its text" in output


def test_a_minority_reports_shown_html_rewritten_is_found(app, connection, world):
    tamper(
        connection,
        "UPDATE paper_revisions SET body_html = :html WHERE paper_id = :paper",
        html="<p>We agree with everything.</p>",
        paper=world.paper,
    )
    output = refused(app)
    assert names_record(output, world.sealed)
    assert "minority report" in output


def test_an_evaluations_shown_html_rewritten_is_found(app, connection, world):
    tamper(
        connection,
        "UPDATE evaluations SET assessment_html = :html WHERE record_id = :id",
        html="<p>Everything went out.</p>",
        id=world.sealed,
    )
    output = refused(app)
    assert names_record(output, world.sealed)
    assert "evaluation shown is not its text" in output


def test_a_registered_disagreements_current_text_rewritten_is_found(app, connection, world):
    tamper(
        connection,
        "UPDATE commitments SET disagreement_markdown = :text, disagreement_html = :html "
        "WHERE record_id = :id AND disagreement_markdown IS NOT NULL",
        text="I fully agree.",
        html="<p>I fully agree.</p>",
        id=world.sealed,
    )
    output = refused(app)
    assert names_record(output, world.sealed)
    assert "not the chain's latest entry" in output


def test_a_registered_disagreements_shown_html_alone_rewritten_is_found(app, connection, world):
    tamper(
        connection,
        "UPDATE commitments SET disagreement_html = :html "
        "WHERE record_id = :id AND disagreement_markdown IS NOT NULL",
        html="<p>I fully agree.</p>",
        id=world.sealed,
    )
    output = refused(app)
    assert names_record(output, world.sealed)


# --- current entries, against the chain's latest ------------------------------------------


def test_a_members_current_commitment_flipped_is_found(app, connection, world):
    tamper(
        connection,
        "UPDATE commitments SET commits = :commits WHERE record_id = :id "
        "AND disagreement_markdown IS NOT NULL",
        commits=False,
        id=world.sealed,
    )
    output = refused(app)
    assert names_record(output, world.sealed)
    assert "not the chain's latest entry" in output


def test_a_members_current_entry_deleted_is_found(app, connection, world):
    tamper(
        connection,
        "DELETE FROM commitments WHERE record_id = :id AND disagreement_markdown IS NULL",
        id=world.sealed,
    )
    output = refused(app)
    assert names_record(output, world.sealed)
    assert "current entry" in output
    assert "is missing" in output


def test_a_report_names_no_member_by_id(app, connection, world):
    member_id = db.session.scalar(
        text(
            "SELECT member_id FROM commitments WHERE record_id = :id "
            "AND disagreement_markdown IS NOT NULL"
        ),
        {"id": world.sealed},
    )
    tamper(
        connection,
        "UPDATE commitments SET commits = :commits WHERE record_id = :id AND member_id = :member",
        commits=False,
        id=world.sealed,
        member=member_id,
    )
    output = refused(app)
    assert f"member {member_id}" not in output
    assert "member reference" in output


# --- ballots, receipts, results and summaries ----------------------------------------------


def test_two_secret_ballots_receipt_hashes_swapped_are_found(app, connection, world):
    vote_id = vote_of(world.sealed)
    first, second = db.session.execute(
        text(
            "SELECT id, receipt_hash FROM ballots WHERE vote_id = :vote AND content LIKE '%yes%' "
            "ORDER BY id LIMIT 2"
        ),
        {"vote": vote_id},
    ).all()
    # Same content, so a recount cannot see it: only the ballots' digest can.
    # one at a time, through a spare value: each receipt is unique within its vote
    tamper(
        connection,
        "UPDATE ballots SET receipt_hash = :temp WHERE id = :a",
        a=first.id,
        temp="0" * 64,
    )
    tamper(
        connection,
        "UPDATE ballots SET receipt_hash = :hash WHERE id = :b",
        hash=first.receipt_hash,
        b=second.id,
    )
    tamper(
        connection,
        "UPDATE ballots SET receipt_hash = :hash WHERE id = :a",
        hash=second.receipt_hash,
        a=first.id,
    )
    output = refused(app)
    assert names_record(output, world.sealed)
    assert "(vote): its content was changed" in output


def test_a_votes_summary_in_the_votes_list_rewritten_is_found(app, connection, world):
    tamper(
        connection,
        "UPDATE votes SET outcome = :outcome WHERE id = :id",
        outcome="Rejected by 0 to 5.",
        id=world.amendment_vote,
    )
    output = refused(app)
    assert names_vote(output, world.amendment_vote)


@pytest.mark.parametrize("which", ["drafting", "amendment_vote"])
def test_a_closed_votes_ballots_and_result_rewritten_together_are_found(
    app, connection, world, which
):
    vote_id = vote_of(world.drafting) if which == "drafting" else world.amendment_vote
    tamper(
        connection,
        "UPDATE ballots SET content = :no WHERE vote_id = :id",
        no='{"choice": "no"}',
        id=vote_id,
    )
    vote = db.session.get_one(Vote, vote_id)
    db.session.expire(vote)
    forged = voting.recount(vote)
    tamper(
        connection,
        "UPDATE votes SET result_json = :result, outcome = :outcome WHERE id = :id",
        result=json.dumps(forged, ensure_ascii=False, sort_keys=True),
        outcome=forged["outcome"]["summary"][:200],
        id=vote_id,
    )
    output = refused(app)
    if which == "drafting":
        assert names_record(output, world.drafting)
    else:
        assert names_vote(output, vote_id)
    assert "(vote): its content was changed" in output


# --- what used to crash ----------------------------------------------------------------------


def test_a_secret_ballot_added_is_found_without_a_traceback(app, connection, world):
    tamper(
        connection,
        "INSERT INTO ballots (id, vote_id, receipt_hash, source, content) "
        "VALUES (:key, :vote, :receipt, 'online', :content)",
        key="f" * 32,
        vote=vote_of(world.sealed),
        receipt="e" * 64,
        content='{"choice": "no"}',
    )
    output = refused(app)
    assert names_record(output, world.sealed)


def test_a_participation_deleted_is_found_without_a_traceback(app, connection, world):
    tamper(
        connection,
        "DELETE FROM vote_participations WHERE vote_id = :vote AND member_id = "
        "(SELECT min(member_id) FROM vote_participations WHERE vote_id = :vote)",
        vote=vote_of(world.sealed),
    )
    output = refused(app)
    assert names_record(output, world.sealed)


def test_an_option_of_a_sealed_vote_renamed_is_found_without_a_traceback(app, connection, session):
    convener = make_member("Ranking Convener", role=MemberRole.CONVENER)
    voters = [make_member() for _ in range(3)]
    vote = voting.create_vote(
        convener,
        title="Who speaks for us?",
        settings=Settings(method="irv"),
        options=[voting.OptionSpec(label=name) for name in ("Ana", "Chloé")],
    )
    for voter in voters:
        voting.cast_ballot(voter, vote, {"ranking": ["Ana", "Chloé"]})
    voting.close_vote(convener, vote)
    record = services.record_of_vote(vote.id)
    assert record is not None
    write(convener, record)
    services.seal_record(convener, record)
    db.session.commit()
    tamper(
        connection,
        "UPDATE vote_options SET label = 'Zoé' WHERE vote_id = :vote AND label = 'Ana'",
        vote=vote.id,
    )
    output = refused(app)
    assert names_record(output, record.id)


def test_a_row_whose_json_no_longer_parses_is_found_without_a_traceback(app, connection, world):
    tamper(
        connection,
        "UPDATE votes SET result_json = :broken WHERE id = :id",
        broken='{"outcome": {"summary": ',
        id=world.amendment_vote,
    )
    tamper(
        connection,
        "UPDATE ballots SET content = :broken WHERE vote_id = :id",
        broken="{not json",
        id=world.amendment_vote,
    )
    output = refused(app)
    assert names_vote(output, world.amendment_vote)


def test_a_closed_vote_without_its_link_is_found(app, connection, world):
    tamper(
        connection,
        "DELETE FROM archive_links WHERE position = (SELECT max(position) FROM archive_links)",
    )
    output = refused(app)
    assert names_vote(output, world.amendment_vote)
    assert "the chain has no link for it" in output


# --- each run is logged ------------------------------------------------------------------------


def test_each_run_is_written_to_the_audit_log(app, connection, world):
    assert verify(app).exit_code == 0
    tamper(
        connection,
        "UPDATE votes SET outcome = 'Adopted.' WHERE id = :id",
        id=world.amendment_vote,
    )
    assert verify(app).exit_code == 1
    runs = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "archive.verify").order_by(AuditEntry.id)
    ).all()
    assert [run.details["holds"] for run in runs] == [True, False]
    assert runs[0].details["votes"] == 3
    assert runs[1].details["vote_id"] == world.amendment_vote
    assert "does not hold" in runs[1].summary
    assert runs[1].created_at >= runs[0].created_at - timedelta(seconds=1)
