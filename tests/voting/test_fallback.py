"""A consensus vote's fallback supermajority is an exact share (two-thirds, 3/5, 62.5 %),
stored exactly, counted exactly and shown in words."""

from __future__ import annotations

from fractions import Fraction

import pytest
from sqlalchemy import select

from deliberate.accounts.models import MemberRole
from deliberate.errors import ValidationError
from deliberate.extensions import db
from deliberate.voting import services
from deliberate.voting.models import Vote
from deliberate.voting.rules import Settings, check_settings, parse_fallback, share_words
from tests.factories import make_member

BLOCK = {"position": "block", "reason": "It leaves the night shift out."}
AGREE = {"position": "agree"}


@pytest.fixture
def convener(session):
    return make_member("Fallback Convener", role=MemberRole.CONVENER)


@pytest.fixture
def voters(session):
    return [make_member() for _ in range(8)]


def fallback_vote(convener, share):
    settings = Settings(method="consensus", block_rule="fallback", fallback=share)
    return services.create_vote(convener, title="Share the van?", settings=settings)


def close_after(convener, vote, voters, agree, block):
    for voter in voters[:agree]:
        services.cast_ballot(voter, vote, AGREE)
    for voter in voters[agree : agree + block]:
        services.cast_ballot(voter, vote, BLOCK)
    return services.close_vote(convener, vote).result


def test_exactly_two_thirds_adopts_two_of_three_by_the_fallback(convener, voters):
    vote = fallback_vote(convener, Fraction(2, 3))
    result = close_after(convener, vote, voters, agree=2, block=1)
    assert result["count"]["outcome"] == "adopted_by_fallback"
    assert result["count"]["fallback"] == "2/3"
    assert result["outcome"]["adopted"] is True


def test_five_of_eight_falls_short_of_two_thirds(convener, voters):
    vote = fallback_vote(convener, Fraction(2, 3))
    result = close_after(convener, vote, voters, agree=5, block=3)
    assert result["count"]["outcome"] == "not_adopted"
    assert result["outcome"]["adopted"] is False


def test_the_share_is_stored_exactly(convener):
    vote = fallback_vote(convener, Fraction(2, 3))
    db.session.expire_all()
    stored = db.session.execute(
        select(Vote.fallback_numerator, Vote.fallback_denominator).where(Vote.id == vote.id)
    ).one()
    assert tuple(stored) == (2, 3)
    assert services.settings_of(db.session.get_one(Vote, vote.id), []).fallback == Fraction(2, 3)


@pytest.mark.parametrize(
    ("written", "share"),
    [
        ("two-thirds", Fraction(2, 3)),
        ("Two thirds", Fraction(2, 3)),
        ("three-quarters", Fraction(3, 4)),
        ("three fourths", Fraction(3, 4)),
        ("four-fifths", Fraction(4, 5)),
        ("3/5", Fraction(3, 5)),
        (" 2 / 3 ", Fraction(2, 3)),
        ("60%", Fraction(3, 5)),
        ("62.5 %", Fraction(5, 8)),
        ("75 percent", Fraction(3, 4)),
        ("all", Fraction(1)),
    ],
)
def test_a_share_is_read_from_words_fractions_and_percentages(written, share):
    assert parse_fallback(written) == share


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("", "Write the fallback"),
        ("seventy", "as words, a fraction or a percentage"),
        ("1/2", "more than half"),
        ("50%", "more than half"),
        ("4/3", "at most all"),
        ("3/0", "as words, a fraction or a percentage"),
        ("0.7", "as words, a fraction or a percentage"),
        ("2/3\x00", "as words, a fraction or a percentage"),
        ("1" * 5000 + "/3", "as words, a fraction or a percentage"),
        ("1/" + "9" * 30, "as words, a fraction or a percentage"),
        ("6667/10001", "denominator of at most 10,000"),
    ],
)
def test_a_share_that_is_no_supermajority_is_refused_with_a_reason(written, message):
    with pytest.raises(ValidationError, match=message):
        parse_fallback(written)


@pytest.mark.parametrize(
    ("share", "words"),
    [
        (Fraction(2, 3), "two-thirds"),
        (Fraction(3, 4), "three-quarters"),
        (Fraction(3, 5), "three-fifths"),
        (Fraction(9, 10), "nine-tenths"),
        (Fraction(67, 100), "67 %"),
        (Fraction(5, 8), "five-eighths"),
        (Fraction(13, 16), "81.25 %"),
        (Fraction(7, 13), "7/13"),
        (Fraction(1), "all"),
    ],
)
def test_a_share_is_said_in_words(share, words):
    assert share_words(share) == words


def test_settings_refuse_a_fallback_of_half_or_none():
    with pytest.raises(ValidationError, match="more than half"):
        check_settings(Settings(method="consensus", block_rule="fallback", fallback=Fraction(1, 2)))
    with pytest.raises(ValidationError, match="needs a supermajority"):
        check_settings(Settings(method="consensus", block_rule="fallback"))


FORM = {
    "title": "Share the van?",
    "method": "consensus",
    "block_rule": "fallback",
    "quorum_percent": "0",
    "secret": "y",
    "replaceable": "y",
    "body_id": "",
    "stv_variant": "stv",
    "quota": "droop",
    "threshold": "simple",
    "seats": "1",
}


def test_the_vote_form_takes_a_fallback_in_words_and_the_ballot_and_result_say_it(
    client, login_as, convener, voters
):
    login_as(convener)
    response = client.post("/votes/new", data={**FORM, "fallback": "two-thirds"})
    assert response.status_code == 303, response.get_data(as_text=True)
    vote = db.session.scalar(select(Vote).where(Vote.title == "Share the van?"))
    assert (vote.fallback_numerator, vote.fallback_denominator) == (2, 3)
    ballot = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "at least two-thirds of those who take part, less stand-asides" in ballot
    close_after(convener, vote, voters, agree=2, block=1)
    result = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "Blocked, then adopted by the fallback supermajority." in result
    assert "at least two-thirds of those who took part, less those who stood aside" in result


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("seventy", "as words, a fraction or a percentage"),
        ("1/2", "more than half"),
        ("", "Write the fallback"),
    ],
)
def test_a_bad_fallback_gives_the_form_back_with_the_input_and_a_message(
    client, login_as, convener, written, message
):
    login_as(convener)
    response = client.post("/votes/new", data={**FORM, "fallback": written})
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert message in page
    assert f'name="fallback" type="text" value="{written}"' in page
    assert db.session.scalar(select(Vote.id).where(Vote.title == "Share the van?")) is None
