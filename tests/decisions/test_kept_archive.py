"""The archive's list is kept rendered between requests (deliberate/fragments.py): a second
reader is served it without reading the records again, and every change to what it shows
(a record sealed, an evaluation sealed, the chain's head
moved, a tendency renamed) appears on the next read."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from deliberate.accounts.models import MemberRole
from deliberate.database import utcnow
from deliberate.decisions import services
from deliberate.decisions.models import DecisionRecord, RecordState
from deliberate.extensions import db
from deliberate.tendencies.models import Tendency
from tests.conftest import page_queries
from tests.decisions.factories import decided_record, sealed_record, write
from tests.factories import make_member, make_tendency


@pytest.fixture
def convener(session):
    return make_member("Rosa Convener", role=MemberRole.CONVENER)


@pytest.fixture
def tendency(session):
    return make_tendency("Harbour tendency")


@pytest.fixture
def voters(session, tendency):
    return [make_member(f"Voter {i}", tendency=tendency) for i in range(4)]


def archive(client, login_as, reader, query: str = "") -> str:
    login_as(reader)
    response = client.get("/decisions/" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_second_reader_is_served_the_list_the_first_one_rendered(
    client, login_as, convener, voters
):
    sealed_record(convener, voters)
    db.session.commit()
    login_as(voters[0])
    cold = page_queries(client, "/decisions/")
    login_as(voters[1])
    warm = page_queries(client, "/decisions/")
    # (The navigation's count of what waits for the member reads records too, on its own.)
    for read in (
        "decision_records.outcome_summary",
        "DISTINCT decision_records.kind",
        "FROM archive_links",
        "FROM tendencies ORDER BY",
    ):
        assert any(read in q for q in cold), read
        assert not any(read in q for q in warm), (read, warm)
    assert "Run the spring campaign?" in archive(client, login_as, voters[2])


def _seal_an_evaluation(convener, record) -> None:
    evaluation = services.open_evaluation(convener, record, today=utcnow().date())
    services.revise_evaluation(
        convener,
        evaluation,
        services.EvaluationText(verdict="achieved", assessment="It worked.", dissents={}),
    )
    services.seal_evaluation(convener, evaluation)


@pytest.mark.parametrize("change", ["sealed", "evaluation", "chain", "tendency", "bulk"])
def test_every_change_to_the_kept_list_shows_on_the_next_read(
    client, login_as, convener, voters, tendency, change
):
    record = sealed_record(convener, voters)
    drafting = write(convener, decided_record(convener, voters, title="Close the old office?"))
    db.session.commit()
    before = archive(client, login_as, voters[0])  # renders and keeps the list
    assert "Close the old office?" not in before  # not sealed yet
    assert "evaluated:" not in before
    if change == "sealed":  # an update naming its one row
        services.seal_record(convener, drafting)
        expected = "Close the old office?"
    elif change == "evaluation":  # the evaluation's seal is an update naming its one row
        _seal_an_evaluation(convener, record)
        expected = "evaluated: achieved"
    elif change == "chain":  # a closed vote's link moves the head, on no record
        head = before.split("Head: ")[0].rsplit("<p>", 1)[1]
        decided_record(convener, voters, title="Paint the door?")
        db.session.commit()
        after = archive(client, login_as, voters[1])
        assert head not in after.split("Head: ")[0].rsplit("<p>", 1)[1]
        return
    elif change == "tendency":  # the filter's choices
        db.session.get_one(Tendency, tendency.id).name = "Lighthouse tendency"
        expected = "Lighthouse tendency"
    else:  # a bulk statement naming no stamp draws every stamp afresh
        db.session.execute(
            update(DecisionRecord)
            .where(DecisionRecord.id == drafting.id)
            .values(state=RecordState.SEALED, sealed_at=utcnow(), sealed_by_id=convener.id)
        )
        expected = "Close the old office?"
    db.session.commit()
    assert expected not in before
    assert expected in archive(client, login_as, voters[1])


def test_a_filter_by_tendency_reads_the_entries_afresh(
    client, login_as, convener, voters, tendency
):
    """Entries are not the archive's stamp: the list a tendency's filter shows is never kept."""
    record = sealed_record(convener, voters)
    db.session.commit()
    query = f"?tendency={tendency.id}"
    assert "Run the spring campaign?" not in archive(client, login_as, voters[0], query)
    services.record_commitment(voters[1], record, commits=True, disagreement="Too costly.")
    db.session.commit()
    assert "Run the spring campaign?" in archive(client, login_as, voters[0], query)
