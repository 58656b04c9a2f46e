"""The archive as anyone meets it without logging in, when the organization opens it
(`ARCHIVE_PUBLIC`) without naming members (`ARCHIVE_PUBLIC_NAMES` off): no page, export or
search result names a member or lets one be recovered, and nothing unsealed is shown."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from deliberate.accounts.models import Member, MemberRole
from deliberate.database import utcnow
from deliberate.decisions import queries, services
from deliberate.decisions.models import (
    Commitment,
    DecisionRecord,
    DissentAssessment,
    Evaluation,
    RecordState,
)
from deliberate.demo import load_demo
from deliberate.demo.people import CONVENER
from deliberate.demo.texts import BY_ELECTION
from deliberate.demo.votes import VENUE_QUESTION
from deliberate.extensions import db
from deliberate.tendencies.queries import current_membership
from deliberate.voting import services as voting
from deliberate.voting.models import VoteOption
from deliberate.voting.rules import Settings
from tests.decisions.factories import sealed_record, write
from tests.factories import make_member, make_tendency

# Words written only in texts nobody has sealed: an evaluation and a record's statements.
UNSEALED_EVALUATION = "Quillwort"
UNSEALED_STATEMENT = "Marshmallowroot"


@pytest.fixture
def public_archive(app) -> Iterator[None]:
    app.config.update(ARCHIVE_PUBLIC=True, ARCHIVE_PUBLIC_NAMES=False)
    try:
        yield
    finally:
        app.config.update(ARCHIVE_PUBLIC=False, ARCHIVE_PUBLIC_NAMES=False)


@pytest.fixture
def demo_archive(session) -> dict[str, DecisionRecord]:
    """The demo's archive, with the by-election's evaluation being written and the venue
    record's statements revised once more, neither sealed."""
    world = load_demo()
    convener = world.members[CONVENER]
    by_election = world.records[f"Adoption of “{BY_ELECTION.title}”, version 1"]
    evaluation = services.open_evaluation(convener, by_election, today=utcnow().date())
    services.revise_evaluation(
        convener,
        evaluation,
        services.EvaluationText(
            verdict="partly_achieved",
            assessment=f"A first draft: the {UNSEALED_EVALUATION} canvass was too thin.",
            dissents={},
        ),
    )
    venue = world.records[VENUE_QUESTION]
    assert venue.state == RecordState.DRAFTING
    services.revise_statements(
        convener,
        venue,
        services.Statements(
            outcome=f"The hall is booked; the {UNSEALED_STATEMENT} room is not.",
            unity="Everyone brings a chair.",
        ),
        seen_revision=venue.revision,
    )
    return world.records


def _members() -> list[tuple[str, str]]:
    return [tuple(row) for row in db.session.execute(select(Member.display_name, Member.email))]


def _decided_texts() -> str:
    """What the archive publishes as the decision itself: what members wrote and sealed
    (statements, disagreements, reports, the sealed evaluation) and the options voted on (an
    election's candidates). A member named there is named by the decision, not by the
    archive."""
    texts: list[str] = []
    for record in db.session.scalars(
        select(DecisionRecord).where(DecisionRecord.state == RecordState.SEALED)
    ):
        texts += [record.title, record.outcome_summary or "", record.outcome_markdown or ""]
        texts += [record.unity_markdown or ""]
        texts += [r.title + r.body_markdown for r in queries.minority_reports(record)]
        texts += db.session.scalars(
            select(VoteOption.label).where(VoteOption.vote_id == record.vote_id)
        )
    texts += db.session.scalars(select(Commitment.disagreement_markdown))  # type: ignore[arg-type]
    sealed = select(Evaluation.id).where(Evaluation.sealed_at.is_not(None))
    texts += db.session.scalars(
        select(Evaluation.assessment_markdown).where(Evaluation.id.in_(sealed))
    )
    texts += db.session.scalars(
        select(DissentAssessment.comment).where(DissentAssessment.evaluation_id.in_(sealed))
    )  # type: ignore[arg-type]
    return "\n".join(t for t in texts if t)


