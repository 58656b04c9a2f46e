"""The demo's votes: a meeting's count that made the current version, an online rejection, an
STV election, a consensus that fell back to a supermajority, and a ranked vote still open."""

from __future__ import annotations

from sqlalchemy import select

from deliberate.demo import load_demo
from deliberate.demo.votes import TREASURER_VOTE
from deliberate.drafts.models import Amendment, AmendmentState
from deliberate.voting import queries, services
from deliberate.voting.models import Vote
from deliberate.voting.services import nominations
from deliberate.voting.vocabulary import VoteState
from tests.factories import make_member


def votes_by_title(session) -> dict[str, Vote]:
    return {vote.title: vote for vote in session.scalars(select(Vote))}


def test_the_demo_decides_by_votes(session):
    load_demo()
    votes = votes_by_title(session)
    assembly = next(v for t, v in votes.items() if t.startswith("A7 to "))
    assert assembly.in_person
    assert assembly.purpose == "amendment"
    assert assembly.outcome == "Adopted by 41 to 12, 3 abstaining."
    a7 = session.get(Amendment, assembly.subject_id)
    assert a7.state == AmendmentState.MERGED
    a8_vote = next(v for t, v in votes.items() if t.startswith("A8 to"))
    assert a8_vote.outcome.startswith("Rejected: 8 for, 14 against")
    assert session.get(Amendment, a8_vote.subject_id).state == AmendmentState.REJECTED

    committee = votes["Coordinating committee of the Eastside campaign (three seats)"]
    result = committee.result
    assert len(result["outcome"]["winners"]) == 3
    assert len(result["count"]["rounds"]) >= 3
    # Thirty members in three tendencies: no group reaches ten voters, so the breakdown
    # announced before opening is withheld, and the result says why.
    assert result["by_tendency"] == []
    assert "at least 10 voters" in result["by_tendency_withheld"]

    venue = votes["Hold the spring assembly in the Eastside community hall"]
    count = venue.result["count"]
    assert count["outcome"] == "adopted_by_fallback"
    assert (venue.fallback_numerator, venue.fallback_denominator) == (3, 4)
    assert count["fallback"] == "3/4"
    assert count["counts"]["block"] == 1
    assert count["counts"]["stand_aside"] == 2
    assert "step-free entrance" in count["reasons"]["block"][0]
    assert venue.result["roll_call"]

    group = next(v for t, v in votes.items() if t.startswith("Competing amendments of “Eastside"))
    assert group.state == VoteState.OPEN
    assert group.result_json is None
    voting = session.scalars(
        select(Amendment).where(
            Amendment.state == AmendmentState.VOTING, Amendment.draft_id == group.subject_id
        )
    )
    options = services.load_options(group)
    assert {a.id for a in voting} == {o.ref_id for o in options if o.ref_id}


def test_the_demo_vote_pages_show_what_happened(session, client, login_as):
    load_demo()
    votes = votes_by_title(session)
    login_as(make_member())
    index = client.get("/votes/").get_data(as_text=True)
    assert "Competing amendments" in index
    assert "Adopted by 41 to 12, 3 abstaining." in index
    venue = votes["Hold the spring assembly in the Eastside community hall"]
    page = client.get(f"/votes/{venue.id}").get_data(as_text=True)
    assert "What the block rule did:" in page
    assert "Who voted what" in page
    committee = votes["Coordinating committee of the Eastside campaign (three seats)"]
    election = client.get(f"/votes/{committee.id}").get_data(as_text=True)
    assert "Round by round" in election
    assert "By tendency" in election
    # The committee is elected one candidate a round, as the vote's setting says.
    assert "Counted with one winner per round." in election
    rounds = committee.result["count"]["rounds"]
    assert all(len(r.get("elected", [])) <= 1 for r in rounds)
    assert sum(len(r.get("elected", [])) for r in rounds) == 3


