"""Before opening an evaluation, which freezes members' entries, the convener sees how many
active members have not recorded one."""

from __future__ import annotations

import pytest

from deliberate.accounts.models import MemberRole
from deliberate.accounts.services import suspend_member
from deliberate.decisions import services
from tests.decisions.factories import sealed_record
from tests.factories import make_member


@pytest.fixture
def convener(session):
    return make_member("Rosa Convener", role=MemberRole.CONVENER)


def test_the_convener_sees_how_many_have_not_recorded_an_entry(client, login_as, convener):
    voters = [make_member(f"Voter {i}") for i in range(4)]
    record = sealed_record(convener, voters)
    services.record_commitment(voters[0], record, commits=True, disagreement=None)
    services.record_commitment(voters[1], record, commits=True, disagreement="Too early.")
    login_as(convener)
    page = client.get(f"/decisions/{record.id}").text
    # Five active members (the convener too), two entries.
    said = "3 of 5 active members have not recorded an entry"
    assert said in page
    assert page.index(said) < page.index("Open the evaluation")

    login_as(voters[2])
    assert (
        "active members have not recorded an entry"
        not in client.get(f"/decisions/{record.id}").text
    )


def test_suspended_members_are_not_counted_and_the_count_goes_once_it_opens(
    client, login_as, convener
):
    voters = [make_member(f"Voter {i}") for i in range(3)]
    record = sealed_record(convener, voters)
    admin = make_member("Ada Admin", role=MemberRole.ADMIN)
    suspend_member(admin, voters[2], "Left the city.")
    login_as(convener)
    # Active: the convener, two voters and the admin; none has an entry.
    assert (
        "4 of 4 active members have not recorded an entry"
        in client.get(f"/decisions/{record.id}").text
    )
    assert client.post(f"/decisions/{record.id}/evaluation/open").status_code == 303
    assert "have not recorded an entry" not in client.get(f"/decisions/{record.id}").text