def _public_addresses(members: list[tuple[str, str]]) -> list[str]:
    addresses = ["/decisions/", "/decisions/?borne_out=1", "/decisions/?outcome=adopted"]
    words = ["the", "campaign", "disagreement", "tenants", "evaluation", "committee", "hall"]
    words += [UNSEALED_EVALUATION, UNSEALED_STATEMENT, "draft", "thin", "chair"]
    for name, email in members:
        words += [*name.split(), email.split("@")[0]]
    addresses += [f"/decisions/?q={word}" for word in words]
    for record in db.session.scalars(
        select(DecisionRecord).where(DecisionRecord.state == RecordState.SEALED)
    ):
        addresses += [f"/decisions/{record.id}{end}" for end in ("", "/print", ".json", ".md")]
    return addresses


def test_no_public_page_export_or_search_names_a_member(
    client, login_as, demo_archive, public_archive
):
    members = _members()
    decided = _decided_texts()
    for address in _public_addresses(members):
        response = client.get(address)
        assert response.status_code == 200, address
        body = response.get_data(as_text=True)
        if address.endswith(".json"):
            body += json.dumps(response.get_json(), ensure_ascii=False)  # no \u escapes
        for name, email in members:
            assert email not in body, f"{address} gives {email}"
            if name not in decided:
                assert name not in body, f"{address} names {name}"
    # Nothing that is still being written is readable, under any address.
    venue = demo_archive[VENUE_QUESTION]
    for end in ("", "/print", ".json", ".md"):
        assert client.get(f"/decisions/{venue.id}{end}").status_code == 404
    for record in demo_archive.values():
        for member in db.session.scalars(select(Member)):
            entries = client.get(f"/decisions/{record.id}/entries/{member.id}")
            assert entries.status_code in (403, 404)
    # Members still see who wrote each revision of the statements.
    login_as(db.session.scalars(select(Member).where(Member.display_name == CONVENER)).one())
    by_election = demo_archive[f"Adoption of “{BY_ELECTION.title}”, version 1"]
    assert f"by {CONVENER}" in client.get(f"/decisions/{by_election.id}").text


def test_public_search_finds_only_what_is_sealed(client, login_as, demo_archive, public_archive):
    for word, around in ((UNSEALED_EVALUATION, "too thin"), (UNSEALED_STATEMENT, "room is not")):
        page = client.get("/decisions/", query_string={"q": word})
        assert page.status_code == 200
        assert around not in page.text
        assert "<mark>" not in page.text
        assert "No sealed record matches." in page.text
    # Members' search of the archive holds the same: the archive is of sealed texts.
    login_as(make_member("Searching Member"))
    assert "too thin" not in client.get(f"/decisions/?q={UNSEALED_EVALUATION}").text
    # Once the evaluation is sealed, it is found, and shown.
    by_election = demo_archive[f"Adoption of “{BY_ELECTION.title}”, version 1"]
    evaluation = queries.evaluation_of(by_election)
    assert evaluation is not None
    convener = db.session.scalars(select(Member).where(Member.display_name == CONVENER)).one()
    services.revise_evaluation(
        convener,
        evaluation,
        services.EvaluationText(
            verdict="partly_achieved",
            assessment=evaluation.assessment_markdown,
            dissents=dict.fromkeys(services.dissents_of(by_election), ("partly_borne_out", "")),
        ),
    )
    services.seal_evaluation(convener, evaluation)
    client.post("/logout")
    found = client.get("/decisions/", query_string={"q": UNSEALED_EVALUATION})
    assert f"<mark>{UNSEALED_EVALUATION}</mark>" in found.text


