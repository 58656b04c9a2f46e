"""Every kind of vote takes its roll from a body when the convener chooses one, and a ballot
among amendments shows what each would change and links to it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from deliberate.accounts.models import MemberRole
from deliberate.decisions import ledger
from deliberate.drafts import services
from deliberate.drafts.models import CompetitionGroup
from deliberate.drafts.voting import put_group_to_vote
from deliberate.extensions import db
from deliberate.voting import services as voting
from deliberate.voting.models import RollEntry, Vote
from deliberate.voting.rules import Settings
from tests.bodies.factories import make_body
from tests.drafts.factories import make_draft, propose, table
from tests.factories import make_member


@pytest.fixture
def convener(session):
    return make_member("Convener", role=MemberRole.CONVENER)


def tabled(draft, **kwargs):
    amendment = propose(make_member(), draft, **kwargs)
    table(amendment)
    db.session.refresh(amendment)
    return amendment


def competing(convener):
    draft = make_draft(convener)
    weekly = tabled(draft, title="Weekly", new_text="Branches meet every week.")
    monthly = tabled(draft, title="Monthly", new_text="Branches meet once a month.")
    db.session.refresh(weekly)
    group = db.session.get_one(CompetitionGroup, weekly.competition_group_id)
    return draft, weekly, monthly, group


def roll_of(vote):
    return set(db.session.scalars(select(RollEntry.member_id).where(RollEntry.vote_id == vote.id)))


def _settings_form(**extra):
    return {
        "method": "majority",
        "threshold": "simple",
        "quorum_percent": "0",
        "secret": "y",
    } | extra


@pytest.mark.parametrize("purpose", ["amendment", "group", "adoption"])
def test_every_kind_of_vote_can_go_to_a_body(client, login_as, convener, purpose):
    draft, weekly, _monthly, group = competing(convener)
    delegates = [make_member(f"Delegate {i}") for i in range(3)]
    body = make_body("Convention delegates", members=delegates)
    subject = {"amendment": weekly.id, "group": group.id, "adoption": draft.id}[purpose]
    if purpose == "adoption":
        services.close_amendment_window(convener, draft)
    login_as(convener)
    form = client.get(f"/votes/new?purpose={purpose}&subject={subject}").get_data(as_text=True)
    assert 'name="body_id"' in form
    assert "Convention delegates (3 members)" in form
    method = "irv" if purpose == "group" else "majority"
    response = client.post(
        f"/votes/new?purpose={purpose}&subject={subject}",
        data=_settings_form(method=method, body_id=str(body.id)),
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    vote = db.session.scalar(select(Vote).where(Vote.purpose == purpose))
    assert vote.body_id == body.id
    assert roll_of(vote) == {d.id for d in delegates}
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "roll: Convention delegates" in page


def test_a_second_round_keeps_the_body_of_the_first(convener):
    draft = make_draft(convener)
    services.close_amendment_window(convener, draft)
    delegates = [make_member() for _ in range(3)]
    body = make_body(members=delegates)
    from deliberate.drafts.voting import put_draft_to_adoption

    first = put_draft_to_adoption(
        convener,
        draft,
        Settings(method="consensus", block_rule="second_round", body_id=body.id),
    )
    voting.cast_ballot(delegates[0], first, {"position": "block", "reason": "Not yet."})
    voting.close_vote(convener, first)
    second = voting.hold_second_round(convener, first)
    assert second.body_id == body.id
    assert roll_of(second) == {d.id for d in delegates}


def test_the_ballot_and_the_review_show_and_link_each_amendment(client, login_as, convener):
    voter = make_member("Voter")
    draft, weekly, monthly, group = competing(convener)
    vote = put_group_to_vote(convener, group, Settings(method="irv"))
    login_as(voter)
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    ballot = page.split('class="ballot"')[1]
    for amendment, text in ((weekly, "every week"), (monthly, "once a month")):
        link = f'/drafts/{draft.id}/amendments/{amendment.number}"'
        assert link in ballot
        assert f"What {amendment.label} changes" in ballot
        assert text in ballot
    labels = {o.position: o.label for o in voting.load_options(vote)}
    review = client.post(f"/votes/{vote.id}/cast", data={"rank_2": "1"}).get_data(as_text=True)
    summary = review.split('class="card ballot-summary"')[1].split("</div>\n<form")[0]
    assert f'/drafts/{draft.id}/amendments/{monthly.number}">{labels[2]}</a>' in summary
    assert "once a month" in summary
    # Not ranked, but linked: the member can still read what she leaves out.
    assert re.search(
        rf'Not ranked: <a href="/drafts/{draft.id}/amendments/{weekly.number}">', summary
    )


def _ballot_order(page):
    ballot = page.split('class="rank-list"')[1].split("</ol>")[0]
    return re.findall(r'<label for="rank_(\d+)"', ballot)


def test_a_shuffled_vote_lists_options_in_each_voter_s_own_stable_order(client, login_as, convener):
    names = [f"Candidate {c}" for c in "ABCDEFGHIJ"]
    voters = [make_member(f"Voter {index}") for index in range(4)]
    vote = voting.create_vote(
        convener,
        title="Who chairs?",
        settings=Settings(method="irv", shuffled=True),
        options=[voting.OptionSpec(n) for n in names],
    )
    orders = []
    for voter in voters:
        login_as(voter)
        page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
        order = _ballot_order(page)
        assert sorted(order, key=int) == [str(i) for i in range(1, 11)]
        assert _ballot_order(client.get(f"/votes/{vote.id}").get_data(as_text=True)) == order
        assert "listed in a random order of your own" in page
        orders.append(order)
        # The review lists what is left unranked in the same order as the ballot.
        review = client.post(f"/votes/{vote.id}/cast", data={"rank_1": "1"}).get_data(as_text=True)
        unranked = re.search(r"Not ranked: (.*?)\.</p>", review)[1].split(", ")
        assert unranked == [names[int(n) - 1] for n in order if n != "1"]
    assert len({tuple(o) for o in orders}) > 1
    # A ranking typed on a shuffled ballot is recorded by option, not by place.
    review = client.post(
        f"/votes/{vote.id}/cast", data={"rank_3": "1", "rank_1": "2", "confirm": "1"}
    )
    assert review.status_code == 200
    from deliberate.voting.models import Ballot

    stored = db.session.scalar(select(Ballot.content).where(Ballot.vote_id == vote.id))
    assert stored == '{"ranking":["Candidate C","Candidate A"]}'


def test_an_unshuffled_vote_lists_options_in_their_order(client, login_as, convener):
    voter = make_member()
    vote = voting.create_vote(
        convener,
        title="Who chairs?",
        settings=Settings(method="irv"),
        options=[voting.OptionSpec(n) for n in ("Ana", "Ben", "Chloé", "Dev")],
    )
    login_as(voter)
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert _ballot_order(page) == ["1", "2", "3", "4"]
    assert "random order" not in page


def test_the_random_order_is_a_setting_of_the_form_and_of_the_chain(client, login_as, convener):
    login_as(convener)
    form = client.get("/votes/new").get_data(as_text=True)
    assert 'name="shuffled"' in form
    response = client.post(
        "/votes/new",
        data=_settings_form(
            method="irv", title="Who chairs?", options="Ana\nBen\nChloé", shuffled="y"
        ),
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    vote = db.session.scalar(select(Vote))
    assert vote.shuffled is True
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "The options are listed in a random order of your own" in page
    voting.close_vote(convener, vote)
    content = ledger.vote_content(vote, 0)
    assert content["settings"]["shuffled"] is True


def test_a_vote_listed_in_one_order_chains_its_settings_as_before(convener):
    vote = voting.create_vote(
        convener,
        title="Who chairs?",
        settings=Settings(method="irv"),
        options=[voting.OptionSpec(n) for n in ("Ana", "Ben")],
    )
    voting.close_vote(convener, vote)
    assert "shuffled" not in ledger.vote_content(vote, 0)["settings"]


def test_a_yes_no_vote_is_not_shuffled(convener):
    from deliberate.errors import ValidationError

    with pytest.raises(ValidationError, match="Only a ranked vote"):
        voting.create_vote(
            convener,
            title="Join?",
            settings=Settings(method="majority", threshold="simple", shuffled=True),
        )
