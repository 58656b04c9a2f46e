"""Hostile input to every form of a real body: a clear 4xx or a result, never a 500, and a
refusal changes nothing (the security suite's world holds no body, so this is where the forms
of a body's own routes meet the services)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliberate.accounts.models import MemberRole
from deliberate.bodies.services import add_member
from tests.bodies.factories import make_body
from tests.factories import make_member
from tests.security.hostile import hostile_email, hostile_file, hostile_text
from tests.security.snapshot import database_snapshot
from tests.security.test_hostile_input import assert_refusal_is_clean

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FORMS = {
    "edit": st.fixed_dictionaries({"name": hostile_text, "description": hostile_text}),
    "members": st.fixed_dictionaries({"email": hostile_email}),
    "import": st.fixed_dictionaries(
        {"file": hostile_file.map(lambda content: (io.BytesIO(content), "hostile.csv"))}
    ),
}


@pytest.fixture
def world(session):
    admin = make_member("Ada Admin", role=MemberRole.ADMIN, email="ada@example.org")
    mia = make_member("Mia Member", email="mia@example.org")
    body = make_body("Delegates")
    add_member(admin, body, mia)
    return admin, body, mia


@pytest.mark.parametrize("form", sorted(FORMS))
def test_hostile_input_to_a_body_form(client, login_as, world, form):
    admin, body, _mia = world
    login_as(admin)

    @FUZZ
    @given(data=FORMS[form])
    def fuzz(data: dict[str, Any]) -> None:
        before = database_snapshot()
        response = client.post(
            f"/admin/bodies/{body.id}/{form}", data=data, content_type="multipart/form-data"
        )
        assert_refusal_is_clean(response, before)

    fuzz()


@pytest.mark.parametrize("form", [*sorted(FORMS), "members/{mia}/remove"])
def test_invalid_utf8_and_nul_bytes_to_a_body_form(client, login_as, world, form):
    admin, body, mia = world
    login_as(admin)
    url = f"/admin/bodies/{body.id}/" + form.format(mia=mia.id)
    for data in (b"name=%FF%FE%00%C0%AF&email=%00", b"email=\xff\xfe\x00\xc3", b"\x00" * 100):
        before = database_snapshot()
        response = client.post(url, data=data, content_type="application/x-www-form-urlencoded")
        assert_refusal_is_clean(response, before)
