"""Personal access tokens: made in the account settings, shown once, stored as a hash,
scoped within the member's role, expiring, revocable, rate-limited each on its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from deliberate.accounts.models import MemberRole, MemberStatus
from deliberate.api.models import ApiToken
from deliberate.audit.models import AuditEntry
from deliberate.extensions import db
from deliberate.tokens import token_hash
from tests.api.helpers import api_get, bearer, token_for
from tests.factories import make_member


@pytest.fixture
def member(session):
    return make_member("Rosa Tokenholder")


def _make(client, **fields):
    data = {"name": "website results", "scopes": ["read"], "valid_days": "30", **fields}
    return client.post("/account/tokens/", data=data)


def test_a_token_is_shown_once_and_only_its_hash_is_stored(client, login_as, member):
    login_as(member)
    page = _make(client)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    secret = html.split('<code class="secret">')[1].split("<")[0]
    assert secret.startswith("dlb_")
    assert len(secret) > 40
    stored = db.session.scalars(select(ApiToken)).one()
    assert stored.token_hash == token_hash(secret)
    assert secret not in {stored.name, stored.prefix, stored.scopes, stored.token_hash}
    assert secret.startswith(stored.prefix)
    again = client.get("/account/tokens/").get_data(as_text=True)
    assert secret not in again
    assert "website results" in again
    assert f"{stored.prefix}…" in again
    answer = api_get(client.application.test_client(), "/api/v1/me", secret)
    assert answer.get_json()["id"] == member.id
    assert "Set-Cookie" not in answer.headers  # a token request makes no session


def test_a_scope_beyond_the_role_is_refused_beside_the_field_with_the_input_kept(
    client, login_as, member
):
    login_as(member)
    page = _make(client, name="sync script", scopes=["read", "admin"])
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Your role does not allow the scope “admin”." in html
    assert 'value="sync script"' in html
    assert db.session.scalars(select(ApiToken)).all() == []


def test_an_admin_may_give_the_admin_scope_until_no_longer_admin(client, session):
    admin = make_member("Ada Admin", role=MemberRole.ADMIN)
    secret = token_for(admin, ("read", "admin"))
    assert sorted(api_get(client, "/api/v1/me", secret).get_json()["scopes"]) == [
        "admin",
        "read",
    ]
    admin.role = MemberRole.MEMBER
    assert api_get(client, "/api/v1/me", secret).get_json()["scopes"] == ["read"]


@pytest.mark.parametrize("spoil", ["revoke", "expire", "suspend", "garble", "scheme"])
def test_a_spoiled_token_gets_401_problem_json(client, member, spoil):
    secret = token_for(member)
    token = db.session.scalars(select(ApiToken)).one()
    headers = bearer(secret)
    if spoil == "revoke":
        token.revoked_at = token.created_at
    elif spoil == "expire":
        token.created_at -= timedelta(days=2)
        token.expires_at = token.created_at + timedelta(days=1)
    elif spoil == "suspend":
        member.status = MemberStatus.SUSPENDED
    elif spoil == "garble":
        headers = bearer(secret[:-2] + "xx")
    else:
        headers = {"Authorization": f"Token {secret}"}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 401
    assert problem["instance"] == "/api/v1/me"
    assert problem["detail"]


def test_revoking_ends_the_token_at_once_and_is_audited(client, login_as, member):
    secret = token_for(member)
    token = db.session.scalars(select(ApiToken)).one()
    login_as(member)
    response = client.post(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 303
    assert api_get(client, "/api/v1/me", secret).status_code == 401
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["token.create", "token.revoke"]


def test_another_members_token_cannot_be_revoked(client, login_as, member):
    other = make_member("Other")
    token_for(other)
    token = db.session.scalars(select(ApiToken)).one()
    login_as(member)
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert token.revoked_at is None


def test_use_is_stamped_at_most_once_an_hour(client, member):
    secret = token_for(member)
    token = db.session.scalars(select(ApiToken)).one()
    assert token.last_used_at is None
    api_get(client, "/api/v1/me", secret)
    db.session.refresh(token)
    first = token.last_used_at
    assert first is not None
    api_get(client, "/api/v1/me", secret)
    db.session.refresh(token)
    assert token.last_used_at == first


def test_each_token_has_its_own_rate_limit(app, client, member):
    one, two = token_for(member), token_for(member)
    saved = app.config["API_LIMIT_PER_TOKEN"]
    app.config["API_LIMIT_PER_TOKEN"] = "3 per minute"
    try:
        statuses = [api_get(client, "/api/v1/me", one).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = api_get(client, "/api/v1/me", one)
        assert refused.content_type == "application/problem+json"
        assert "faster than the API allows" in refused.get_json()["detail"]
        assert api_get(client, "/api/v1/me", two).status_code == 200
    finally:
        app.config["API_LIMIT_PER_TOKEN"] = saved


def test_the_demo_admin_has_a_named_token_whose_secret_no_one_saw(client, login_as, session):
    from deliberate.demo import load_demo
    from deliberate.demo.people import ADMIN

    world = load_demo()
    token = db.session.scalars(select(ApiToken)).one()
    assert token.member_id == world.members[ADMIN].id
    assert token.scopes == "read"
    login_as(world.members[ADMIN])
    page = client.get("/account/tokens/").get_data(as_text=True)
    assert "Website: published results" in page
    assert "token-secret" not in page
