"""Receipts and the ballot form: receipts prove counting, not content (unless a vote opts
in); replacing needs the member who cast; hostile ballots get the form back with a message."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from deliberate.accounts.models import MemberRole
from deliberate.extensions import db
from deliberate.voting import services
from deliberate.voting.models import Ballot, Participation
from deliberate.voting.rules import Settings
from tests.factories import make_member, make_tendency

MAJORITY = Settings(method="majority", threshold="simple")


@pytest.fixture
def convener(session):
    return make_member("Rita Convener", role=MemberRole.CONVENER)


def _closed_vote(convener, *, receipts_show_content=False):
    voters = [make_member() for _ in range(4)]
    settings = Settings(**{**MAJORITY.__dict__, "receipts_show_content": receipts_show_content})
    vote = services.create_vote(convener, title="Buy the van?", settings=settings)
    codes = {}
    for voter, choice in zip(voters, ["yes", "yes", "no", "abstain"], strict=True):
        codes[choice + str(len(codes))] = services.cast_ballot(voter, vote, {"choice": choice}).code
    services.close_vote(convener, vote)
    return vote, voters, codes


def _hash(vote, code):
    return hashlib.sha256(f"deliberate-receipt:{vote.id}:{code}".encode()).hexdigest()


def test_receipts_and_ballots_are_published_apart_by_default(client, login_as, convener):
    vote, voters, codes = _closed_vote(convener)
    login_as(voters[0])
    page = client.get(f"/votes/{vote.id}/receipts").get_data(as_text=True)
    hashes = re.findall(r"<code>([0-9a-f]{64})</code>", page)
    assert sorted(hashes) == hashes
    assert set(hashes) == {_hash(vote, code) for code in codes.values()}
    # The ballots are listed as counts, in their own table: no row holds a hash and a choice.
    for row in re.findall(r"<tr>.*?</tr>", page, flags=re.S):
        assert not (re.search("[0-9a-f]{64}", row) and re.search(r"\b(yes|no|abstain)\b", row))
    assert re.search(r"<td>2</td>\s*<td>yes</td>", page)
    exported = client.get(f"/votes/{vote.id}/receipts.csv").get_data(as_text=True)
    assert exported.splitlines() == ["receipt_hash", *sorted(hashes)]
    shown = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "proves that your ballot was counted, not what it says" in shown


def test_a_vote_may_opt_into_receipts_that_show_the_ballot(client, login_as, convener):
    voters = [make_member()]
    vote = services.create_vote(
        convener,
        title="Open receipts",
        settings=Settings(**{**MAJORITY.__dict__, "receipts_show_content": True}),
    )
    login_as(voters[0])
    ballot = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "proves to anyone you show it how you voted" in ballot
    code = services.cast_ballot(voters[0], vote, {"choice": "no"}).code
    services.close_vote(convener, vote)
    page = client.get(f"/votes/{vote.id}/receipts").get_data(as_text=True)
    assert re.search(rf"<code>{_hash(vote, code)}</code></td>\s*<td>no</td>", page)
    exported = client.get(f"/votes/{vote.id}/receipts.csv").get_data(as_text=True)
    assert exported == f'receipt_hash,ballot\n{_hash(vote, code)},"{{""choice"":""no""}}"\n'


def test_the_receipts_setting_is_chosen_on_the_vote_form(client, login_as, convener):
    login_as(convener)
    form = client.get("/votes/new").get_data(as_text=True)
    assert 'name="receipts_show_content"' in form
    made = client.post(
        "/votes/new",
        data={
            "title": "Chosen receipts",
            "method": "majority",
            "threshold": "simple",
            "quorum_percent": "0",
            "secret": "y",
            "receipts_show_content": "y",
            "body_id": "",
        },
    )
    assert made.status_code == 303, made.get_data(as_text=True)
    from deliberate.voting.models import Vote

    vote = db.session.scalar(select(Vote).where(Vote.title == "Chosen receipts"))
    assert vote.receipts_show_content


def test_member_b_holding_a_s_code_cannot_replace_a_s_ballot(client, login_as, convener):
    ana, bea = make_member("Ana Voter"), make_member("Bea Voter")
    vote = services.create_vote(convener, title="Move the office?", settings=MAJORITY)
    code = services.cast_ballot(ana, vote, {"choice": "yes"}).code
    services.cast_ballot(bea, vote, {"choice": "no"})
    before = sorted(db.session.scalars(select(Ballot.content).where(Ballot.vote_id == vote.id)))
    login_as(bea)
    refused = client.post(
        f"/votes/{vote.id}/cast", data={"choice": "abstain", "receipt": code, "confirm": "1"}
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "does not match a ballot you cast" in page
    assert 'class="ballot-form"' in page  # the form comes back, with what she chose
    assert re.search(r'value="abstain"[^>]*checked', page)
    assert f'value="{code}"' in page
    after = sorted(db.session.scalars(select(Ballot.content).where(Ballot.vote_id == vote.id)))
    assert after == before
    login_as(ana)
    replaced = client.post(
        f"/votes/{vote.id}/cast", data={"choice": "no", "receipt": code, "confirm": "1"}
    )
    assert replaced.status_code == 200
    assert "Your ballot is replaced" in replaced.get_data(as_text=True)
    contents = sorted(db.session.scalars(select(Ballot.content).where(Ballot.vote_id == vote.id)))
    assert [json.loads(c) for c in contents] == [{"choice": "no"}, {"choice": "no"}]


def test_a_wrong_receipt_code_is_refused_at_the_review_step(client, login_as, convener):
    """The code is checked before the member reviews her ballot, not only when she confirms
    it: the ballot comes back with her choice and her code, the message beside the code."""
    ana = make_member("Ana Voter")
    vote = services.create_vote(convener, title="Move the office?", settings=MAJORITY)
    code = services.cast_ballot(ana, vote, {"choice": "yes"}).code
    login_as(ana)
    refused = client.post(f"/votes/{vote.id}/cast", data={"choice": "no", "receipt": "A1B2-C3D4"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "This is what will be recorded" not in page
    assert re.search(r'value="no"[^>]*checked', page)
    assert re.search(
        r'name="receipt"[^>]*value="A1B2-C3D4"[^>]*>\s*<p class="error" role="alert">'
        r"That receipt code does not match a ballot you cast",
        page,
    )
    reviewed = client.post(f"/votes/{vote.id}/cast", data={"choice": "no", "receipt": code})
    assert reviewed.status_code == 200
    assert "This is what will be recorded" in reviewed.get_data(as_text=True)
    contents = db.session.scalars(select(Ballot.content).where(Ballot.vote_id == vote.id))
    assert [json.loads(c) for c in contents] == [{"choice": "yes"}]


def test_a_ballot_refused_at_review_shows_the_message_beside_its_field(client, login_as, convener):
    """Nothing ranked, or a block without a reason: the ballot again, what was entered kept,
    the message beside the ranking or the reason."""
    member = make_member()
    ranked = _ranked_vote(convener)
    consensus = services.create_vote(
        convener,
        title="Consensus?",
        settings=Settings(method="consensus", block_rule="no_decision"),
    )
    login_as(member)
    nothing = client.post(f"/votes/{ranked.id}/cast", data={"rank_1": "", "rank_2": " "})
    page = nothing.get_data(as_text=True)
    assert nothing.status_code == 400
    assert re.search(
        r'</ol>\s*<p class="error" role="alert">Rank at least one option.</p>\s*</fieldset>', page
    )
    block = client.post(f"/votes/{consensus.id}/cast", data={"position": "block", "reason": " "})
    page = block.get_data(as_text=True)
    assert block.status_code == 400
    assert re.search(r'value="block"[^>]*checked', page)
    assert re.search(
        r'name="reason"[^>]*>[^<]*</textarea><p class="error" role="alert">A block needs a reason',
        page,
    )
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 0


def test_the_results_page_says_why_no_breakdown_is_published(client, login_as, convener):
    big, small = make_tendency("Big"), make_tendency("Small")
    members = [make_member(tendency=big) for _ in range(10)] + [make_member(tendency=small)]
    vote = services.create_vote(
        convener,
        title="Rent strike?",
        settings=Settings(**{**MAJORITY.__dict__, "breakdown_by_tendency": True}),
    )
    for member in members:
        services.cast_ballot(member, vote, {"choice": "yes"})
    services.close_vote(convener, vote)
    login_as(members[0])
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    results = page[page.index('class="results') :]
    results = results[: results.index("</section>")]
    assert "No breakdown by tendency is published" in results
    assert "Small" not in results
    assert '<th scope="row">' not in results


RANKED = Settings(method="irv")


def _ranked_vote(convener):
    return services.create_vote(
        convener,
        title="Who chairs?",
        settings=RANKED,
        options=[services.OptionSpec(name) for name in ("Ana", "Ben", "Chloé")],
    )


@pytest.mark.parametrize(
    ("rank", "message"),
    [
        ("9" * 5000, "must be a whole number from 1 to 3"),
        ("²", "must be a whole number from 1 to 3"),
        ("①", "must be a whole number from 1 to 3"),
    ],
)
def test_a_hostile_rank_gets_the_ballot_back_with_a_message(
    client, login_as, convener, rank, message
):
    member = make_member()
    vote = _ranked_vote(convener)
    login_as(member)
    for confirm in ("", "1"):
        response = client.post(
            f"/votes/{vote.id}/cast", data={"rank_1": "1", "rank_2": rank, "confirm": confirm}
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert message in page
        assert 'class="ballot-form"' in page
        assert re.search(r'name="rank_1"[^>]*value="1"', page)
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 0


@pytest.mark.parametrize("bad", ["\x00", "\x1b[31m"])
def test_a_consensus_reason_with_control_characters_is_refused(client, login_as, convener, bad):
    member = make_member()
    vote = services.create_vote(
        convener,
        title="Consensus?",
        settings=Settings(method="consensus", block_rule="no_decision"),
    )
    login_as(member)
    reason = f"I stand aside{bad} for now"
    response = client.post(
        f"/votes/{vote.id}/cast",
        data={"position": "stand_aside", "reason": reason, "confirm": "1"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Control characters are not allowed" in page
    assert "I stand aside" in page  # the reason comes back in its field
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0


def test_kept_receipts_are_scoped_to_the_member_and_forgotten_at_logout(
    app, client, login_as, convener
):
    """The wiring a browser follows (tests/browser runs it in Chromium): the receipt and the
    ballot name an opaque per-member key, the logout form clears every kept receipt, and a
    page for no one logged in clears them too."""
    ana, bea = make_member("Ana Voter"), make_member("Bea Voter")
    vote = services.create_vote(convener, title="Shared browser", settings=MAJORITY)
    login_as(ana)
    cast = client.post(f"/votes/{vote.id}/cast", data={"choice": "yes", "confirm": "1"})
    ana_key = re.search(r'data-receipt-member="([0-9a-f]+)"', cast.get_data(as_text=True))[1]
    assert str(ana.id) != ana_key
    ballot = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert f'data-receipt-member="{ana_key}"' in ballot
    assert "data-forget-receipts" in ballot
    client.post("/logout")
    assert "data-signed-out" in client.get("/login").get_data(as_text=True)
    services.cast_ballot(bea, vote, {"choice": "no"})
    login_as(bea)
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    bea_key = re.search(r'data-receipt-member="([0-9a-f]+)"', page)[1]
    assert bea_key != ana_key
    assert "data-signed-out" not in page
    static = Path(app.static_folder)
    votes_js = (static / "votes.js").read_text()
    app_js = (static / "app.js").read_text()
    assert "`deliberate-receipt-${member}-${vote}`" in votes_js
    assert 'RECEIPT_PREFIX = "deliberate-receipt-"' in app_js
    assert 'hasAttribute("data-forget-receipts")' in app_js


def test_the_anonymous_ballots_are_listed_a_page_at_a_time(client, login_as, convener, monkeypatch):
    """A referendum's distinct ballots are many: each page lists the next ones, as it does
    the receipts, so no page holds them all."""
    from deliberate.voting import queries

    monkeypatch.setattr(queries, "RECEIPTS_PAGE_SIZE", 2)
    vote, voters, _codes = _closed_vote(convener)
    login_as(voters[0])
    first = client.get(f"/votes/{vote.id}/receipts").get_data(as_text=True)
    second = client.get(f"/votes/{vote.id}/receipts?page=2").get_data(as_text=True)

    def listed(page: str) -> list[tuple[str, str]]:
        return re.findall(r"<td>(\d+)</td>\s*<td>(yes|no|abstain)</td>", page)

    # Three distinct ballots (2 yes, 1 no, 1 abstain), most frequent first: two on page 1.
    assert listed(first) == [("2", "yes"), ("1", "abstain")]
    assert listed(second) == [("1", "no")]
    assert f'href="/votes/{vote.id}/receipts?page=2"' in first
