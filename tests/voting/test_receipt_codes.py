"""Receipt codes a person can copy by hand: Crockford's base32 in groups of four, read back
whatever the case, the spaces, the hyphens, and I, L or O for 1 and 0."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from deliberate.accounts.models import MemberRole
from deliberate.extensions import db
from deliberate.voting import services
from deliberate.voting.models import Ballot
from deliberate.voting.rules import Settings
from tests.factories import make_member

MAJORITY = Settings(method="majority", threshold="simple")
CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$")


@pytest.fixture
def convener(session):
    return make_member("Rita Convener", role=MemberRole.CONVENER)


def test_a_code_is_five_groups_of_four_with_nothing_to_misread(session):
    codes = [services.new_receipt_code() for _ in range(200)]
    assert all(CODE.match(code) for code in codes)
    assert not set("ILOU") & set("".join(codes))
    assert len(set(codes)) == 200


@pytest.mark.parametrize(
    "copied",
    [
        "7k3m-q9xd-4hnp-2rta-vw8e",
        "7K3M Q9XD 4HNP 2RTA VW8E",
        "7K3MQ9XD4HNP2RTAVW8E",
        " 7K3M–Q9XD–4HNP–2RTA–VW8E ",
        "7K3M-Q9XD-4HNP-2RTA-VW8E",
    ],
)
def test_a_code_copied_by_hand_reads_back_the_same(copied):
    assert services.normalize_receipt(copied) == "7K3M-Q9XD-4HNP-2RTA-VW8E"


def test_i_and_l_read_as_one_and_o_as_zero():
    assert services.normalize_receipt("IL0O-0000-1111-2222-3333") == "1100-0000-1111-2222-3333"
    assert services.normalize_receipt("ilo0 0000 1111 2222 3333") == "1100-0000-1111-2222-3333"


def test_a_code_of_the_older_kind_is_read_as_typed():
    older = "aZ-_09xYqRsT1uVw"
    assert services.normalize_receipt(f"  {older} ") == older
    expected = hashlib.sha256(f"deliberate-receipt:7:{older}".encode()).hexdigest()
    assert services.receipt_hash(7, older) == expected


def test_the_published_hash_is_of_the_code_as_shown(convener):
    voter = make_member()
    vote = services.create_vote(convener, title="Buy the van?", settings=MAJORITY)
    code = services.cast_ballot(voter, vote, {"choice": "yes"}).code
    assert CODE.match(code)
    stored = db.session.scalar(select(Ballot.receipt_hash).where(Ballot.vote_id == vote.id))
    assert stored == hashlib.sha256(f"deliberate-receipt:{vote.id}:{code}".encode()).hexdigest()


def test_a_ballot_is_replaced_with_a_code_copied_by_hand(client, login_as, convener):
    voter = make_member()
    vote = services.create_vote(convener, title="Buy the van?", settings=MAJORITY)
    code = services.cast_ballot(voter, vote, {"choice": "yes"}).code
    copied = code.lower().replace("-", " ").replace("1", "l").replace("0", "o")
    login_as(voter)
    response = client.post(
        f"/votes/{vote.id}/cast", data={"choice": "no", "receipt": copied, "confirm": "1"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Your ballot is replaced" in page
    assert f'value="{code}"' in page
    stored = db.session.scalar(select(Ballot.content).where(Ballot.vote_id == vote.id))
    assert stored == '{"choice":"no"}'


def test_the_receipts_page_offers_to_find_a_kept_or_pasted_code(client, login_as, convener):
    voter = make_member()
    vote = services.create_vote(convener, title="Buy the van?", settings=MAJORITY)
    services.cast_ballot(voter, vote, {"choice": "yes"})
    services.close_vote(convener, vote)
    login_as(voter)
    page = client.get(f"/votes/{vote.id}/receipts").get_data(as_text=True)
    check = re.search(r"<section class=\"receipt-check.*?</section>", page, flags=re.S)[0]
    assert f'data-prefix="deliberate-receipt:{vote.id}:"' in check
    assert 'data-member="' in check
    # The field has no name: a code typed there is never sent to the server.
    assert 'id="check-code"' in check
    assert "name=" not in check
    assert "in capitals with its hyphens" in " ".join(page.split())
