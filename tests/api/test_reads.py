"""Reading through the API: the same drafts, votes and records as the pages show, with the
same permissions, cursors, ETags and 304s."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from deliberate.accounts.models import MemberStatus
from deliberate.decisions.models import DecisionRecord
from deliberate.demo import load_demo
from deliberate.demo.people import ADMIN
from deliberate.drafts.models import Amendment, Draft, DraftParagraph, DraftVersion
from deliberate.extensions import db
from deliberate.voting.models import Vote
from tests.api.helpers import api_get, token_for


@pytest.fixture
def demo(session):
    return load_demo()


@pytest.fixture
def reader(demo):
    """A member of the demo, with a read-only token."""
    member = next(m for name, m in sorted(demo.members.items()) if name != ADMIN)
    return member, token_for(member, ("read",))


def test_a_version_reads_by_paragraph_with_the_pages_line_numbers(client, demo, reader):
    _member, secret = reader
    draft = db.session.scalars(
        select(Draft).join(Amendment, Amendment.draft_id == Draft.id).order_by(Draft.id)
    ).first()
    listed = api_get(client, "/api/v1/drafts", secret).get_json()
    assert draft.id in [item["id"] for item in listed["items"]]
    shown = api_get(client, f"/api/v1/drafts/{draft.id}", secret).get_json()
    assert shown["current_version"] == draft.current_version_number
    version = api_get(
        client, f"/api/v1/drafts/{draft.id}/versions/{draft.current_version_number}", secret
    ).get_json()
    stored = db.session.scalars(
        select(DraftParagraph)
        .join(DraftVersion)
        .where(
            DraftVersion.draft_id == draft.id,
            DraftVersion.number == draft.current_version_number,
        )
        .order_by(DraftParagraph.number)
    ).all()
    assert [(p["number"], p["first_line"], p["markdown"]) for p in version["paragraphs"]] == [
        (p.number, p.first_line, p.markdown) for p in stored
    ]
    amendments = api_get(client, f"/api/v1/drafts/{draft.id}/amendments", secret).get_json()
    first = amendments["items"][0]
    one = api_get(client, f"/api/v1/drafts/{draft.id}/amendments/{first['number']}", secret)
    assert one.get_json() == first


def test_a_closed_votes_results_answer_304_to_the_etag_they_gave(client, demo, reader):
    _member, secret = reader
    vote = db.session.scalars(select(Vote).where(Vote.state == "closed").order_by(Vote.id)).first()
    first = api_get(client, f"/api/v1/votes/{vote.id}/results", secret)
    assert first.status_code == 200
    assert first.get_json()["result"] == json.loads(vote.result_json)
    tag = first.headers["ETag"]
    again = api_get(client, f"/api/v1/votes/{vote.id}/results", secret, **{"If-None-Match": tag})
    assert again.status_code == 304
    assert again.get_data() == b""
    other = api_get(client, f"/api/v1/votes/{vote.id}/results", secret, **{"If-None-Match": '"x"'})
    assert other.status_code == 200


def test_a_votes_etag_changes_when_someone_votes(client, demo, reader):
    _member, secret = reader
    vote = db.session.scalars(select(Vote).where(Vote.state == "open").order_by(Vote.id)).first()
    before = api_get(client, f"/api/v1/votes/{vote.id}", secret)
    shown = before.get_json()
    assert shown["participation"]["roll"] == vote.roll_size
    assert shown["result"] is None
    from deliberate.voting.models import Participation

    voted = db.session.scalar(
        select(Participation.member_id).where(Participation.vote_id == vote.id)
    )
    db.session.execute(
        Participation.__table__.delete().where(
            Participation.vote_id == vote.id, Participation.member_id == voted
        )
    )
    after = api_get(
        client, f"/api/v1/votes/{vote.id}", secret, **{"If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200
    assert after.get_json()["participation"]["voted"] == shown["participation"]["voted"] - 1


def test_a_secret_votes_result_names_no_voter(client, demo, reader):
    _member, secret = reader
    for vote in db.session.scalars(select(Vote).where(Vote.state == "closed", Vote.secret)):
        body = api_get(client, f"/api/v1/votes/{vote.id}", secret).get_data(as_text=True)
        assert "roll_call" not in body
        assert "member_id" not in body


def test_a_record_is_its_pages_json_export_with_commitment_counts(client, demo, reader, login_as):
    member, secret = reader
    record = db.session.scalars(
        select(DecisionRecord).where(DecisionRecord.state == "sealed").order_by(DecisionRecord.id)
    ).first()
    through_api = api_get(client, f"/api/v1/decisions/{record.id}", secret).get_json()
    assert through_api["commitments"]["overall"]
    login_as(member)
    page_export = client.get(f"/decisions/{record.id}.json").get_json()
    assert through_api == page_export


def test_the_archive_search_finds_what_the_page_finds(client, demo, reader):
    _member, secret = reader
    record = db.session.scalars(
        select(DecisionRecord).where(DecisionRecord.state == "sealed").order_by(DecisionRecord.id)
    ).first()
    word = record.title.split()[-1]
    found = api_get(client, f"/api/v1/decisions?q={word}", secret).get_json()
    assert record.id in [item["id"] for item in found["items"]]
    refused = api_get(client, "/api/v1/decisions?from=yesterday", secret)
    assert refused.status_code == 400
    assert refused.get_json()["detail"] == "Write dates as YYYY-MM-DD."


def test_a_cursor_not_given_by_the_api_is_refused(client, demo, reader):
    _member, secret = reader
    refused = api_get(client, "/api/v1/drafts?cursor=bogus", secret)
    assert refused.status_code == 400
    assert refused.content_type == "application/problem+json"


def test_reading_needs_the_read_scope_and_an_active_member(client, demo, reader):
    member, _secret = reader
    vote_only = token_for(member, ("vote",))
    refused = api_get(client, "/api/v1/drafts", vote_only)
    assert refused.status_code == 403
    assert refused.get_json()["detail"] == "This token does not have the scope “read”."
    assert client.get("/api/v1/drafts").status_code == 401
    member.status = MemberStatus.SUSPENDED
    assert api_get(client, "/api/v1/decisions", _secret).status_code == 401
