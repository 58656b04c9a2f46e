"""The nominations page: members stand and nominate, nominees answer, conveners open the
election with its candidates, and the ballot, the review and the results show statements."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import select

from deliberate.accounts.models import MemberRole
from deliberate.bodies.services import add_member, create_body
from deliberate.database import utcnow
from deliberate.extensions import db
from deliberate.voting import services
from deliberate.voting.models import Nomination, Vote
from deliberate.voting.rules import Settings
from deliberate.voting.vocabulary import NominationState, VoteState
from tests.factories import make_member


@pytest.fixture
def convener(session):
    return make_member("Rita Convener", role=MemberRole.CONVENER)


@pytest.fixture
def ana(session):
    return make_member("Ana Ruiz")


@pytest.fixture
def ben(session):
    return make_member("Ben Okafor")


@pytest.fixture
def election(convener):
    return services.create_vote(
        convener,
        title="Elect the treasurer",
        settings=Settings(method="irv"),
        purpose="election",
        by_nomination=True,
    )


def url(vote, *rest):
    return "/".join([f"/votes/{vote.id}/nominations", *map(str, rest)])


def nomination_of(vote, member):
    return db.session.scalar(
        select(Nomination).where(Nomination.vote_id == vote.id, Nomination.nominee_id == member.id)
    )


def test_a_member_stands_with_a_statement_and_the_page_lists_her(client, login_as, election, ana):
    login_as(ana)
    page = client.get(url(election)).get_data(as_text=True)
    assert "Myself (Ana Ruiz)" in page
    response = client.post(
        url(election), data={"nominee": str(ana.id), "statement": "I kept the *books* before."}
    )
    assert response.status_code == 303
    assert nomination_of(election, ana).state == NominationState.ACCEPTED
    page = client.get(url(election)).get_data(as_text=True)
    assert "<em>books</em>" in page
    assert "Withdraw from this election" in page


def test_a_nomination_by_another_awaits_the_nominees_acceptance(
    client, login_as, election, ana, ben
):
    login_as(ana)
    assert client.post(url(election), data={"nominee": str(ben.id)}).status_code == 303
    nomination = nomination_of(election, ben)
    assert nomination.state == NominationState.PENDING
    assert "awaiting acceptance" in client.get(url(election)).get_data(as_text=True)
    refused = client.post(url(election, nomination.id, "accept"))
    assert refused.status_code == 403
    assert "Only the nominee" in refused.get_data(as_text=True)
    login_as(ben)
    page = client.get(url(election)).get_data(as_text=True)
    assert "Accept and stand" in page
    response = client.post(
        url(election, nomination.id, "accept"), data={"accept-statement": "Numbers, **carefully**."}
    )
    assert response.status_code == 303
    assert nomination.state == NominationState.ACCEPTED
    assert "<strong>carefully</strong>" in nomination.statement_html


def test_a_refused_nomination_comes_back_with_the_input_and_the_message(
    client, login_as, election, ana, ben
):
    services.nominate(ana, election, ben)
    login_as(ana)
    response = client.post(url(election), data={"nominee": str(ben.id)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "already nominated" in page
    assert 'class="error"' in page
    assert f'selected value="{ben.id}"' in page
    too_long = "y" * (services.MAX_STATEMENT + 5)
    response = client.post(url(election), data={"nominee": str(ana.id), "statement": too_long})
    assert response.status_code == 400
    assert "at most 3000 characters" in response.get_data(as_text=True)
    assert too_long in response.get_data(as_text=True)
    assert nomination_of(election, ana) is None


def test_a_refused_acceptance_keeps_the_statement_written(client, login_as, election, ana, ben):
    nomination = services.nominate(ana, election, ben)
    login_as(ben)
    long = "z" * (services.MAX_STATEMENT + 1)
    response = client.post(url(election, nomination.id, "accept"), data={"accept-statement": long})
    assert response.status_code == 400
    assert long in response.get_data(as_text=True)
    assert nomination.state == NominationState.PENDING


def test_the_nominee_declines_or_withdraws(client, login_as, election, ana, ben):
    nomination = services.nominate(ana, election, ben)
    login_as(ben)
    assert client.post(url(election, nomination.id, "decline")).status_code == 303
    assert nomination.state == NominationState.DECLINED
    services.nominate(ana, election, ana)
    login_as(ana)
    mine = nomination_of(election, ana)
    assert client.post(url(election, mine.id, "withdraw")).status_code == 303
    assert mine.state == NominationState.WITHDRAWN


def test_the_candidate_edits_her_statement_and_no_one_else(client, login_as, election, ana, ben):
    mine = services.nominate(ana, election, ana, statement="First")
    login_as(ben)
    assert client.get(url(election, mine.id, "statement")).status_code == 403
    login_as(ana)
    assert "First" in client.get(url(election, mine.id, "statement")).get_data(as_text=True)
    response = client.post(url(election, mine.id, "statement"), data={"statement": "Second"})
    assert response.status_code == 303
    assert "Second" in mine.statement_html


def test_the_convener_opens_the_election_and_the_ballot_shows_the_statements(
    client, login_as, convener, election, ana, ben
):
    services.nominate(ana, election, ana, statement="Ana's **plan**")
    login_as(convener)
    refused = client.post(url(election, "close"))
    assert refused.status_code == 400
    assert "1 candidate stands" in refused.get_data(as_text=True)
    services.nominate(ben, election, ben)
    response = client.post(url(election, "close"))
    assert response.status_code == 303
    vote = db.session.get(Vote, election.id)
    assert vote.state == VoteState.OPEN
    login_as(ana)
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert 'class="candidate-statement"' in page
    assert "Ana&#39;s <strong>plan</strong>" in page or "Ana's <strong>plan</strong>" in page
    assert f'href="/members/{ana.id}"' in page
    review = client.post(f"/votes/{vote.id}/cast", data={"rank_1": "1"}).get_data(as_text=True)
    assert "<strong>plan</strong>" in review
    services.close_vote(convener, vote)
    results = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "The candidates" in results
    assert "<strong>plan</strong>" in results


def test_only_conveners_open_the_election_or_nominations(client, login_as, election, ana):
    login_as(ana)
    assert client.post(url(election, "close")).status_code == 403
    assert client.get(url(election, "open")).status_code == 403


def test_a_convener_announces_an_election_with_a_nomination_period(client, login_as, convener):
    login_as(convener)
    page = client.get("/votes/new?purpose=election").get_data(as_text=True)
    assert "Candidates stand by nomination" in page
    closes = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/votes/new?purpose=election",
        data={
            "title": "Elect the committee",
            "method": "stv",
            "seats": "2",
            "stv_variant": "stv",
            "quota": "droop",
            "tie_break": "earlier_rounds",
            "irv_threshold": "standard",
            "quorum_percent": "0",
            "secret": "y",
            "replaceable": "y",
            "body_id": "",
            "by_nomination": "y",
            "nominations_close_at": closes,
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    vote = db.session.scalar(select(Vote).where(Vote.title == "Elect the committee"))
    assert vote.by_nomination
    assert vote.state == VoteState.SCHEDULED
    assert vote.nominations_close_at is not None
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "Nominations: stand, nominate" in page


def test_a_convener_opens_nominations_on_a_scheduled_election(client, login_as, convener):
    vote = services.create_vote(
        convener,
        title="Secretary",
        settings=Settings(method="irv"),
        purpose="election",
        options=[services.OptionSpec(n) for n in ("Typed A", "Typed B")],
        opens_at=utcnow() + timedelta(days=3),
    )
    login_as(convener)
    page = client.get(url(vote, "open")).get_data(as_text=True)
    assert "Typed A" in page
    late = (utcnow() + timedelta(days=4)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(url(vote, "open"), data={"close_at": late})
    assert refused.status_code == 400
    assert "before the election opens" in html.unescape(refused.get_data(as_text=True))
    assert late in refused.get_data(as_text=True)
    assert client.post(url(vote, "open"), data={}).status_code == 303
    assert vote.by_nomination


def test_the_nominations_page_of_a_vote_without_nominations_is_not_found(
    client, login_as, convener, ana
):
    vote = services.create_vote(
        convener, title="Q?", settings=Settings(method="majority", threshold="simple")
    )
    login_as(ana)
    assert client.get(f"/votes/{vote.id}/nominations").status_code == 404


def test_a_member_off_the_roll_is_told_so_beside_the_form(client, login_as, convener, ana, ben):
    admin = make_member(role=MemberRole.ADMIN)
    council = create_body(admin, "Council")
    add_member(admin, council, ana)
    vote = services.create_vote(
        convener,
        title="Council chair",
        settings=Settings(method="irv"),
        purpose="election",
        by_nomination=True,
        body_id=council.id,
    )
    login_as(ben)
    page = client.get(url(vote)).get_data(as_text=True)
    assert "Only members on this election's roll (Council) nominate and stand." in page
    for nominee in (ben, ana):
        response = client.post(url(vote), data={"nominee": str(nominee.id)})
        assert response.status_code == 403
        refusal = html.unescape(response.get_data(as_text=True))
        assert "Only members on this election's roll nominate candidates." in refusal
        assert nomination_of(vote, nominee) is None