@pytest.fixture
def lone_dissenter(session) -> tuple[DecisionRecord, Member]:
    """A sealed record with twelve entries from one tendency and one from a tendency of a
    single member, who registers a disagreement."""
    convener = make_member("Convener Cato", role=MemberRole.CONVENER)
    big = make_tendency("Broad Current")
    solo = make_tendency("Solitary Platform")
    crowd = [make_member(f"Crowd {i}", tendency=big) for i in range(12)]
    loner = make_member("Lone Dissenter", tendency=solo)
    record = sealed_record(convener, [*crowd[:3], loner])
    for member in crowd:
        services.record_commitment(member, record, commits=True, disagreement=None)
    services.record_commitment(loner, record, commits=True, disagreement="Alone, I disagree.")
    return record, loner


def test_a_tendency_of_one_member_is_not_named_beside_their_entry(
    client, login_as, lone_dissenter, public_archive
):
    record, loner = lone_dissenter
    for end in ("", "/print", ".json", ".md"):
        body = client.get(f"/decisions/{record.id}{end}").get_data(as_text=True)
        assert "Alone, I disagree." in body
        assert "Solitary Platform" not in body, end
    # Nor found by asking which records the tendency's members disagreed with.
    found = client.get("/decisions/", query_string={"tendency": _tendency(loner)})
    assert "No sealed record matches." in found.text
    # With one group over the minimum and the rest under it, subtracting the group from the
    # total would give the lone member's entry: the public sees the total only.
    document = client.get(f"/decisions/{record.id}.json").get_json()
    assert document["commitments"]["by_tendency"] == []
    assert document["commitments"]["overall"]["disagreements"] == 1
    # Members see the tendency as before.
    login_as(make_member("Reading Member"))
    assert "Solitary Platform" in client.get(f"/decisions/{record.id}").text
    found = client.get("/decisions/", query_string={"tendency": _tendency(loner)})
    assert record.title in found.text


def _tendency(member: Member) -> int:
    membership = current_membership(member)
    assert membership is not None
    return membership.tendency_id


def test_groups_under_the_minimum_are_merged_and_none_is_left_to_subtraction():
    tally = queries.Tally
    large = [tally("Broad", 12), tally(queries.NO_TENDENCY, 10)]
    shown = queries.public_summary(
        queries.CommitmentSummary(tally("All members", 22), large), minimum=10
    )
    assert shown.by_tendency == large
    assert shown.hidden == set()
    summary = queries.CommitmentSummary(
        tally("All members", 22, 1, 0), [large[0], tally("Solo", 0, 1), large[1]]
    )
    # "Other members" would hold the lone entry alone: the smallest group shown joins it.
    shown = queries.public_summary(summary, minimum=10)
    assert shown.overall == summary.overall
    assert [(t.name, t.entries) for t in shown.by_tendency] == [
        ("Broad", 12),
        (queries.OTHER_MEMBERS, 11),
    ]
    assert shown.hidden == {"Solo", queries.NO_TENDENCY}
    # Merging the last group shown would still leave too few: only the total is published.
    shown = queries.public_summary(summary, minimum=12)
    assert shown.by_tendency == []
    assert shown.hidden == {"Broad", "Solo", queries.NO_TENDENCY}


def test_a_roll_call_is_not_told_by_tendency_to_the_public(client, login_as, public_archive):
    convener = make_member("Convener Cato", role=MemberRole.CONVENER)
    crowd = [make_member(f"Crowd {i}") for i in range(3)]
    loner = make_member("Lone Voter", tendency=make_tendency("Solitary Platform"))
    vote = voting.create_vote(
        convener,
        title="Rename the bulletin?",
        settings=Settings(method="majority", threshold="simple", secret=False),
    )
    for voter in crowd:
        voting.cast_ballot(voter, vote, {"choice": "yes"})
    voting.cast_ballot(loner, vote, {"choice": "no"})
    voting.close_vote(convener, vote)
    record = services.record_of_vote(vote.id)
    assert record is not None
    write(convener, record)
    services.seal_record(convener, record)
    for end in ("", "/print", ".json", ".md"):
        body = client.get(f"/decisions/{record.id}{end}").get_data(as_text=True)
        assert "Solitary Platform" not in body, end
    login_as(crowd[0])
    assert "Solitary Platform" in client.get(f"/decisions/{record.id}").text
