"""The navigation's "Needs you" count and the organization's time zone, kept between requests
(deliberate/main/watches.py): a page read again with nothing changed asks the database for
neither, and every change that alters the count shows on the member's very next request,
whoever made it and in whichever process; one member's count is never served to another."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import insert

from deliberate import fragments
from deliberate.accounts.models import MemberRole
from deliberate.accounts.services import set_organization_time_zone
from deliberate.database import utcnow
from deliberate.debate import services as debate
from deliberate.decisions import services as decisions
from deliberate.drafts import services as drafts
from deliberate.extensions import db
from deliberate.main.needs import COUNT_LABEL
from deliberate.stamps import needs_of
from deliberate.subjects import SubjectType, subject_of
from deliberate.tendencies import services as tendencies
from deliberate.tendencies.queries import pending_requests
from deliberate.voting import services as voting
from deliberate.voting.models import Participation
from deliberate.voting.rules import Settings
from tests.conftest import login, page_queries
from tests.debate.factories import make_comment
from tests.decisions.factories import sealed_record
from tests.drafts.factories import make_draft, propose
from tests.factories import make_member, make_tendency

MAJORITY = Settings(method="majority", threshold="simple")
PAGE = "/drafts/"  # a page that reads no list of what waits: only the navigation's count


def nav_count(client, member, url: str = PAGE) -> int:
    login(client, member)
    page = client.get(url).get_data(as_text=True)
    found = re.search(r'class="needs-link">Needs you(?: <span class="badge">(\d+)</span>)?', page)
    assert found, page[:2000]
    return int(found.group(1) or 0)


def count_queries(client, member, url: str = PAGE) -> int:
    login(client, member)
    return sum(COUNT_LABEL in q for q in page_queries(client, url))


@pytest.fixture
def people(session):
    tendency = make_tendency("Harbour Caucus")
    return {
        "convener": make_member("Kwame", role=MemberRole.CONVENER),
        "admin": make_member("Ana", role=MemberRole.ADMIN),
        "mei": make_member("Mei", tendency=tendency),
        "rosa": make_member("Rosa", tendency=tendency, coordinator=True),
        "zainab": make_member("Zainab"),
        "tendency": tendency,
    }


def test_a_second_read_with_nothing_changed_asks_for_neither_the_count_nor_the_zone(client, people):
    voting.create_vote(people["convener"], title="Strike in March?", settings=MAJORITY)
    mei = people["mei"]
    assert nav_count(client, mei) == 1
    login(client, mei)
    again = page_queries(client, PAGE)
    assert not any(COUNT_LABEL in q for q in again)
    assert not any("organization_settings" in q for q in again)
    assert nav_count(client, mei) == 1


def test_the_count_drops_the_moment_the_member_votes_and_rises_when_a_vote_opens(client, people):
    mei, zainab, convener = people["mei"], people["zainab"], people["convener"]
    assert nav_count(client, mei) == 0
    assert nav_count(client, zainab) == 0
    vote = voting.create_vote(convener, title="Strike in March?", settings=MAJORITY)
    assert nav_count(client, mei) == 1  # the vote opened: on her roll
    assert nav_count(client, zainab) == 1
    voting.cast_ballot(mei, vote, {"choice": "yes"})
    assert nav_count(client, mei) == 0  # she voted
    assert nav_count(client, zainab) == 1  # her vote changes nothing for another
    voting.close_vote(convener, vote)
    assert nav_count(client, zainab) == 0  # closed: waits no more


def test_a_vote_opened_later_rises_and_a_vote_whose_close_passes_drops(client, people, monkeypatch):
    from deliberate.main import needs

    mei, convener = people["mei"], people["convener"]
    scheduled = voting.create_vote(
        convener, title="Later", settings=MAJORITY, opens_at=utcnow() + timedelta(days=1)
    )
    voting.create_vote(
        convener, title="Soon over", settings=MAJORITY, closes_at=utcnow() + timedelta(hours=1)
    )
    assert nav_count(client, mei) == 1
    voting.open_vote(convener, scheduled)
    assert nav_count(client, mei) == 2
    # Time passes, nothing is written: the vote whose close has passed no longer waits.
    later = utcnow() + timedelta(hours=2)
    monkeypatch.setattr(needs, "utcnow", lambda: later)
    assert nav_count(client, mei) == 1


def test_a_paper_register_marks_the_member_as_voted(client, people):
    mei, convener = people["mei"], people["convener"]
    vote = voting.create_vote(
        convener,
        title="Chair",
        settings=Settings(method="irv"),
        options=[voting.OptionSpec(name) for name in ("Ana", "Ben")],
    )
    assert nav_count(client, mei) == 1
    ballots = b'2 1\n1 1 2 0\n0\n"Ana"\n"Ben"\n"Chair"\n'
    voting.import_paper_ballots(convener, vote, "paper.blt", ballots, register=[mei.email])
    assert nav_count(client, mei) == 0


def test_a_sealed_record_rises_and_an_entry_drops(client, people):
    mei, rosa = people["mei"], people["rosa"]
    assert nav_count(client, mei) == 0
    record = sealed_record(people["convener"], [rosa])
    assert nav_count(client, mei) == 1
    assert nav_count(client, rosa) == 1
    decisions.record_commitment(mei, record, commits=True, disagreement="")
    assert nav_count(client, mei) == 0
    assert nav_count(client, rosa) == 1


def test_an_evaluation_rises_and_speaking_in_its_debate_drops(client, people):
    mei, convener = people["mei"], people["convener"]
    today = utcnow().date()
    record = sealed_record(convener, [mei], evaluation_date=today - timedelta(days=1))
    decisions.record_commitment(mei, record, commits=True, disagreement="")
    assert nav_count(client, mei) == 0
    evaluation = decisions.open_evaluation(convener, record, today=today)
    assert nav_count(client, mei) == 1
    debate.post_comment(mei, subject_of(SubjectType.EVALUATION, evaluation), "It worked.")
    assert nav_count(client, mei) == 0


def test_an_amendment_flagged_for_update_rises_for_its_proposer(client, people):
    mei, zainab, convener = people["mei"], people["zainab"], people["convener"]
    draft = make_draft(convener)
    propose(mei, draft, title="Mei's change to the first paragraph")
    other = propose(zainab, draft, title="A friendly first paragraph", new_text="New.")
    assert nav_count(client, mei) == 0
    drafts.accept_amendment(convener, other)  # merged: Mei's paragraph changed
    assert nav_count(client, mei) == 1


def test_seconding_drops_the_request_for_the_seconder(client, people):
    mei, rosa = people["mei"], people["rosa"]
    draft = make_draft(people["convener"], seconds_required=3)
    assert nav_count(client, mei) == 0
    amendment = propose(rosa, draft, title="Rosa asks for seconds")
    assert nav_count(client, mei) == 1
    drafts.second_amendment(mei, amendment)
    assert nav_count(client, mei) == 0


def test_a_join_request_rises_for_the_coordinator_and_its_answer_drops(client, people):
    rosa, zainab = people["rosa"], people["zainab"]
    assert nav_count(client, rosa) == 0
    tendencies.request_to_join(zainab, people["tendency"], "Let me in.")
    assert nav_count(client, rosa) == 1
    tendencies.approve_join_request(rosa, pending_requests(people["tendency"])[0])
    assert nav_count(client, rosa) == 0


def test_a_reply_rises_for_the_author_and_drops_when_hidden_or_answered(client, people):
    mei, zainab, convener = people["mei"], people["zainab"], people["convener"]
    subject = subject_of(SubjectType.DRAFT, make_draft(convener))
    mine = make_comment(subject, mei, "We should start with the rents.")
    assert nav_count(client, mei) == 0
    reply = make_comment(subject, zainab, "Rents first, agreed.", parent=mine)
    assert nav_count(client, mei) == 1
    debate.hide_comment(convener, reply, "Off topic.")
    assert nav_count(client, mei) == 0
    second = make_comment(subject, zainab, "Rents first, I said.", parent=mine)
    assert nav_count(client, mei) == 1
    later = make_comment(subject, mei, "Thanks.", parent=second)
    later.created_at = second.created_at + timedelta(seconds=1)
    assert nav_count(client, mei) == 0


def test_a_change_made_in_another_process_shows_on_the_next_request(client, people):
    """Another process changes the rows and draws the stamps in its own transaction: nothing
    of this process's is told, and the next request sees the change all the same."""
    mei, convener = people["mei"], people["convener"]
    vote = voting.create_vote(convener, title="Strike in March?", settings=MAJORITY)
    assert nav_count(client, mei) == 1
    connection = db.session.connection()
    row = {"vote_id": vote.id, "member_id": mei.id, "on_paper": True}
    connection.execute(insert(Participation.__table__).values(row))  # no session event
    assert nav_count(client, mei) == 1  # kept: the stamps say nothing changed
    fragments.draw(connection, [needs_of(mei.id)])  # what the other process's commit drew
    assert nav_count(client, mei) == 0


