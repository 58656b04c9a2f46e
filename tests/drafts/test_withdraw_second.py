"""A member takes back their second while the amendment still awaits seconders."""

from __future__ import annotations

import pytest

from deliberate.accounts.models import MemberRole
from deliberate.drafts import services
from deliberate.drafts.models import AmendmentState
from deliberate.drafts.queries import second_count
from deliberate.errors import InvalidTransition, ValidationError
from tests.drafts.factories import make_draft, propose
from tests.factories import make_member


@pytest.fixture
def amendment(session):
    chair = make_member("Chair Person", role=MemberRole.CONVENER)
    return propose(make_member(), make_draft(chair))


def test_a_seconder_withdraws_their_second_from_the_amendment_page(client, login_as, amendment):
    seconder = make_member("Second Thoughts")
    services.second_amendment(seconder, amendment)
    login_as(seconder)
    url = f"/drafts/{amendment.draft_id}/amendments/{amendment.number}"
    assert "Withdraw my second" in client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/second/withdraw")
    assert response.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert f"You no longer second {amendment.label}." in page
    assert f"Second {amendment.label}" in page  # they may second it again
    assert second_count(amendment) == 0


def test_only_a_seconder_can_withdraw_a_second(amendment):
    with pytest.raises(ValidationError, match="You have not seconded"):
        services.withdraw_second(make_member(), amendment)


def test_the_seconds_of_a_tabled_amendment_stand(client, login_as, amendment):
    first, second = make_member(), make_member()
    services.second_amendment(first, amendment)
    services.second_amendment(second, amendment)
    assert amendment.state == AmendmentState.TABLED
    with pytest.raises(InvalidTransition, match="only while the amendment awaits seconders"):
        services.withdraw_second(first, amendment)
    login_as(first)
    page = client.get(f"/drafts/{amendment.draft_id}/amendments/{amendment.number}")
    assert "Its seconds stand now that it is tabled." in page.get_data(as_text=True)