def test_the_demo_keeps_bodies_with_their_history(session):
    from deliberate.bodies.models import Body, BodyMembership

    load_demo()
    bodies = {body.name: body for body in session.scalars(select(Body))}
    assert set(bodies) == {"Spring assembly delegates", "Coordinating committee"}
    seats = list(
        session.scalars(
            select(BodyMembership).where(
                BodyMembership.body_id == bodies["Spring assembly delegates"].id
            )
        )
    )
    assert len(seats) == 15
    assert sum(seat.removed_at is not None for seat in seats) == 1


def test_the_demo_takes_nominations_for_its_treasurer(session, client, login_as):
    load_demo()
    vote = votes_by_title(session)[TREASURER_VOTE]
    assert vote.by_nomination
    assert vote.state == VoteState.SCHEDULED
    states = {n.nominee.display_name: n.state for n in nominations.nominations_of(vote)}
    assert states == {
        "Priya Raman": "accepted",
        "Grace Mwangi": "accepted",
        "Clara Dubois": "pending",
        "Ben Carter": "declined",
    }
    login_as(make_member())
    page = client.get(f"/votes/{vote.id}/nominations").get_data(as_text=True)
    assert "awaiting acceptance" in page
    assert "<strong>monthly</strong>" in page
    assert "Nominate" in page


def test_the_demo_shows_a_shuffled_ballot_and_a_competing_vote_for_a_body(session, client):
    from deliberate.bodies.models import Body
    from deliberate.demo.people import demo_email
    from deliberate.voting.models import RollEntry

    load_demo()
    votes = [v for v in session.scalars(select(Vote)) if v.purpose == "group" and v.is_open]
    shuffled = next(v for v in votes if v.shuffled)
    assert shuffled.title.startswith("Competing amendments of “Eastside")
    assert shuffled.body_id is None
    delegates = session.scalars(select(Body).where(Body.name == "Spring assembly delegates")).one()
    for_body = next(v for v in votes if v.body_id == delegates.id)
    roll = set(session.scalars(select(RollEntry.member_id).where(RollEntry.vote_id == for_body.id)))
    assert len(roll) == for_body.roll_size == 14
    assert for_body.title.startswith("Competing amendments of “Rules of procedure")
    assert 0 < queries.participation_count(for_body) < for_body.roll_size
    client.post(
        "/login",
        data={"email": demo_email("Mei Lin"), "password": "demo-password-2026"},
    )
    page = client.get(f"/votes/{shuffled.id}").get_data(as_text=True)
    assert "listed in a random order of your own" in page
    assert "What A5 changes" in page
    body_page = client.get(f"/votes/{for_body.id}").get_data(as_text=True)
    assert "roll: Spring assembly delegates" in body_page


def test_the_demo_shows_conveners_the_turnout_of_its_open_votes(session, client, login_as):
    from deliberate.accounts.models import Member
    from deliberate.demo.people import CONVENER

    load_demo()
    votes = votes_by_title(session)
    convener = session.scalar(select(Member).where(Member.display_name == CONVENER))
    login_as(convener)
    roll_call = votes["Send two delegates to the city tenants' federation"]
    assert roll_call.state == VoteState.OPEN
    page = client.get(f"/votes/{roll_call.id}").get_data(as_text=True)
    assert "Turnout by tendency" in page
    assert "Mass Party Platform" in page[page.index("Turnout by tendency") :]
    assert "Who has not voted yet (" in page
    waiting = client.get(f"/votes/{roll_call.id}/not-voted")
    assert waiting.status_code == 200
    assert '<table class="list not-voted">' in waiting.get_data(as_text=True)
    # The secret ranked vote closes in two days: closing it now asks for confirmation, and
    # it shows no one who has voted.
    group = next(v for t, v in votes.items() if t.startswith("Competing amendments"))
    page = client.get(f"/votes/{group.id}").get_data(as_text=True)
    assert 'name="confirm_early"' in page
    assert "Who has not voted yet" not in page
    assert client.get(f"/votes/{group.id}/not-voted").status_code == 404
