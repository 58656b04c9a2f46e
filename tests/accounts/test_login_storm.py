"""A convention hall logging in from one address: generous per-address limits, strict
per-account ones, hashes brought up to the current parameters, and trusted proxies."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from flask import Flask, request
from sqlalchemy import insert, select

from deliberate import create_app
from deliberate.accounts import passwords
from deliberate.accounts.models import Member, MemberRole, MemberStatus
from tests.factories import PASSWORD, make_member

HALL = "203.0.113.7"  # one venue's NAT address (TEST-NET-3)


def post_login(client, email: str, password: str = PASSWORD, address: str = HALL):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def old_hash(password: str = PASSWORD) -> str:
    """A hash made with other parameters than the configured ones, as before a change."""
    return PasswordHasher(time_cost=1, memory_cost=16, parallelism=2).hash(password)


@pytest.fixture
def limits(app: Flask) -> Iterator[dict]:
    """The app's login limits, restored after the test changes any of them."""
    names = (
        "LOGIN_LIMIT_PER_ADDRESS",
        "LOGIN_FAILURE_LIMIT_PER_ADDRESS",
        "LOGIN_LIMIT_PER_ACCOUNT",
    )
    saved = {name: app.config[name] for name in names}
    yield app.config
    app.config.update(saved)


def test_1500_delegates_log_in_from_one_address_within_the_default_limits(app, session, limits):
    assert limits["LOGIN_LIMIT_PER_ADDRESS"] == "3000 per 10 minutes"
    delegates = 1500
    # Half the hall still holds hashes from before the parameters changed.
    current, older = passwords.hash_password(PASSWORD), old_hash()
    session.execute(
        insert(Member),
        [
            {
                "display_name": f"Delegate {n:04d}",
                "email": f"delegate{n}@hall.example",
                "password_hash": older if n % 2 else current,
                "role": MemberRole.MEMBER,
                "status": MemberStatus.ACTIVE,
                "session_token": secrets.token_urlsafe(16),
            }
            for n in range(delegates)
        ],
    )
    answers = [
        post_login(app.test_client(), f"delegate{n}@hall.example").status_code
        for n in range(delegates)
    ]
    assert answers == [303] * delegates
    # A few typing mistakes in the same hall are not refused either.
    for n in range(20):
        assert post_login(app.test_client(), f"delegate{n}@hall.example", "typo").status_code == 401
    hashes = session.scalars(
        select(Member.password_hash).where(Member.email.like("delegate%@hall.example"))
    ).all()
    assert all(not passwords.needs_rehash(h) for h in hashes)


def test_the_account_limit_stops_a_guesser_whatever_address_it_uses(client, session):
    member = make_member()
    for n in range(5):
        answer = post_login(client, member.email, f"guess {n}", address=f"198.51.100.{n}")
        assert answer.status_code == 401
    for n in range(5, 10):
        answer = post_login(client, member.email, f"guess {n}", address=f"198.51.100.{n}")
        assert answer.status_code == 429
    # Even the right password waits, so a guess that happens to be right gives nothing away.
    assert post_login(client, member.email, address="192.0.2.1").status_code == 429
    assert b"Too many failed logins for this account" in post_login(client, member.email).data
    # Other accounts in the hall are not affected.
    assert post_login(client, make_member().email).status_code == 303


def test_the_account_limit_also_holds_over_an_hour(limits):
    account = [limit.strip() for limit in limits["LOGIN_LIMIT_PER_ACCOUNT"].split(";")]
    assert account == ["5 per minute", "20 per hour"]


def test_failures_from_one_address_are_limited_apart_from_successes(client, session, limits):
    limits["LOGIN_FAILURE_LIMIT_PER_ADDRESS"] = "10 per minute"
    members = [make_member() for _ in range(12)]
    # Successful logins do not spend the failure budget.
    for member in members[:6]:
        assert post_login(client, member.email).status_code == 303
    for n in range(10):
        assert post_login(client, f"nobody{n}@example.org", "wrong").status_code == 401
    refused = post_login(client, "nobody-else@example.org", "wrong")
    assert refused.status_code == 429
    assert b"from your address" in refused.data
    # Another address is not affected.
    assert post_login(client, members[7].email, address="192.0.2.44").status_code == 303


def test_every_login_from_one_address_counts_against_a_larger_budget(client, session, limits):
    limits["LOGIN_LIMIT_PER_ADDRESS"] = "3 per minute"
    members = [make_member() for _ in range(4)]
    for member in members[:3]:
        assert post_login(client, member.email).status_code == 303
    assert post_login(client, members[3].email).status_code == 429


def test_an_older_hash_is_replaced_at_a_successful_login(client, session):
    member = make_member()
    member.password_hash = old_hash()
    session.flush()
    assert passwords.needs_rehash(member.password_hash)
    assert post_login(client, member.email, "not the password").status_code == 401
    session.refresh(member)
    assert passwords.needs_rehash(member.password_hash)
    assert post_login(client, member.email).status_code == 303
    session.refresh(member)
    assert not passwords.needs_rehash(member.password_hash)
    assert passwords.verify_password(member.password_hash, PASSWORD)
    # The new hash keeps working.
    client.post("/logout")
    assert post_login(client, member.email).status_code == 303


def test_the_configured_parameters_are_owasps(app):
    from config import BaseConfig

    assert (BaseConfig.ARGON2_MEMORY_COST, BaseConfig.ARGON2_TIME_COST) == (19 * 1024, 2)
    assert BaseConfig.ARGON2_PARALLELISM == 1
    assert BaseConfig.TRUSTED_PROXIES == 0


def answering_address(trusted_proxies: int) -> Flask:
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "TRUSTED_PROXIES": trusted_proxies,
        }
    )
    app.add_url_rule("/address", "address", lambda: request.remote_addr or "")
    return app


@pytest.mark.parametrize(
    ("trusted", "expected"), [(0, "10.0.0.2"), (1, "203.0.113.9"), (2, "198.51.100.3")]
)
def test_forwarded_addresses_are_believed_only_from_trusted_proxies(trusted, expected):
    client = answering_address(trusted).test_client()
    answer = client.get(
        "/address",
        headers={"X-Forwarded-For": "198.51.100.3, 203.0.113.9"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert answer.get_data(as_text=True) == expected


def test_trusted_proxies_come_from_the_environment():
    from config import from_environment

    assert from_environment({"TRUSTED_PROXIES": "2"})["TRUSTED_PROXIES"] == 2
    assert "TRUSTED_PROXIES" not in from_environment({})
