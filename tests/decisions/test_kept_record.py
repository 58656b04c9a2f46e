"""A decision record's body is kept rendered between requests (deliberate/fragments.py): a
second reader is served it, every change to what it shows appears on the next read, each
member's own entry stays theirs, and the public never gets what members were shown."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import g
from sqlalchemy import update

from deliberate import fragments
from deliberate.accounts.models import MemberRole
from deliberate.accounts.services import rename_member
from deliberate.database import utcnow
from deliberate.decisions import services
from deliberate.decisions.models import DecisionRecord
from deliberate.extensions import db
from deliberate.subjects import resolve
from deliberate.voting.models import Vote
from tests.conftest import login, page_queries
from tests.decisions.factories import decided_record, sealed_record
from tests.factories import make_member, make_tendency
from tests.papers.factories import make_paper


@pytest.fixture
def convener(session):
    return make_member("Rosa Convener", role=MemberRole.CONVENER)


@pytest.fixture
def tendency(session):
    return make_tendency("Harbour tendency")


@pytest.fixture
def voters(session, tendency):
    return [make_member(f"Voter {i}", tendency=tendency) for i in range(4)]


@pytest.fixture
def public_archive(app) -> Iterator[None]:
    app.config.update(ARCHIVE_PUBLIC=True, ARCHIVE_PUBLIC_NAMES=False)
    try:
        yield
    finally:
        app.config.update(ARCHIVE_PUBLIC=False, ARCHIVE_PUBLIC_NAMES=False)


def record_page(client, login_as, reader, record: DecisionRecord) -> str:
    if reader is not None:
        login_as(reader)
    response = client.get(f"/decisions/{record.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_second_reader_is_served_the_body_the_first_one_rendered(
    client, login_as, convener, voters
):
    record = sealed_record(convener, voters)
    services.record_commitment(voters[0], record, commits=False, disagreement="Too early.")
    db.session.commit()
    login_as(voters[1])
    cold = page_queries(client, f"/decisions/{record.id}")
    login_as(voters[2])
    warm = page_queries(client, f"/decisions/{record.id}")
    # Neither the commitments' summary, the disagreements nor the chain are read again.
    for read in ("sum(CASE", "FROM archive_links", "FROM minority_reports"):
        assert any(read in q for q in cold), read
        assert not any(read in q for q in warm), (read, warm)
    assert len(warm) <= 10, "\n\n".join(warm)
    shown = record_page(client, login_as, voters[3], record)
    assert "Too early." in shown
    assert "Sealed as link" in shown


@pytest.mark.parametrize(
    "change",
    [
        "entry",
        "revised entry",
        "rename",
        "report",
        "vote",
        "seal",
        "statements",
        "revisions",
        "evaluation",
        "bulk",
    ],
)
def test_every_change_to_a_kept_record_shows_on_the_next_read(
    client, login_as, convener, voters, tendency, change
):
    drafting = change in ("seal", "statements", "revisions", "bulk")
    if drafting:
        record = decided_record(convener, voters)
        services.revise_statements(
            convener,
            record,
            services.Statements(outcome="First outcome.", unity="First unity."),
            seen_revision=record.revision,
        )
    else:
        record = sealed_record(convener, voters)
        services.record_commitment(voters[0], record, commits=False, disagreement="Too early.")
    coordinator = make_member("Cora Coordinator", tendency=tendency, coordinator=True)
    paper = make_paper(
        coordinator, tendency, resolve("decision", record.id), "Why spring fails", "Rain.",
        publish=True,
    )  # fmt: skip
    db.session.commit()
    record_page(client, login_as, voters[1], record)  # renders and keeps the body
    if change == "entry":
        services.record_commitment(voters[2], record, commits=True, disagreement="Too costly.")
        expected = "Too costly."
    elif change == "revised entry":  # an update naming its one row
        services.record_commitment(voters[0], record, commits=False, disagreement="Far too early.")
        expected = "Far too early."
    elif change == "rename":
        rename_member(voters[0], "Voter Zero Lindqvist")
        expected = "Voter Zero Lindqvist"
    elif change == "report":
        services.attach_minority_report(coordinator, record, paper)
        expected = 'class="card minority-report"'
    elif change == "vote":
        vote = db.session.get_one(Vote, record.vote_id)
        vote.title = "Run the spring campaign at once?"
        expected = "Run the spring campaign at once?"
    elif change == "seal":
        services.seal_record(convener, record)
        expected = "Sealed as link"
    elif change == "statements":  # an update naming its one row
        services.revise_statements(
            convener,
            record,
            services.Statements(outcome="*Second* outcome.", unity="Second unity."),
            seen_revision=record.revision,
        )
        expected = "<em>Second</em> outcome."  # rendered in the record, not its revisions
    elif change == "revisions":  # the list of revisions beside the body
        services.revise_statements(
            convener,
            record,
            services.Statements(outcome="Second outcome.", unity="Second unity."),
            seen_revision=record.revision,
        )
        expected = "revisions (2)</summary>"
    elif change == "evaluation":  # what members may still do, beside the body
        services.open_evaluation(convener, record, today=utcnow().date())
        expected = "The evaluation has opened: entries can no longer be changed."
    else:  # a bulk statement naming no stamp draws every stamp afresh
        db.session.execute(
            update(DecisionRecord)
            .where(DecisionRecord.id == record.id)
            .values(outcome_summary="Adopted, as corrected.")
        )
        expected = "Adopted, as corrected."
    db.session.commit()
    assert expected in record_page(client, login_as, voters[1], record)


def test_each_member_sees_their_own_entry(client, login_as, convener, voters):
    record = sealed_record(convener, voters)
    services.record_commitment(voters[0], record, commits=True, disagreement="Too early.")
    db.session.commit()
    mine = record_page(client, login_as, voters[0], record)
    other = record_page(client, login_as, voters[1], record)
    assert "registered your disagreement" in mine
    assert "You have not recorded your commitment yet" in other
    assert "registered your disagreement" not in other
    assert "Too early." in other  # the record's own list of disagreements, shown to all


def test_the_public_is_never_served_what_members_were_shown(
    client, login_as, convener, voters, public_archive
):
    record = sealed_record(convener, voters)
    services.record_commitment(voters[0], record, commits=False, disagreement="Too early.")
    db.session.commit()
    assert "Voter 0" in record_page(client, login_as, voters[1], record)
    client.get("/logout")
    with client.session_transaction() as flask_session:
        flask_session.clear()
    public = record_page(client, login_as, None, record)
    assert "Too early." in public
    assert "Voter 0" not in public


def test_the_entry_section_kept_for_members_without_one_becomes_theirs_once_they_enter(
    client, login_as, convener, voters
):
    record = sealed_record(convener, voters)
    db.session.commit()
    record_page(client, login_as, voters[0], record)  # keeps the section of those without
    before = record_page(client, login_as, voters[1], record)
    assert "You have not recorded your commitment yet" in before
    services.record_commitment(voters[1], record, commits=False, disagreement="Too early.")
    db.session.commit()
    after = record_page(client, login_as, voters[1], record)
    assert "registered your disagreement <strong>without committing</strong>" in after
    assert "You have not recorded your commitment yet" not in after
    assert "Revise my entry" in after
    # Another member without an entry is still told they have none, and not the other's.
    other = record_page(client, login_as, voters[2], record)
    assert "You have not recorded your commitment yet" in other
    assert "registered your disagreement" not in other


def test_the_kept_entry_form_carries_each_members_own_token(app, convener, voters, csrf_enabled):
    record = sealed_record(convener, voters)
    db.session.commit()
    url = f"/decisions/{record.id}/commitment"
    tokens = []
    for voter in voters[:2]:
        client = app.test_client()  # a browser of their own
        g.pop("csrf_token", None)  # the tests' app context outlives requests; a server's not
        login(client, voter)
        page = client.get(f"/decisions/{record.id}").get_data(as_text=True)
        found = re.search(rf'action="{url}".*?name="csrf_token" value="([^"]+)"', page, re.S)
        assert found is not None
        tokens.append(found.group(1))
    assert tokens[0] != tokens[1]
    assert fragments.CSRF_PLACEHOLDER not in page
    response = client.post(url, data={"csrf_token": tokens[1], "commits": "y"})
    assert response.status_code == 303
