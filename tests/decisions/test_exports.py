"""A record's exports: the JSON document and the Markdown, with members' names only when asked,
and never anything that links a secret ballot to its voter."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from deliberate.accounts.models import MemberRole
from deliberate.database import utcnow
from deliberate.decisions import exports, services
from deliberate.decisions.verify import verify_archive
from deliberate.subjects import resolve
from deliberate.voting import services as voting
from deliberate.voting.rules import Settings
from tests.decisions.factories import OUTCOME, UNITY, decided_record, sealed_record, write
from tests.factories import make_member, make_tendency
from tests.papers.factories import make_paper

HOSTILE = "We <script>alert(1)</script> warned. [Read](javascript:alert(2)) <img src=x onerror=y>"


@pytest.fixture
def convener(session):
    return make_member("Ottoline Convener", role=MemberRole.CONVENER)


@pytest.fixture
def tendency(session):
    return make_tendency("Harbour tendency")


@pytest.fixture
def voters(session, tendency):
    names = ["Quenby Arkwright", "Zebulon Fairweather", "Idony Blackwood", "Peregrine Lusk"]
    return [make_member(name, tendency=tendency if i % 2 else None) for i, name in enumerate(names)]


def names_of(people) -> list[str]:
    return [person.display_name for person in people]


@pytest.fixture
def evaluated(convener, voters, tendency):
    """A sealed situational record with commitments, a disagreement, a minority report and a
    sealed evaluation that found the disagreement borne out."""
    today = utcnow().date()
    record = sealed_record(
        convener,
        voters,
        valid_from=today - timedelta(days=30),
        valid_until=today,
        evaluation_date=today,
    )
    services.record_commitment(voters[0], record, commits=True, disagreement=None)
    services.record_commitment(voters[1], record, commits=True, disagreement=HOSTILE)
    services.record_commitment(voters[2], record, commits=False, disagreement="Wrong season.")
    coordinator = make_member("Coordinator Wynstan", tendency=tendency, coordinator=True)
    paper = make_paper(
        coordinator,
        tendency,
        resolve("decision", record.id),
        "Spring is too early",
        "The harbour *freezes*.",
        publish=True,
    )
    report = services.attach_minority_report(coordinator, record, paper)
    evaluation = services.open_evaluation(convener, record, today=today)
    services.revise_evaluation(
        convener,
        evaluation,
        services.EvaluationText(
            verdict="partly_achieved",
            assessment="Half the leaflets went out.",
            dissents={
                services.DissentKey(member_id=voters[1].id): ("borne_out", "Indeed."),
                services.DissentKey(member_id=voters[2].id): ("not_borne_out", ""),
                services.DissentKey(minority_report_id=report.id): ("partly_borne_out", "Ice."),
            },
        ),
    )
    services.seal_evaluation(convener, evaluation)
    return record


def test_the_json_document_holds_the_whole_record(evaluated, voters):
    document = exports.record_document(evaluated, names=True)
    assert document["schema"] == exports.SCHEMA
    assert document["statements"]["outcome"] == OUTCOME
    assert document["statements"]["unity_in_action"] == UNITY
    assert document["vote"]["result"]["outcome"]["adopted"] is True
    assert document["participation"]["voted"] == len(voters)
    overall = document["commitments"]["overall"]
    assert (overall["committed"], overall["committed_disagreeing"]) == (1, 1)
    assert overall["disagreeing_only"] == 1
    assert {t["name"] for t in document["commitments"]["by_tendency"]} == {
        "Harbour tendency",
        "No tendency",
    }
    assert sorted(d["member"] for d in document["disagreements"]) == sorted(names_of(voters[1:3]))
    [report] = document["minority_reports"]
    assert (report["tendency"], report["title"], report["revision"]) == (
        "Harbour tendency",
        "Spring is too early",
        1,
    )
    assert report["body"] == "The harbour *freezes*."
    evaluation = document["evaluation"]
    assert evaluation["verdict"] == "partly_achieved"
    assert [d["borne_out"] for d in evaluation["dissents"]] == [
        "borne_out",
        "not_borne_out",
        "partly_borne_out",
    ]
    assert [link["kind"] for link in document["chain"]] == [
        "vote",
        "record",
        "commitment",
        "commitment",
        "commitment",
        "minority_report",
        "evaluation",
    ]
    assert document["chain"][0]["previous_hash"] == "0" * 64
    json.dumps(document)  # every value is JSON
    assert verify_archive().holds


def test_without_names_the_json_names_no_member(evaluated, voters, convener):
    document = exports.record_document(evaluated, names=False)
    text = json.dumps(document, ensure_ascii=False)
    for name in [*names_of(voters), convener.display_name, "Coordinator Wynstan"]:
        assert name not in text
    assert "member_id" not in text
    assert "roll_call" not in text
    assert document["sealed_by"] is None
    # Groups of fewer than SECRET_BREAKDOWN_MIN entries are not named: each is a few people.
    assert [d["tendency"] for d in document["disagreements"]] == [None, None]
    assert document["commitments"]["by_tendency"] == []
    assert all(entry["tendency"] is None for entry in document["commitments"]["entries"])
    assert all("member" not in entry for entry in document["commitments"]["entries"])
    assert len(document["commitments"]["entries"]) == 3


def roll_call_record(convener, voters):
    vote = voting.create_vote(
        convener,
        title="Rename the bulletin?",
        settings=Settings(method="majority", threshold="simple", secret=False),
    )
    for voter in voters:
        voting.cast_ballot(voter, vote, {"choice": "yes"})
    voting.close_vote(convener, vote)
    record = services.record_of_vote(vote.id)
    assert record is not None
    write(convener, record)
    services.seal_record(convener, record)
    return record


def test_a_roll_call_shows_who_voted_what_only_with_names(convener, voters):
    record = roll_call_record(convener, voters)
    named = exports.record_document(record, names=True)
    assert sorted(row["member_id"] for row in named["vote"]["result"]["roll_call"]) == sorted(
        v.id for v in voters
    )
    assert "Quenby Arkwright" in exports.record_markdown(record, names=True)
    anonymous = exports.record_document(record, names=False)
    assert "roll_call" not in anonymous["vote"]["result"]
    markdown = exports.record_markdown(record, names=False)
    assert "Roll call" not in markdown
    for name in names_of(voters):
        assert name not in markdown


def test_a_secret_ballot_is_never_linked_to_voters_even_with_names(convener, voters):
    record = sealed_record(convener, voters)
    document = exports.record_document(record, names=True)
    result = document["vote"]["result"]
    assert document["vote"]["secret"] is True
    assert "roll_call" not in result
    text = json.dumps(document["vote"], ensure_ascii=False)
    for voter in voters:
        assert voter.display_name not in text
    assert "member_id" not in text


def test_the_markdown_shows_the_statements_and_defuses_member_html(evaluated, voters):
    markdown = exports.record_markdown(evaluated, names=True)
    assert markdown.startswith("# Run the spring campaign?\n")
    assert OUTCOME in markdown
    assert UNITY in markdown
    assert "## Registered disagreements" in markdown
    assert "Wrong season." in markdown
    assert "Spring is too early" in markdown
    assert "Verdict: **partly achieved**" in markdown
    assert voters[1].display_name in markdown
    assert "<script" not in markdown
    assert "<img" not in markdown
    assert "](javascript:" not in markdown
    assert "&lt;script>" in markdown
    anonymous = exports.record_markdown(evaluated, names=False)
    assert voters[1].display_name not in anonymous
    assert "A member, commits" in anonymous
    assert "A member (Harbour tendency)" not in anonymous


def test_without_names_groups_large_enough_are_named(app, evaluated):
    minimum = app.config["SECRET_BREAKDOWN_MIN"]
    app.config["SECRET_BREAKDOWN_MIN"] = 1
    try:
        anonymous = exports.record_markdown(evaluated, names=False)
    finally:
        app.config["SECRET_BREAKDOWN_MIN"] = minimum
    assert "A member (Harbour tendency), commits" in anonymous


def test_the_archive_holds_every_sealed_record_and_no_draft(convener, voters):
    first = sealed_record(convener, voters)
    unsealed = write(convener, decided_record(convener, voters, title="Still being written"))
    second = sealed_record(convener, voters)
    ids = [d["id"] for d in exports.archive_documents(names=False)]
    assert ids == [first.id, second.id]
    assert unsealed.id not in ids
    chapters = list(exports.archive_markdown(names=False))
    assert len(chapters) == 2
    assert all(chapter.startswith("# ") for chapter in chapters)


def test_the_markdown_writes_times_methods_and_kinds_in_words(evaluated):
    markdown = exports.record_markdown(evaluated, names=False)
    assert re.search(r"Decided \d{1,2} \w+ \d{4} at \d\d:\d\d UTC; sealed \d{1,2} \w+", markdown)
    assert "- Method: Majority (yes / no / abstain), secret ballot" in markdown or (
        "- Method: Majority (yes / no / abstain), roll-call ballot" in markdown
    )
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", markdown)
    assert "minority_report" not in markdown
    assert "| commitment |" in markdown or "| record |" in markdown
