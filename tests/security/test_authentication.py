"""Authentication: timing, rate limits and tokens."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from deliberate.accounts import passwords
from deliberate.accounts.models import Invitation, MemberRole, PasswordReset
from deliberate.accounts.services import authenticate, invite_member, issue_password_reset
from tests.factories import make_member


@pytest.fixture
def realistic_hashing(app):
    """Hash with a cost close to production's, so timing differences would show."""
    passwords.configure(time_cost=2, memory_cost=16 * 1024, parallelism=1)
    yield
    passwords.configure(
        app.config["ARGON2_TIME_COST"],
        app.config["ARGON2_MEMORY_COST"],
        app.config["ARGON2_PARALLELISM"],
    )


def median_seconds(attempt, rounds: int = 15) -> float:
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        attempt()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def test_login_takes_as_long_whether_or_not_the_account_exists(session, realistic_hashing):
    from deliberate.accounts.passwords import hash_password

    member = make_member(email="real@example.org")
    member.password_hash = hash_password("the real password")
    session.flush()
    existing = median_seconds(lambda: authenticate("real@example.org", "a wrong password"))
    missing = median_seconds(lambda: authenticate("ghost@example.org", "a wrong password"))
    # Without the dummy verification the missing case would be hundreds of times faster.
    assert 0.5 < missing / existing < 2.0, (existing, missing)


def test_invitation_acceptance_is_rate_limited(client, session):
    admin = make_member(role=MemberRole.ADMIN)
    _, token = invite_member(admin, "x@example.org", "X", None, valid_for=timedelta(days=1))
    for _ in range(20):
        client.post(f"/invitations/{token}", data={"display_name": "X", "password": "short"})
    response = client.post(f"/invitations/{token}", data={"display_name": "X"})
    assert response.status_code == 429
    assert b"Too many" in response.data


def test_password_reset_is_rate_limited(client, session):
    for _ in range(20):
        client.post("/password-reset/guess", data={"password": "a", "confirm": "a"})
    assert client.post("/password-reset/guess", data={}).status_code == 429


def test_tokens_are_long_random_and_stored_only_as_hashes(session):
    admin = make_member(role=MemberRole.ADMIN)
    member = make_member()
    tokens = [
        invite_member(admin, f"t{n}@example.org", "", None, valid_for=timedelta(days=1))[1]
        for n in range(5)
    ]
    tokens.append(issue_password_reset(admin, member, valid_for=timedelta(hours=1))[1])
    assert len(set(tokens)) == len(tokens)
    assert all(len(token) >= 43 for token in tokens)  # 32 random bytes, base64url
    stored = " ".join(
        [
            *session.scalars(select(Invitation.token_hash)),
            *session.scalars(select(PasswordReset.token_hash)),
        ]
    )
    dump = " ".join(str(row) for row in session.execute(text("SELECT * FROM invitations")))
    for token in tokens:
        assert token not in stored
        assert token not in dump


def test_expired_reset_link_is_refused(client, session):
    admin = make_member(role=MemberRole.ADMIN)
    member = make_member()
    reset, token = issue_password_reset(admin, member, valid_for=timedelta(hours=1))
    reset.expires_at = reset.created_at - timedelta(seconds=1)
    hash_before = member.password_hash
    response = client.post(
        f"/password-reset/{token}",
        data={"password": "a long new password", "confirm": "a long new password"},
    )
    assert response.status_code == 400
    assert b"expired" in response.data
    session.refresh(member)
    assert member.password_hash == hash_before
