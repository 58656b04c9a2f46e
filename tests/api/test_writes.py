"""Acting through the API: what members write and cast, and what admins do, through the same
services as the pages, refused with the pages' messages, with no CSRF token needed for a
token and the pages' CSRF check for a session."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from deliberate.accounts.models import MemberStatus
from deliberate.audit.models import AuditEntry
from deliberate.bodies.models import BodyMembership
from deliberate.debate.models import Comment
from deliberate.decisions.models import Commitment
from deliberate.drafts.models import Amendment
from deliberate.extensions import db
from deliberate.tendencies.queries import current_membership
from deliberate.voting.models import Ballot, Participation
from tests.api.helpers import api_get, api_post, token_for
from tests.security.world import build_world


@pytest.fixture
def world(session):
    built = build_world()
    db.session.commit()
    return built


def test_a_member_proposes_and_another_seconds_an_amendment(client, world):
    draft = world["draft"]
    body = {
        "version": draft.current_version_number,
        "kind": "replace",
        "first": 2,
        "last": 2,
        "new_text": "A better second paragraph.",
        "title": "Sharpen ¶2",
        "rationale": "It says more.",
    }
    made = api_post(client, f"/api/v1/drafts/{draft.id}/amendments", world["member_secret"], body)
    assert made.status_code == 201, made.get_json()
    number = made.get_json()["number"]
    assert (
        db.session.scalar(
            select(Amendment.title).where(
                Amendment.draft_id == draft.id, Amendment.number == number
            )
        )
        == "Sharpen ¶2"
    )
    seconded = api_post(
        client,
        f"/api/v1/drafts/{draft.id}/amendments/{number}/seconds",
        world["owner_secret"],
        {},
    )
    assert seconded.get_json() == {"amendment": number, "seconds": 1, "tabled": False}
    again = api_post(
        client, f"/api/v1/drafts/{draft.id}/amendments/{number}/seconds", world["member_secret"], {}
    )
    assert again.status_code == 400
    assert again.get_json()["detail"] == (
        "You proposed this amendment; seconders must be other members."
    )


def test_an_amendment_to_a_superseded_version_is_refused_with_the_pages_message(client, world):
    draft = world["draft"]
    count = db.session.scalar(select(func.count(Amendment.id)))
    refused = api_post(
        client,
        f"/api/v1/drafts/{draft.id}/amendments",
        world["member_secret"],
        {"version": 99, "kind": "delete", "first": 1, "last": 1, "title": "Go", "rationale": "x"},
    )
    assert refused.status_code == 409
    assert refused.content_type == "application/problem+json"
    assert refused.get_json()["detail"].startswith("Version 99 has been superseded")
    assert db.session.scalar(select(func.count(Amendment.id))) == count


def test_a_body_the_schema_refuses_names_the_field(client, world):
    refused = api_post(
        client, f"/api/v1/drafts/{world['draft'].id}/amendments", world["member_secret"], {}
    )
    assert refused.status_code == 422
    problem = refused.get_json()
    assert "title" in problem["errors"]["json"]


def test_a_comment_is_posted_on_a_paragraph_and_an_empty_one_refused(client, world):
    url = f"/api/v1/debate/draft/{world['draft'].id}/comments"
    posted = api_post(
        client, url, world["member_secret"], {"body": "On ¶1: *yes*.", "paragraph": 1}
    )
    assert posted.status_code == 201
    assert db.session.get(Comment, posted.get_json()["id"]).paragraph == 1
    empty = api_post(client, url, world["member_secret"], {"body": "   "})
    assert empty.status_code == 400
    assert empty.get_json()["detail"]


def test_a_secret_ranked_ballot_answers_a_receipt_that_replaces_it(client, world):
    vote = world["ranked_vote"]
    url = f"/api/v1/votes/{vote.id}/ballots"
    cast = api_post(client, url, world["member_secret"], {"ranking": ["Ben", "Ana"]})
    assert cast.status_code == 201, cast.get_json()
    code = cast.get_json()["receipt"]
    assert code
    assert not cast.get_json()["replaced"]
    wrong = api_post(client, url, world["member_secret"], {"ranking": ["Ana"], "receipt": "x"})
    assert wrong.status_code in (400, 403, 409)
    replaced = api_post(client, url, world["member_secret"], {"ranking": ["Ana"], "receipt": code})
    assert replaced.get_json()["replaced"] is True
    assert db.session.scalar(select(func.count()).where(Ballot.vote_id == vote.id)) == 1
    # What the API shows an admin of the open vote: a count, no ballot, no voter.
    shown = api_get(client, f"/api/v1/votes/{vote.id}", world["admin_secret"]).get_json()
    assert shown["participation"]["voted"] == 1
    assert shown["result"] is None
    assert str(world["member"].id) not in str(shown["participation"])


def test_casting_needs_the_vote_scope(client, world):
    read_write = token_for(world["member"], ("read", "write"))
    refused = api_post(
        client, f"/api/v1/votes/{world['ranked_vote'].id}/ballots", read_write, {"ranking": ["Ana"]}
    )
    assert refused.status_code == 403
    assert not db.session.scalar(
        select(func.count()).where(Participation.vote_id == world["ranked_vote"].id)
    )


def test_a_block_without_a_reason_is_refused_as_the_ballot_page_refuses_it(client, world):
    refused = api_post(
        client,
        f"/api/v1/votes/{world['consensus_vote'].id}/ballots",
        world["member_secret"],
        {"position": "block"},
    )
    assert refused.status_code == 400
    assert "reason" in refused.get_json()["detail"].lower()


def test_a_commitment_with_a_disagreement_is_recorded(client, world):
    record = world["sealed_record"]
    answer = api_post(
        client,
        f"/api/v1/decisions/{record.id}/commitment",
        world["member_secret"],
        {"commits": True, "disagreement": "I would have waited."},
    )
    assert answer.get_json() == {
        "record": record.id,
        "commits": True,
        "disagrees": True,
        "revision": 1,
    }
    stored = db.session.get(Commitment, (record.id, world["member"].id))
    assert stored.disagreement_markdown == "I would have waited."


def test_a_session_needs_the_csrf_token_a_bearer_token_does_not(app, client, world, csrf_enabled):
    from tests.conftest import login

    record = world["sealed_record"]
    url = f"/api/v1/decisions/{record.id}/commitment"
    login(client, world["member"])
    refused = client.post(url, json={"commits": True})
    assert refused.status_code == 400
    assert "security token" in refused.get_json()["detail"]
    assert db.session.get(Commitment, (record.id, world["member"].id)) is None
    page = client.get(f"/decisions/{record.id}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    accepted = client.post(url, json={"commits": True}, headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 200
    bearer = app.test_client().post(
        url,
        json={"commits": False, "disagreement": "Changed my mind."},
        headers={"Authorization": f"Bearer {world['other_member_secret']}"},
    )
    assert bearer.status_code == 200


def test_an_admin_syncs_membership(client, world):
    secret = world["admin_secret"]
    listed = api_get(client, "/api/v1/members?q=example", secret).get_json()
    assert {row["email"] for row in listed["items"]} >= {world["member"].email}
    invited = api_post(client, "/api/v1/members/invitations", secret, {"email": "new@example.org"})
    assert invited.status_code == 201
    assert "/invitations/" in invited.get_json()["link"]
    member = world["bystander"]
    suspended = api_post(
        client, f"/api/v1/members/{member.id}/suspend", secret, {"reason": "Dues unpaid"}
    )
    assert suspended.get_json()["status"] == "suspended"
    assert (
        api_post(client, f"/api/v1/members/{member.id}/reactivate", secret, {}).status_code == 200
    )
    assert db.session.get(type(member), member.id).status == MemberStatus.ACTIVE
    moved = api_post(
        client, f"/api/v1/members/{member.id}/tendency", secret, {"tendency": world["tendency"].id}
    )
    assert moved.get_json()["tendency"] == world["tendency"].id
    assert current_membership(member).tendency_id == world["tendency"].id
    body = world["body"]
    api_post(client, f"/api/v1/bodies/{body.id}/members", secret, {"member": member.id})
    seats = select(func.count()).where(
        BodyMembership.body_id == body.id,
        BodyMembership.member_id == member.id,
        BodyMembership.removed_at.is_(None),
    )
    assert db.session.scalar(seats) == 1
    api_post(client, f"/api/v1/bodies/{body.id}/members/{member.id}/remove", secret, {})
    assert db.session.scalar(seats) == 0
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"member.suspend", "member.reactivate", "tendency.set_member"} <= actions


def test_a_suspended_members_token_stops_at_once(client, world):
    secret = token_for(world["bystander"])
    api_post(
        client,
        f"/api/v1/members/{world['bystander'].id}/suspend",
        world["admin_secret"],
        {"reason": "Asked to leave"},
    )
    assert api_get(client, "/api/v1/me", secret).status_code == 401


def test_member_administration_needs_an_admin_and_the_admin_scope(client, world):
    url = f"/api/v1/members/{world['bystander'].id}/suspend"
    assert api_post(client, url, world["member_secret"], {"reason": "x"}).status_code == 403
    no_admin_scope = token_for(world["admin"], ("read", "write"))
    refused = api_post(client, url, no_admin_scope, {"reason": "x"})
    assert refused.status_code == 403
    assert refused.get_json()["detail"] == "This token does not have the scope “admin”."
    assert world["bystander"].status == MemberStatus.ACTIVE
