"""The decision pages as members, coordinators, conveners and the public meet them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from deliberate.accounts.models import MemberRole
from deliberate.database import utcnow
from deliberate.decisions import services
from deliberate.decisions.models import ArchiveLink, Commitment, DecisionRecord, MinorityReport
from deliberate.extensions import db
from deliberate.subjects import resolve
from tests.conftest import page_queries
from tests.decisions.factories import UNITY, decided_record, sealed_record, write
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
    return [make_member(f"Voter {i}", tendency=tendency if i % 2 else None) for i in range(4)]


def test_a_convener_writes_and_seals_the_record_through_the_pages(
    client, login_as, convener, voters
):
    record = decided_record(convener, voters)
    login_as(convener)
    page = client.get(f"/decisions/{record.id}")
    assert "being written by the conveners" in page.text
    response = client.post(
        f"/decisions/{record.id}/edit",
        data={"outcome": "We *run* it.", "unity": "Everyone leaflets.", "revision": "0"},
    )
    assert response.status_code == 303
    refused = client.post(f"/decisions/{record.id}/seal")
    assert refused.status_code == 400
    assert "tick the box" in refused.text
    assert client.post(f"/decisions/{record.id}/seal", data={"confirm": "1"}).status_code == 303
    page = client.get(f"/decisions/{record.id}")
    assert "<em>run</em>" in page.text
    # Link 1 is the vote's, chained when it closed; the seal follows it.
    assert "Sealed as link 2" in page.text
    assert db.session.scalar(select(func.count()).select_from(ArchiveLink)) == 2


def test_a_member_may_not_write_or_seal(client, login_as, convener, voters):
    record = decided_record(convener, voters)
    login_as(voters[0])
    assert client.get(f"/decisions/{record.id}/edit").status_code == 403
    assert client.post(f"/decisions/{record.id}/seal", data={"confirm": "1"}).status_code == 403
    db.session.refresh(record)
    assert not record.is_sealed


def test_members_commit_and_disagree_and_the_page_counts_them_by_tendency(
    client, login_as, convener, voters, tendency
):
    record = sealed_record(convener, voters)
    login_as(voters[1])
    home = client.get("/")
    assert "Decisions awaiting your commitment" in home.text
    response = client.post(
        f"/decisions/{record.id}/commitment",
        data={"commits": "y", "disagreement": "Spring is **too early**."},
    )
    assert response.status_code == 303
    login_as(voters[0])
    client.post(f"/decisions/{record.id}/commitment", data={"disagreement": "I will not."})
    page = client.get(f"/decisions/{record.id}")
    assert "<strong>too early</strong>" in page.text
    assert "does not commit" in page.text
    assert "Harbour tendency" in page.text
    assert "<svg" in page.text
    assert "Decisions awaiting your commitment" not in client.get("/").text
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == 2


def test_an_empty_entry_is_refused_and_changes_nothing(client, login_as, convener, voters):
    record = sealed_record(convener, voters)
    login_as(voters[0])
    response = client.post(f"/decisions/{record.id}/commitment", data={"disagreement": ""})
    assert response.status_code == 400
    assert "or both" in response.text
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == 0


def test_a_refused_entry_comes_back_on_the_record_page_with_the_members_text(
    client, login_as, convener, voters
):
    """The member's reasons are not lost: the record page again, their text in the form and
    the message beside it, whether the form or the service refuses."""
    record = sealed_record(convener, voters)
    login_as(voters[0])
    url = f"/decisions/{record.id}/commitment"
    reasons = "Spring is too early \x1b and the hall is booked."
    by_form = client.post(url, data={"disagreement": reasons})
    assert by_form.status_code == 400
    assert record.title in by_form.text
    assert 'id="your-entry"' in by_form.text
    assert "Spring is too early" in by_form.text
    assert "hall is booked" in by_form.text
    by_service = client.post(url, data={"disagreement": "   "})
    assert by_service.status_code == 400
    assert 'id="your-entry"' in by_service.text
    assert "Commit to act on the decision, or register your disagreement" in by_service.text
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == 0


def test_a_coordinator_attaches_a_minority_report_from_the_record_page(
    client, login_as, convener, voters, tendency
):
    record = sealed_record(convener, voters)
    coordinator = make_member("Cora Coordinator", tendency=tendency, coordinator=True)
    paper = make_paper(
        coordinator,
        tendency,
        resolve("decision", record.id),
        "Why spring fails",
        "Rain.",
        publish=True,
    )
    login_as(coordinator)
    page = client.get(f"/decisions/{record.id}")
    assert "Attach a minority report" in page.text
    response = client.post(f"/decisions/{record.id}/minority-reports", data={"paper": paper.id})
    assert response.status_code == 303
    assert "Why spring fails" in client.get(f"/decisions/{record.id}").text
    login_as(voters[0])
    refused = client.post(f"/decisions/{record.id}/minority-reports", data={"paper": paper.id})
    assert refused.status_code in (400, 403)
    assert db.session.scalar(select(func.count()).select_from(MinorityReport)) == 1


def test_the_archive_searches_with_highlights_and_filters(client, login_as, convener, voters):
    record = sealed_record(convener, voters)
    other = write(convener, decided_record(convener, voters, title="Buy a printer?"))
    services.seal_record(convener, other)
    services.record_commitment(
        voters[1], record, commits=True, disagreement="The neighbourhoods are unprepared."
    )
    login_as(voters[0])
    found = client.get("/decisions/?q=unprepared")
    assert found.status_code == 200
    assert "<mark>" in found.text
    assert "Run the spring campaign?" in found.text
    assert "Buy a printer?" not in found.text
    assert "Buy a printer?" in client.get("/decisions/?q=printer").text
    assert "No sealed record matches" in client.get("/decisions/?q=zzzyxw").text
    assert client.get("/decisions/?outcome=sideways").status_code == 400
    assert client.get("/decisions/?from=yesterday").status_code == 400


def test_search_syntax_is_never_read_as_the_index_query(client, login_as, convener, voters):
    sealed_record(convener, voters)
    login_as(voters[0])
    for query in ['"', "AND OR NOT", "leaflet*", "(", "NEAR(a b)", "a:b", "'; DROP TABLE x"]:
        assert client.get("/decisions/", query_string={"q": query}).status_code == 200


def test_the_archive_is_closed_to_the_public_unless_the_organization_opens_it(
    app, client, convener, voters
):
    record = sealed_record(convener, voters)
    drafting = decided_record(convener, voters, title="Not yet written")
    services.record_commitment(voters[1], record, commits=True, disagreement="Too soon.")
    assert client.get("/decisions/").status_code == 302
    assert client.get(f"/decisions/{record.id}").status_code == 302
    app.config["ARCHIVE_PUBLIC"] = True
    try:
        page = client.get(f"/decisions/{record.id}")
        assert page.status_code == 200
        assert UNITY.split("**")[0] in page.text
        assert "Too soon." in page.text
        assert voters[1].display_name not in page.text
        assert client.get(f"/decisions/{drafting.id}").status_code == 404
        assert client.get(f"/decisions/{record.id}/entries/{voters[1].id}").status_code == 403
        app.config["ARCHIVE_PUBLIC_NAMES"] = True
        assert voters[1].display_name in client.get(f"/decisions/{record.id}").text
    finally:
        app.config["ARCHIVE_PUBLIC"] = False
        app.config["ARCHIVE_PUBLIC_NAMES"] = False


def test_the_evaluation_is_opened_written_and_sealed_by_conveners(
    client, login_as, convener, voters
):
    today = utcnow().date()
    record = sealed_record(
        convener,
        voters,
        valid_from=today - timedelta(days=60),
        valid_until=today - timedelta(days=1),
        evaluation_date=today,
    )
    services.record_commitment(voters[1], record, commits=True, disagreement="Too early.")
    login_as(convener)
    assert "evaluation due" in client.get(f"/decisions/{record.id}").text
    assert "Evaluation due" in client.get("/").text
    assert client.post(f"/decisions/{record.id}/evaluation/open").status_code == 303
    field = f"member-{voters[1].id}"
    response = client.post(
        f"/decisions/{record.id}/evaluation",
        data={
            "verdict": "not_achieved",
            "assessment": "It rained.",
            f"{field}-borne_out": "borne_out",
            f"{field}-comment": "Right about the weather.",
        },
    )
    assert response.status_code == 303
    seal = client.post(f"/decisions/{record.id}/evaluation/seal", data={"confirm": "1"})
    assert seal.status_code == 303
    page = client.get(f"/decisions/{record.id}")
    assert "Evaluation: not achieved" in page.text
    assert "borne out" in page.text
    listed = client.get("/decisions/?borne_out=1")
    assert record.title in listed.text
    login_as(voters[0])
    refused = client.post(
        f"/decisions/{record.id}/evaluation", data={"verdict": "achieved", "assessment": "x"}
    )
    assert refused.status_code == 403


def test_exports_download_the_record(client, login_as, convener, voters):
    record = sealed_record(convener, voters)
    login_as(voters[0])
    as_json = client.get(f"/decisions/{record.id}.json")
    assert as_json.status_code == 200
    assert as_json.json["id"] == record.id
    assert as_json.json["statements"]["unity_in_action"] == UNITY
    as_markdown = client.get(f"/decisions/{record.id}.md")
    assert record.title in as_markdown.text
    printable = client.get(f"/decisions/{record.id}/print")
    assert "print.css" in printable.text
    assert db.session.get(DecisionRecord, record.id) is not None


def test_the_vote_page_leads_to_the_record_it_produced(client, login_as, convener, voters):
    record = decided_record(convener, voters)
    login_as(voters[0])
    page = client.get(f"/votes/{record.vote_id}")
    assert f'href="/decisions/{record.id}"' in page.text
    assert "The decision record of this vote" in page.text


def test_members_debate_the_record_and_its_evaluation_in_their_threads(
    client, login_as, convener, voters
):
    record = sealed_record(convener, voters)
    evaluation = services.open_evaluation(convener, record, today=utcnow().date())
    login_as(voters[0])
    for subject_type, subject_id, page in (
        ("decision", record.id, f"/decisions/{record.id}"),
        ("evaluation", evaluation.id, f"/decisions/{record.id}/evaluation"),
    ):
        response = client.post(
            f"/debate/{subject_type}/{subject_id}/comments/new",
            data={"body": f"On the {subject_type}: the rain came early."},
        )
        assert response.status_code == 303
        assert f"On the {subject_type}: the rain came early." in client.get(page).text


def test_the_evaluation_page_reads_the_evaluation_once(client, login_as, convener, voters):
    today = utcnow().date()
    record = sealed_record(convener, voters, evaluation_date=today)
    services.open_evaluation(convener, record, today=today)
    login_as(convener)
    statements = page_queries(client, f"/decisions/{record.id}/evaluation")
    reads = [s for s in statements if s.startswith("SELECT evaluations.")]
    assert len(reads) == 1, "\n\n".join(reads)


def test_the_minority_report_list_offers_only_papers_on_this_decision(
    client, login_as, convener, voters, tendency
):
    record = sealed_record(convener, voters)
    other = write(convener, decided_record(convener, voters, title="Buy a printer?"))
    coordinator = make_member("Cora Coordinator", tendency=tendency, coordinator=True)
    on_record = make_paper(
        coordinator,
        tendency,
        resolve("decision", record.id),
        "On this record",
        "Rain.",
        publish=True,
    )
    on_vote = make_paper(
        coordinator, tendency, resolve("vote", record.vote_id), "On its vote", "Wind.", publish=True
    )
    elsewhere = make_paper(
        coordinator, tendency, resolve("decision", other.id), "On the printer", "Ink.", publish=True
    )
    login_as(coordinator)
    page = client.get(f"/decisions/{record.id}").text
    listed = page[page.index("Attach a minority report") :]
    assert "On this record" in listed
    assert "On its vote" in listed
    assert "On the printer" not in listed
    refused = client.post(f"/decisions/{record.id}/minority-reports", data={"paper": elsewhere.id})
    assert refused.status_code == 400
    assert "a paper on this decision" in refused.text
    assert db.session.scalar(select(func.count()).select_from(MinorityReport)) == 0
    for paper in (on_record, on_vote):
        done = client.post(f"/decisions/{record.id}/minority-reports", data={"paper": paper.id})
        assert done.status_code == 303


def test_a_search_snippet_quotes_words_not_markdown(client, login_as, convener, voters):
    record = sealed_record(convener, voters)
    services.record_commitment(
        voters[1],
        record,
        commits=True,
        disagreement="The neighbourhoods are **badly unprepared**; see [the survey](https://example.org/s).",
    )
    login_as(voters[0])
    found = client.get("/decisions/?q=unprepared").text
    assert "<mark>unprepared</mark>" in found
    assert "**" not in found
    assert "the survey" in found
    assert "](https" not in found