def test_one_members_count_is_never_served_to_another(client, people):
    mei, rosa, zainab, admin = people["mei"], people["rosa"], people["zainab"], people["admin"]
    tendencies.request_to_join(zainab, people["tendency"], "Let me in.")
    voting.create_vote(people["convener"], title="Strike in March?", settings=MAJORITY)
    # Each one's count read twice, in turns: the second read is served what was kept.
    for _ in range(2):
        assert nav_count(client, rosa) == 2  # the vote and the request she coordinates
        assert nav_count(client, mei) == 1
        assert nav_count(client, admin) == 1  # an admin of no tendency: no request
    assert count_queries(client, mei) == 0


def test_the_organizations_new_zone_shows_on_the_next_request(client, people):
    mei = people["mei"]
    voting.create_vote(
        people["convener"],
        title="Strike in March?",
        settings=MAJORITY,
        closes_at=utcnow().replace(month=1, day=15, hour=12, minute=0) + timedelta(days=400),
    )
    login(client, mei)
    assert "UTC" in client.get("/votes/").get_data(as_text=True)
    set_organization_time_zone(people["admin"], "America/New_York")
    page = client.get("/votes/").get_data(as_text=True)
    assert "EST" in page
    assert "UTC" not in page.split("<main", 1)[1]


def test_the_home_pages_list_is_kept_and_shows_every_change_on_the_next_read(client, people):
    from deliberate.accounts.services import rename_member

    mei, zainab, convener = people["mei"], people["zainab"], people["convener"]
    subject = subject_of(SubjectType.DRAFT, make_draft(convener))
    mine = make_comment(subject, mei, "We should start with the rents.")
    make_comment(subject, zainab, "Rents first, agreed.", parent=mine)
    login(client, mei)
    assert "Zainab: “Rents first, agreed.”" in client.get("/").get_data(as_text=True)
    again = page_queries(client, "/")
    assert not any("count(*) OVER ()" in q for q in again)  # no kind read again
    rename_member(zainab, "Zainab Okafor")  # the list names members
    assert "Zainab Okafor: “Rents first" in client.get("/").get_data(as_text=True)
    vote = voting.create_vote(convener, title="Strike in March?", settings=MAJORITY)
    assert "Strike in March?" in client.get("/").get_data(as_text=True)
    voting.cast_ballot(mei, vote, {"choice": "yes"})
    page = client.get("/").get_data(as_text=True)
    assert "Strike in March?" not in page
    assert "Zainab Okafor: “Rents first" in page
