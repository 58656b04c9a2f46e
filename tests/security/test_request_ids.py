"""Hostile `X-Request-ID` headers: whatever a client sends, the id the app answers and logs
is of the safe alphabet and bounded, and no request fails over it."""

from __future__ import annotations

import re

import pytest

from tests.security.conftest import client_as, world_case
from tests.security.hostile import PAYLOADS

SAFE = re.compile(r"[A-Za-z0-9._:-]{1,128}")
HOSTILE_IDS = [
    *PAYLOADS,
    "x" * 129,
    "x" * 10_000,
    "\x00",
    "\x1b[31mred",
    "id\r",
    "é" * 10,
    "../../etc/passwd",
    "${jndi:ldap://x/a}",
]


@pytest.mark.sweep
@pytest.mark.parametrize("path", ["/", "/help", "/login", "/metrics", "/no-such-page"])
def test_hostile_request_ids_never_reach_a_response_or_a_log_as_sent(app, built, path):
    failures = []
    with world_case(built):
        client = client_as(app, built, "member")
        for sent in HOSTILE_IDS:
            try:
                answer = client.get(path, headers={"X-Request-ID": sent})
            except ValueError:  # a header value the HTTP client itself refuses to send
                continue
            answered = answer.headers.get("X-Request-ID", "")
            if answer.status_code >= 500 or not SAFE.fullmatch(answered):
                failures.append(f"{sent[:60]!r} -> {answer.status_code} {answered[:60]!r}")
            elif answered == sent and not SAFE.fullmatch(sent):
                failures.append(f"{sent[:60]!r} was answered as sent")
    assert not failures, "\n".join(failures)
