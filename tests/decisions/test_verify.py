"""`verify-archive`: a clean archive holds (exit 0); anything changed behind the application's
back — a stored result, a ballot, a statement, a commitment, an old record — is found, named by
its record, and the command exits non-zero."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Connection, select, text

from deliberate.accounts.models import MemberRole
from deliberate.decisions import schema, services
from deliberate.decisions.models import ArchiveLink, DecisionRecord
from deliberate.decisions.verify import verify_archive
from deliberate.extensions import db
from deliberate.voting.models import Vote
from tests.decisions.factories import sealed_record
from tests.factories import make_member, make_tendency


@pytest.fixture
def convener(session):
    return make_member("Verifying Convener", role=MemberRole.CONVENER)


@pytest.fixture
def voters(session):
    tendency = make_tendency("Quay tendency")
    return [make_member(tendency=tendency if i % 2 else None) for i in range(5)]


@pytest.fixture
def archive(convener, voters) -> list[DecisionRecord]:
    """Three sealed records, the first two with commitments and a disagreement; committed."""
    records = [sealed_record(convener, voters) for _ in range(3)]
    for record in records[:2]:
        services.record_commitment(voters[0], record, commits=True, disagreement=None)
        services.record_commitment(voters[1], record, commits=True, disagreement="Too *soon*.")
    db.session.commit()
    return records


def verify(app):
    db.session.commit()  # what the test did is there, as an operator's run would find it
    return app.test_cli_runner().invoke(args=["verify-archive"])


def tamper(connection: Connection, statement: str, **params: object) -> None:
    """Change the database as someone with direct access would: the guards lifted."""
    with schema.guards_lifted(connection):
        result = db.session.execute(text(statement), params)
        assert result.rowcount >= 1  # type: ignore[attr-defined]
    db.session.commit()


def test_a_clean_archive_verifies(app, archive):
    result = verify(app)
    assert result.exit_code == 0, result.output
    links = db.session.scalar(select(ArchiveLink).order_by(ArchiveLink.position.desc()).limit(1))
    assert links is not None
    assert (
        f"Checked {links.position} links of the chain, recounted 3 closed votes and checked 3 "
        "decision records." in result.output
    )
    assert f"Chain head: {links.hash}" in result.output
    assert "The archive holds" in result.output


def test_an_empty_archive_verifies(app, session):
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert "Checked 0 links" in result.output
    assert "Chain head: " + "0" * 64 in result.output


def _result(record: DecisionRecord) -> tuple[str, dict[str, object]]:
    vote = db.session.get_one(Vote, record.vote_id)
    forged = (vote.result_json or "").replace('"yes": 5', '"yes": 4')
    assert forged != vote.result_json
    return "UPDATE votes SET result_json = :forged WHERE id = :id", {
        "forged": forged,
        "id": vote.id,
    }


def _ballot(record: DecisionRecord) -> tuple[str, dict[str, object]]:
    key = db.session.scalar(
        text("SELECT id FROM ballots WHERE vote_id = :vote ORDER BY id LIMIT 1"),
        {"vote": record.vote_id},
    )
    return "UPDATE ballots SET content = :content WHERE id = :key", {
        "content": '{"choice": "no"}',
        "key": key,
    }


def _statement(record: DecisionRecord) -> tuple[str, dict[str, object]]:
    return "UPDATE decision_records SET unity_markdown = :text WHERE id = :id", {
        "text": "Every member does as they please.",
        "id": record.id,
    }


def _commitment(record: DecisionRecord) -> tuple[str, dict[str, object]]:
    return (
        "UPDATE commitment_entries SET disagreement_markdown = NULL, commits = :commits "
        "WHERE record_id = :id AND disagreement_markdown IS NOT NULL"
    ), {"commits": True, "id": record.id}


def _old_record(record: DecisionRecord) -> tuple[str, dict[str, object]]:
    return "UPDATE decision_records SET title = :title WHERE id = :id", {
        "title": "Run the autumn campaign?",
        "id": record.id,
    }


TAMPERING: dict[str, tuple[int, Callable[[DecisionRecord], tuple[str, dict[str, object]]]]] = {
    # what is changed: (which of the three records, the change)
    "stored result": (1, _result),
    "ballot": (2, _ballot),
    "statement": (1, _statement),
    "commitment entry": (1, _commitment),
    "old record": (0, _old_record),
}


@pytest.mark.parametrize("what", list(TAMPERING))
def test_tampering_is_found_and_names_its_record(app, connection, archive, what):
    index, change = TAMPERING[what]
    record = archive[index]
    ids = [r.id for r in archive]
    statement, params = change(record)
    tamper(connection, statement, **params)
    title = db.session.get_one(DecisionRecord, ids[index]).title  # as stored now

    result = verify(app)

    assert result.exit_code == 1, result.output
    assert f"Error: the archive does not hold: decision record {ids[index]} “{title}”" in (
        result.output
    )
    for other in ids:
        if other != ids[index]:
            assert f"decision record {other} " not in result.output
    report = verify_archive()
    assert report.mismatch is not None
    assert report.mismatch.record_id == ids[index]


def test_a_link_removed_from_the_middle_is_found(app, connection, archive):
    first = archive[0].id
    tamper(
        connection,
        "DELETE FROM archive_links WHERE position = "
        "(SELECT min(position) FROM archive_links WHERE kind = 'commitment')",
    )
    result = verify(app)
    assert result.exit_code == 1
    assert "is missing" in result.output
    assert f"decision record {first} " in result.output


def test_a_chain_cut_short_after_a_commitment_is_found(app, connection, archive):
    second = archive[1].id
    tamper(
        connection,
        "DELETE FROM archive_links WHERE position = (SELECT max(position) FROM archive_links)",
    )
    result = verify(app)
    assert result.exit_code == 1
    assert f"decision record {second} " in result.output
    assert "commitment added to it is not in the chain" in result.output


def test_a_chain_cut_short_after_a_seal_is_found(app, connection, archive, convener, voters):
    last = sealed_record(convener, voters).id
    db.session.commit()
    tamper(
        connection,
        "DELETE FROM archive_links WHERE position = (SELECT max(position) FROM archive_links)",
    )
    result = verify(app)
    assert result.exit_code == 1
    assert f"decision record {last} " in result.output
    assert "no seal" in result.output


def test_a_vote_listed_in_each_voter_s_order_verifies_and_its_setting_is_chained(
    app, connection, convener, voters
):
    from deliberate.voting import services as voting
    from deliberate.voting.rules import Settings

    vote = voting.create_vote(
        convener,
        title="Who chairs the spring convention?",
        settings=Settings(method="irv", shuffled=True),
        options=[voting.OptionSpec(name) for name in ("Ana", "Ben", "Chloé")],
    )
    for voter in voters[:3]:
        voting.cast_ballot(voter, vote, {"ranking": ["Ben", "Ana"]})
    voting.close_vote(convener, vote)
    vote_id = vote.id
    db.session.commit()
    result = verify(app)
    assert result.exit_code == 0, result.output
    # Whether the options were shuffled is part of what the vote's link vouches for.
    tamper(connection, "UPDATE votes SET shuffled = :no WHERE id = :id", no=False, id=vote_id)
    result = verify(app)
    assert result.exit_code == 1, result.output
    assert f"its vote {vote_id}: link 1 (vote): its content was changed" in result.output
