"""Debate and position papers on the draft and amendment pages."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from deliberate.accounts.models import MemberRole
from deliberate.database import utcnow
from deliberate.debate import services as debate
from deliberate.debate.bulk import insert_thread, plan_thread
from deliberate.debate.models import Comment
from deliberate.drafts import services as drafts
from deliberate.errors import InvalidTransition, ValidationError
from deliberate.extensions import db
from deliberate.papers import services as papers
from deliberate.subjects import resolve
from tests.debate.factories import make_comment
from tests.debate.test_query_budget import TEXTS
from tests.drafts.factories import make_draft
from tests.factories import make_member, make_tendency


@pytest.fixture
def org(session):
    caucus, network = make_tendency("Rank-and-File Caucus"), make_tendency("Assembly Network")
    people = {
        "convener": make_member("Kwame", role=MemberRole.CONVENER),
        "rosa": make_member("Rosa Keller", tendency=caucus, coordinator=True),
        "samir": make_member("Samir Haddad", tendency=caucus),
        "yusuf": make_member("Yusuf Demir", tendency=network, coordinator=True),
        "reader": make_member("Reader"),
    }
    draft = make_draft(people["convener"], paragraphs=3, open_window=False)
    drafts.open_amendment_window(people["convener"], draft, utcnow() + timedelta(days=5))
    amendment = drafts.propose_amendment(
        people["samir"],
        draft,
        version_number=1,
        kind="replace",
        first=2,
        last=2,
        new_text="Each branch holds an open assembly every fortnight.",
        title="Assemblies every fortnight",
        rationale="Once a month is not enough.",
    )
    return {"caucus": caucus, "network": network, "draft": draft, "amendment": amendment, **people}


def draft_url(org) -> str:
    return f"/drafts/{org['draft'].id}"


def amendment_url(org) -> str:
    return f"/drafts/{org['draft'].id}/amendments/{org['amendment'].number}"


def test_the_draft_page_shows_what_the_tendencies_say(client, login_as, org):
    draft_subject = resolve("draft", org["draft"].id)
    amendment_subject = resolve("amendment", org["amendment"].id)
    paper = papers.create_paper(
        org["rosa"], org["caucus"], draft_subject, "Tenants lead", "We *support* the tenants."
    )
    papers.publish_paper(org["rosa"], paper)
    papers.sign_paper(org["samir"], paper)
    on_amendment = papers.create_paper(
        org["rosa"], org["caucus"], amendment_subject, "Fortnightly is right", "Yes."
    )
    papers.publish_paper(org["rosa"], on_amendment)
    login_as(org["reader"])
    page = client.get(draft_url(org)).get_data(as_text=True)
    assert "What the tendencies say" in page
    assert "Tenants lead" in page
    assert "<em>support</em>" in page
    assert "1 signatory: Samir Haddad" in page
    assert "On amendments" in page
    assert "Fortnightly is right" in page
    assert "Assembly Network" in page
    assert "No paper on this draft yet." in page
    assert "2 members" in page  # the caucus' size


def test_a_coordinator_is_offered_to_write_the_paper(client, login_as, org):
    login_as(org["yusuf"])
    page = client.get(draft_url(org)).get_data(as_text=True)
    assert f"/papers/new?subject_type=draft&amp;subject_id={org['draft'].id}" in page


def test_the_draft_page_carries_the_thread_and_the_paragraph_margin(client, login_as, org):
    subject = resolve("draft", org["draft"].id)
    on_two = make_comment(subject, org["samir"], "Monthly is too often.", paragraph=2)
    make_comment(subject, org["reader"], "Why?", parent=on_two)
    make_comment(subject, org["reader"], "About the whole text.")
    login_as(org["reader"])
    page = client.get(draft_url(org)).get_data(as_text=True)
    assert "Monthly is too often." in page
    assert "About the whole text." in page
    assert "2 comments on ¶2" in page
    assert f"/debate/draft/{org['draft'].id}?paragraph=2" in page
    assert f"/debate/draft/{org['draft'].id}/comments/new?paragraph=3" in page
    assert 'class="comment-form"' in page


def test_the_amendment_page_carries_its_thread_and_papers(client, login_as, org):
    subject = resolve("amendment", org["amendment"].id)
    make_comment(subject, org["reader"], "Fortnightly meetings exhaust people.")
    paper = papers.create_paper(org["yusuf"], org["network"], subject, "Against", "No.")
    papers.publish_paper(org["yusuf"], paper)
    login_as(org["reader"])
    page = client.get(amendment_url(org)).get_data(as_text=True)
    assert "Fortnightly meetings exhaust people." in page
    assert "Against" in page
    response = client.post(
        f"/debate/amendment/{org['amendment'].id}/comments/new", data={"body": "Agreed."}
    )
    assert response.status_code == 303
    assert (
        client.get(response.headers["Location"])
        .headers["Location"]
        .endswith(
            f"/debate/amendment/{org['amendment'].id}#c"
            + str(db.session.scalar(select(func.max(Comment.id))))
        )
    )


def test_posting_to_a_withdrawn_draft_is_refused(client, login_as, org):
    subject = resolve("draft", org["draft"].id)
    earlier = make_comment(subject, org["reader"], "Before the withdrawal.")
    drafts.withdraw_draft(org["convener"], org["draft"], "Overtaken by events.")
    login_as(org["reader"])
    before = db.session.scalar(select(func.count()).select_from(Comment))
    for url in (
        f"/debate/draft/{org['draft'].id}/comments/new",
        f"/comments/{earlier.id}/reply",
        f"/debate/amendment/{org['amendment'].id}/comments/new",
    ):
        response = client.post(url, data={"body": "Still here?"})
        assert response.status_code == 409, url
        assert "withdrawn; its debate is closed" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Comment)) == before
    page = client.get(draft_url(org)).get_data(as_text=True)
    assert "This draft was withdrawn; its debate is closed." in page
    assert 'class="comment-form"' not in page


def test_papers_on_a_withdrawn_draft_are_refused(org):
    drafts.withdraw_draft(org["convener"], org["draft"], "Overtaken by events.")
    with pytest.raises(InvalidTransition, match="withdrawn"):
        papers.create_paper(
            org["rosa"], org["caucus"], resolve("draft", org["draft"].id), "Late", "Too late."
        )


def test_a_withdrawn_amendment_closes_its_debate_only(org):
    drafts.withdraw_amendment(org["samir"], org["amendment"], "Changed my mind.")
    with pytest.raises(InvalidTransition, match="amendment was withdrawn"):
        make_comment(resolve("amendment", org["amendment"].id), org["reader"])
    make_comment(resolve("draft", org["draft"].id), org["reader"], "The draft is still open.")


def test_anchors_follow_the_current_version(org):
    subject = resolve("draft", org["draft"].id)
    with pytest.raises(ValidationError, match=r"no ¶4: version 1 has paragraphs ¶1 to ¶3"):
        make_comment(subject, org["reader"], paragraph=4)
    old = make_comment(subject, org["reader"], "On the old ¶3.", paragraph=3)
    assert (old.paragraph, old.anchor_version) == (3, 1)


def test_the_draft_page_runs_the_same_queries_for_20_and_2000_comments(
    client, login_as, org, count_queries
):
    authors = [org["rosa"], org["samir"], org["yusuf"], org["reader"]]
    small, large = make_draft(org["convener"]), make_draft(org["convener"])
    for draft, count in ((small, 20), (large, 2000)):
        plan = plan_thread(count, authors, TEXTS, random.Random(count), max_depth=8, paragraphs=3)
        insert_thread(
            resolve("draft", draft.id), plan, start=utcnow(), spacing=timedelta(seconds=1)
        )
    login_as(org["reader"])
    counts = []
    for draft in (small, large):
        db.session.commit()
        current_app.extensions.pop("fragments.values", None)  # the reader's membership, kept
        with count_queries() as statements:
            assert client.get(f"/drafts/{draft.id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_hidden_comments_in_the_margin_stay_hidden(client, login_as, org):
    subject = resolve("draft", org["draft"].id)
    rude = make_comment(subject, org["samir"], "A rude remark on ¶1.", paragraph=1)
    debate.hide_comment(org["convener"], rude, "Rude.")
    login_as(org["reader"])
    page = client.get(draft_url(org)).get_data(as_text=True)
    assert "A rude remark on ¶1." not in page
    assert "Hidden by a convener: Rude." in page


def test_comments_on_a_changed_paragraph_stay_reachable_as_on_an_earlier_version(
    client, login_as, org
):
    subject = resolve("draft", org["draft"].id)
    make_comment(subject, org["reader"], "On the first wording of ¶2.", paragraph=2)
    drafts.accept_amendment(org["convener"], org["amendment"])  # merged: version 2
    current = resolve("draft", org["draft"].id)
    assert current.paragraphs().version_number == 2
    make_comment(current, org["reader"], "On the new wording of ¶2.", paragraph=2)
    login_as(org["reader"])
    thread = client.get(f"/debate/draft/{org['draft'].id}").get_data(as_text=True)
    assert "on an earlier version of ¶2</a>" in thread
    assert "(¶2 of version 1)" in thread
    by_paragraph = client.get(f"/debate/draft/{org['draft'].id}?paragraph=2").get_data(as_text=True)
    assert "On the new wording of ¶2." in by_paragraph
    assert "On the first wording of ¶2." in by_paragraph
    page = client.get(draft_url(org)).get_data(as_text=True)
    assert "1 comment on ¶2, 1 on an earlier version of it" in page


def test_comments_on_an_unchanged_paragraph_follow_it_into_the_new_version(client, login_as, org):
    subject = resolve("draft", org["draft"].id)
    make_comment(subject, org["reader"], "On ¶1, which the amendment keeps.", paragraph=1)
    drafts.accept_amendment(org["convener"], org["amendment"])  # merged: version 2
    login_as(org["reader"])
    page = client.get(draft_url(org)).get_data(as_text=True)
    assert "1 comment on ¶1</summary>" in page
    assert "On ¶1, which the amendment keeps." in page
    by_paragraph = client.get(f"/debate/draft/{org['draft'].id}?paragraph=1").get_data(as_text=True)
    assert "On ¶1, which the amendment keeps." in by_paragraph
    assert "No comment matches" not in by_paragraph
    assert ">on ¶1</a>" in by_paragraph
