"""What waits for a member: the "Needs you" list on the home page and its count in the
navigation. Each kind appears for the member it waits for, links to where to act, and is gone
once done; nobody else sees it; the list and the count cost the same queries at any size."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from deliberate.accounts.models import MemberRole
from deliberate.database import utcnow
from deliberate.debate import services as debate
from deliberate.decisions import services as decisions
from deliberate.drafts import services as drafts
from deliberate.extensions import db
from deliberate.main.needs import excerpt, time_left
from deliberate.subjects import SubjectType, subject_of
from deliberate.tendencies import services as tendencies
from deliberate.tendencies.queries import pending_requests
from deliberate.voting import services as voting
from deliberate.voting.rules import Settings
from tests.conftest import page_queries
from tests.debate.factories import make_comment
from tests.decisions.factories import sealed_record
from tests.drafts.factories import make_draft, propose
from tests.factories import make_member, make_tendency

MAJORITY = Settings(method="majority", threshold="simple")


def needs_of(client) -> str:
    """The "Needs you" section of the home page, as text with its links."""
    page = client.get("/").get_data(as_text=True)
    found = re.search(r'<section class="card needs".*?</section>', page, re.S)
    assert found, page[:2000]
    return found.group(0)


def nav_count(client, url: str = "/drafts/") -> int:
    """The count the navigation shows on another page (0 when it shows none)."""
    page = client.get(url).get_data(as_text=True)
    found = re.search(r'class="needs-link">Needs you(?: <span class="badge">(\d+)</span>)?', page)
    assert found, page[:2000]
    return int(found.group(1) or 0)


@pytest.fixture
def people(session):
    tendency = make_tendency("Harbour Caucus")
    return {
        "convener": make_member("Kwame", role=MemberRole.CONVENER),
        "mei": make_member("Mei", tendency=tendency),
        "rosa": make_member("Rosa", tendency=tendency, coordinator=True),
        "zainab": make_member("Zainab"),
        "tendency": tendency,
    }


def test_a_member_with_nothing_waiting_is_told_so(client, login_as, people):
    login_as(people["zainab"])
    assert "Nothing waits for you now" in needs_of(client)
    assert nav_count(client) == 0


def test_a_vote_waits_for_its_roll_with_its_time_left_until_the_member_votes(
    client, login_as, people
):
    vote = voting.create_vote(
        people["convener"],
        title="Strike in March?",
        settings=MAJORITY,
        closes_at=utcnow() + timedelta(days=3),
    )
    latecomer = make_member("Latecomer")  # joined after the roll was taken
    login_as(people["mei"])
    needs = needs_of(client)
    assert "Votes waiting for your ballot" in needs
    assert f'href="/votes/{vote.id}"' in needs
    assert "Strike in March?" in needs
    assert "closes in 2 days 23 hours" in needs  # rounded down, never later than the close
    assert nav_count(client) == 1
    login_as(latecomer)
    assert "Strike in March?" not in needs_of(client)
    voting.cast_ballot(people["mei"], vote, {"choice": "yes"})
    login_as(people["mei"])
    assert "Strike in March?" not in needs_of(client)
    assert nav_count(client) == 0
    login_as(people["zainab"])  # on the roll, has not voted: still waits for her
    assert "Strike in March?" in needs_of(client)


def test_a_closed_or_overdue_vote_waits_no_more(client, login_as, people):
    overdue = voting.create_vote(
        people["convener"],
        title="Overdue question",
        settings=MAJORITY,
        closes_at=utcnow() + timedelta(minutes=5),
    )
    closed = voting.create_vote(people["convener"], title="Closed question", settings=MAJORITY)
    voting.close_vote(people["convener"], closed)
    login_as(people["mei"])
    needs = needs_of(client)
    assert "Overdue question" in needs
    assert "closes in 4 minutes" in needs
    assert "Closed question" not in needs
    overdue.closes_at = utcnow() - timedelta(minutes=1)
    assert "Overdue question" not in needs_of(client)


def test_a_sealed_record_waits_for_each_member_until_their_entry(client, login_as, people):
    record = sealed_record(people["convener"], [people["rosa"]])
    login_as(people["mei"])
    needs = needs_of(client)
    assert "Decisions awaiting your commitment" in needs
    assert f'href="/decisions/{record.id}#your-entry"' in needs
    decisions.record_commitment(people["mei"], record, commits=True, disagreement="")
    assert record.title not in needs_of(client)
    login_as(people["zainab"])
    assert record.title in needs_of(client)


def test_an_open_evaluation_waits_until_the_member_speaks_in_its_debate(client, login_as, people):
    today = utcnow().date()
    record = sealed_record(
        people["convener"], [people["rosa"]], evaluation_date=today - timedelta(days=1)
    )
    evaluation = decisions.open_evaluation(people["convener"], record, today=today)
    login_as(people["mei"])
    needs = needs_of(client)
    assert "Evaluations open for debate" in needs
    assert f'href="/decisions/{record.id}/evaluation"' in needs
    debate.post_comment(
        people["mei"], subject_of(SubjectType.EVALUATION, evaluation), "It worked, mostly."
    )
    assert "Evaluations open for debate" not in needs_of(client)
    login_as(people["zainab"])
    assert "Evaluations open for debate" in needs_of(client)


def test_an_amendment_flagged_for_update_waits_for_its_proposer(client, login_as, people):
    draft = make_draft(people["convener"])
    mine = propose(people["mei"], draft, title="Mei's change to the first paragraph")
    other = propose(people["zainab"], draft, title="A friendly first paragraph", new_text="New.")
    drafts.accept_amendment(people["convener"], other)  # merged: Mei's paragraph changed
    db.session.refresh(mine)
    assert mine.needs_update
    login_as(people["mei"])
    needs = needs_of(client)
    assert "Your amendments to update" in needs
    assert f'href="/drafts/{draft.id}/amendments/{mine.number}/edit"' in needs
    login_as(people["rosa"])
    assert "Your amendments to update" not in needs_of(client)
    drafts.edit_amendment(
        people["mei"],
        mine,
        version_number=draft.current_version_number,
        kind="replace",
        first=1,
        last=1,
        new_text="Mei's text, again.",
        title=mine.title,
        rationale="Updated.",
    )
    login_as(people["mei"])
    assert "Your amendments to update" not in needs_of(client)


def test_an_amendment_of_the_tendency_waits_for_seconders_among_its_members(
    client, login_as, people
):
    draft = make_draft(people["convener"], seconds_required=3)
    amendment = propose(people["rosa"], draft, title="Rosa asks for seconds")
    login_as(people["mei"])
    needs = needs_of(client)
    assert "Amendments of your tendency awaiting seconders" in needs
    assert f'href="/drafts/{draft.id}/amendments/{amendment.number}"' in needs
    login_as(people["rosa"])  # her own
    assert "Rosa asks for seconds" not in needs_of(client)
    login_as(people["zainab"])  # no tendency: not asked
    assert "Rosa asks for seconds" not in needs_of(client)
    drafts.second_amendment(people["mei"], amendment)
    login_as(people["mei"])
    assert "Rosa asks for seconds" not in needs_of(client)


def test_a_sponsorship_request_waits_for_the_coordinators(client, login_as, people):
    draft = make_draft(people["convener"])
    amendment = propose(people["mei"], draft, title="Mei asks the Caucus")
    drafts.request_sponsorship(people["mei"], amendment)
    login_as(people["rosa"])
    needs = needs_of(client)
    assert "Amendments asking your tendency to sponsor them" in needs
    assert f'href="/drafts/{draft.id}/amendments/{amendment.number}"' in needs
    login_as(make_member("Plain member", tendency=people["tendency"]))
    assert "asking your tendency to sponsor" not in needs_of(client)
    drafts.confirm_sponsorship(people["rosa"], amendment)
    login_as(people["rosa"])
    assert "asking your tendency to sponsor" not in needs_of(client)


def test_join_requests_wait_for_the_coordinators(client, login_as, people):
    tendencies.request_to_join(people["zainab"], people["tendency"], "Let me in.")
    login_as(people["rosa"])
    needs = needs_of(client)
    assert "Zainab asks to join Harbour Caucus" in needs
    assert f'href="/tendencies/{people["tendency"].id}#requests"' in needs
    assert nav_count(client) == 1
    login_as(people["mei"])
    assert "asks to join" not in needs_of(client)
    tendencies.approve_join_request(people["rosa"], pending_requests(people["tendency"])[0])
    login_as(people["rosa"])
    assert "asks to join" not in needs_of(client)


def test_a_reply_waits_until_the_member_posts_again_in_the_thread(client, login_as, people):
    draft = make_draft(people["convener"])
    subject = subject_of(SubjectType.DRAFT, draft)
    mine = make_comment(subject, people["mei"], "We should start with the *rents*.")
    reply = make_comment(subject, people["zainab"], "Rents **first**, agreed.", parent=mine)
    hidden = make_comment(subject, people["rosa"], "A hidden reply.", parent=mine)
    debate.hide_comment(people["convener"], hidden, "Off topic.")
    login_as(people["mei"])
    needs = needs_of(client)
    assert "Replies to your comments" in needs
    assert "Zainab: “Rents first, agreed.”" in needs
    assert f'href="/comments/{reply.id}"' in needs
    assert "A hidden reply" not in needs
    assert "until you post again in its thread" in needs
    login_as(people["zainab"])  # her own reply is not a reply to her
    assert "Replies to your comments" not in needs_of(client)
    later = make_comment(subject, people["mei"], "Thanks.", parent=reply)
    later.created_at = reply.created_at + timedelta(seconds=1)
    login_as(people["mei"])
    assert "Replies to your comments" not in needs_of(client)


def test_a_suspended_member_has_nothing_waiting(session, people):
    from deliberate.accounts.models import MemberStatus
    from deliberate.main import needs

    voting.create_vote(people["convener"], title="Question", settings=MAJORITY)
    mei = people["mei"]
    assert needs.count(mei, utcnow()).total == 1
    mei.status = MemberStatus.SUSPENDED
    assert needs.count(mei, utcnow()).total == 0
    assert needs.sections(mei, utcnow()) == []


def test_the_count_is_the_sum_of_the_list_and_more_are_linked(client, login_as, people):
    for n in range(7):
        voting.create_vote(people["convener"], title=f"Question {n}", settings=MAJORITY)
    tendencies.request_to_join(people["zainab"], people["tendency"])
    login_as(people["rosa"])
    needs = needs_of(client)
    assert '<a href="/votes/">2 more</a>' in needs
    assert nav_count(client) == 8


def test_time_left_and_excerpts_read_in_words():
    now = utcnow()
    assert time_left(None, now) == "no close is scheduled"
    assert time_left(now + timedelta(days=2, hours=23), now) == "closes in 2 days 23 hours"
    assert time_left(now + timedelta(hours=5, minutes=10), now) == "closes in 5 hours 10 minutes"
    assert time_left(now + timedelta(seconds=61), now) == "closes in 1 minute"
    assert time_left(now + timedelta(seconds=20), now) == "closes in less than a minute"
    assert excerpt("**Bold** and [a link](https://example.org) " + "word " * 40).startswith(
        "Bold and a link word"
    )
    assert len(excerpt("word " * 40)) <= 90


# --- what it costs ------------------------------------------------------------------------------


def busy_world(people, size: int) -> None:
    """Every kind of item for Mei, Rosa and Zainab, among `size` other members who each have
    as much waiting for them (votes, records, replies, requests)."""
    convener, mei, rosa, tendency = (
        people["convener"],
        people["mei"],
        people["rosa"],
        people["tendency"],
    )
    others = [make_member(tendency=tendency if n % 2 else None) for n in range(size)]
    draft = make_draft(convener, seconds_required=size + 5)
    subject = subject_of(SubjectType.DRAFT, draft)
    for member in [mei, rosa, *others]:
        comment = make_comment(subject, member, "My view.")
        make_comment(subject, people["zainab"], "A reply.", parent=comment)
    for n in range(3):
        propose(rosa, draft, title=f"Rosa's amendment {n}", first=2 + n, last=2 + n)
    asked = propose(mei, draft, title="Sponsor this", first=5, last=5)
    drafts.request_sponsorship(mei, asked)
    for member in others[0 : size // 2 : 2]:  # members of no tendency
        tendencies.request_to_join(member, tendency)
    today = utcnow().date()
    record = sealed_record(convener, others[:3], evaluation_date=today - timedelta(days=1))
    decisions.open_evaluation(convener, record, today=today)
    sealed_record(convener, others[:3])
    for n in range(3):
        voting.create_vote(convener, title=f"Question {n}", settings=MAJORITY)


@pytest.mark.parametrize("who", ["mei", "rosa"])
def test_the_list_and_the_count_cost_the_same_queries_at_any_size(client, login_as, people, who):
    busy_world(people, 6)
    login_as(people[who])
    small_home = page_queries(client, "/")
    small_page = page_queries(client, "/drafts/")
    busy_world(people, 60)
    login_as(people[who])
    large_home = page_queries(client, "/")
    large_page = page_queries(client, "/drafts/")
    assert len(small_home) == len(large_home)
    assert len(small_page) == len(large_page)
    # One query a kind on the home page; one in all for the navigation elsewhere.
    assert sum("count(*) OVER ()" in q for q in large_home) >= 8
    assert sum("count(*) OVER ()" in q for q in large_page) == 0


def test_an_operator_may_leave_the_count_out_of_the_navigation(app, client, login_as, people):
    from deliberate.main.needs import COUNT_LABEL

    voting.create_vote(people["convener"], title="Question", settings=MAJORITY)
    login_as(people["mei"])
    with_count = page_queries(client, "/drafts/")
    assert any(COUNT_LABEL in q for q in with_count)
    app.config["NEEDS_IN_NAVIGATION"] = False
    try:
        without = page_queries(client, "/drafts/")
        page = client.get("/drafts/").get_data(as_text=True)
    finally:
        app.config["NEEDS_IN_NAVIGATION"] = True
    assert not any(COUNT_LABEL in q for q in without)
    assert len(without) < len(with_count)
    assert "needs-link" not in page
    assert "Question" in needs_of(client)


def test_a_server_error_page_does_not_ask_the_database_for_the_count(
    client, login_as, people, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    from deliberate.main import pages

    def fails(_member):
        raise OperationalError("SELECT 1", {}, Exception("the server went away"))

    monkeypatch.setattr(pages, "index_context", fails)
    login_as(people["mei"])
    response = client.get("/")
    assert response.status_code == 503
    assert "needs-link" not in response.get_data(as_text=True)
    assert "needs-link" in client.get("/drafts/").get_data(as_text=True)
