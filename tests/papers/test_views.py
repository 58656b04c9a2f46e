"""Position paper pages: writing, publishing, revising, signing, reading, and refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from deliberate.accounts.models import MemberRole
from deliberate.extensions import db
from deliberate.papers import services
from deliberate.papers.models import PaperSignature, PaperState, PositionPaper
from deliberate.subjects import resolve
from tests.debate.factories import make_comment
from tests.factories import make_member, make_tendency
from tests.papers.factories import make_paper


@pytest.fixture
def caucus(session):
    tendency = make_tendency("Rank-and-File Caucus")
    coordinator = make_member("Rosa Keller", tendency=tendency, coordinator=True)
    member = make_member("Samir Haddad", tendency=tendency)
    return tendency, coordinator, member


def new_url(subject) -> str:
    return f"/papers/new?subject_type={subject.type.value}&subject_id={subject.id}"


def test_a_coordinator_writes_previews_and_publishes(client, login_as, caucus, make_subject):
    _, coordinator, _ = caucus
    subject = make_subject("Adoption vote")
    login_as(coordinator)
    form = client.get(new_url(subject))
    assert form.status_code == 200
    assert "Rank-and-File Caucus" in form.get_data(as_text=True)
    preview = client.post(
        new_url(subject), data={"title": "Unions first", "body": "We *organize*.", "preview": "1"}
    )
    assert "<em>organize</em>" in preview.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PositionPaper)) == 0
    response = client.post(
        new_url(subject), data={"title": "Unions first", "body": "We *organize*.", "save": "1"}
    )
    assert response.status_code == 303
    paper = db.session.scalar(select(PositionPaper))
    assert paper.state == PaperState.DRAFTING
    assert client.post(f"/papers/{paper.id}/publish").status_code == 303
    db.session.refresh(paper)
    assert paper.state == PaperState.PUBLISHED


def test_members_and_others_cannot_write_papers(client, login_as, caucus, make_subject):
    _, _, member = caucus
    subject = make_subject()
    for actor in (member, make_member(role=MemberRole.ADMIN), make_member()):
        login_as(actor)
        assert client.get(new_url(subject)).status_code == 403
        response = client.post(new_url(subject), data={"title": "T", "body": "B"})
        assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(PositionPaper)) == 0


def test_bad_subjects_and_texts_are_refused(client, login_as, caucus, make_subject):
    _, coordinator, _ = caucus
    login_as(coordinator)
    assert client.get("/papers/new?subject_type=paper&subject_id=1").status_code == 400
    assert client.get("/papers/new?subject_type=draft&subject_id=x").status_code == 400
    assert client.get("/papers/new?subject_type=vote&subject_id=999999").status_code == 404
    subject = make_subject()
    response = client.post(new_url(subject), data={"title": "", "body": "Text", "save": "1"})
    assert response.status_code == 400
    assert "needs a title" in response.get_data(as_text=True)
    closed = make_subject(closed="The draft is withdrawn; its debate is closed.")
    response = client.post(new_url(closed), data={"title": "T", "body": "B", "save": "1"})
    assert response.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(PositionPaper)) == 0


def test_drafting_papers_are_for_the_tendency_only(client, login_as, caucus, make_subject):
    tendency, coordinator, member = caucus
    paper = make_paper(coordinator, tendency, make_subject(), "Secret plan")
    login_as(member)
    assert "Secret plan" in client.get(f"/papers/{paper.id}").get_data(as_text=True)
    login_as(make_member(tendency=make_tendency()))
    hidden, missing = client.get(f"/papers/{paper.id}"), client.get("/papers/999999")
    assert hidden.status_code == missing.status_code == 404
    assert "That paper does not exist." in hidden.get_data(as_text=True)
    assert "That paper does not exist." in missing.get_data(as_text=True)
    assert "Secret plan" not in hidden.get_data(as_text=True)
    thread = client.get(f"/debate/paper/{paper.id}")
    assert thread.status_code == client.get("/debate/paper/999999").status_code == 404


def test_revisions_stay_readable_with_their_changes(client, login_as, caucus, make_subject):
    tendency, coordinator, _ = caucus
    paper = make_paper(
        coordinator, tendency, make_subject(), "Line", "First paragraph.\n\nSecond.", publish=True
    )
    login_as(coordinator)
    response = client.post(
        f"/papers/{paper.id}/edit",
        data={"title": "Line", "body": "First paragraph, amended.\n\nSecond.", "save": "1"},
    )
    assert response.status_code == 303
    login_as(make_member())
    detail = client.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert "First paragraph, amended." in detail
    assert f"/papers/{paper.id}/revisions/1" in detail
    old = client.get(f"/papers/{paper.id}/revisions/1").get_data(as_text=True)
    assert "First paragraph." in old
    changes = client.get(f"/papers/{paper.id}/revisions/2").get_data(as_text=True)
    assert "<ins>" in changes
    assert client.get(f"/papers/{paper.id}/revisions/9").status_code == 404


def test_working_revisions_are_not_public(client, login_as, caucus, make_subject):
    tendency, coordinator, _ = caucus
    paper = make_paper(coordinator, tendency, make_subject(), "T", "Rough notes.")
    services.revise_paper(coordinator, paper, "T", "Polished text.")
    services.publish_paper(coordinator, paper)
    login_as(make_member())
    assert client.get(f"/papers/{paper.id}/revisions/1").status_code == 404
    assert "Polished text." in client.get(f"/papers/{paper.id}/revisions/2").get_data(as_text=True)


def test_signing_shows_names_and_count(client, login_as, caucus, make_subject):
    tendency, coordinator, member = caucus
    paper = make_paper(coordinator, tendency, make_subject(), publish=True)
    login_as(member)
    assert client.post(f"/papers/{paper.id}/sign").status_code == 303
    page = client.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert "Samir Haddad" in page
    assert "Take back my signature" in page
    assert "Signatories <small>1</small>" in page
    login_as(make_member(tendency=make_tendency()))
    assert client.post(f"/papers/{paper.id}/sign").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(PaperSignature)) == 1
    login_as(member)
    assert client.post(f"/papers/{paper.id}/sign").status_code == 409


def test_superseded_papers_point_to_the_new_one(client, login_as, caucus, make_subject):
    tendency, coordinator, _ = caucus
    subject = make_subject()
    old = make_paper(coordinator, tendency, subject, "Old line", publish=True)
    new = make_paper(coordinator, tendency, subject, "New line", publish=True)
    login_as(make_member())
    page = client.get(f"/papers/{old.id}").get_data(as_text=True)
    assert "Superseded by" in page
    assert f"/papers/{new.id}" in page


def test_a_published_paper_carries_its_own_debate(client, login_as, caucus, make_subject):
    tendency, coordinator, _ = caucus
    paper = make_paper(coordinator, tendency, make_subject(), publish=True)
    reader = make_member()
    login_as(reader)
    response = client.post(
        f"/debate/paper/{paper.id}/comments/new", data={"body": "I disagree with ¶2."}
    )
    assert response.status_code == 303
    page = client.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert "I disagree with ¶2." in page
    services.withdraw_paper(coordinator, paper)
    refused = client.post(f"/debate/paper/{paper.id}/comments/new", data={"body": "And now?"})
    assert refused.status_code == 409
    assert "withdrew this paper" in refused.get_data(as_text=True)


def test_no_debate_on_a_paper_being_drafted(client, login_as, caucus, make_subject):
    tendency, coordinator, member = caucus
    paper = make_paper(coordinator, tendency, make_subject())
    login_as(member)
    response = client.post(f"/debate/paper/{paper.id}/comments/new", data={"body": "Early."})
    assert response.status_code == 409
    login_as(make_member())
    assert client.get(f"/debate/paper/{paper.id}").status_code == 404


def test_the_index_lists_published_papers(client, login_as, caucus, make_subject):
    tendency, coordinator, member = caucus
    make_paper(coordinator, tendency, make_subject("Vote on dues"), "On dues", publish=True)
    make_paper(coordinator, tendency, make_subject(), "Unfinished")
    login_as(member)
    page = client.get("/papers/").get_data(as_text=True)
    assert "On dues" in page
    assert "Vote on dues" in page
    assert "Being drafted by Rank-and-File Caucus" in page
    login_as(make_member())
    assert "Unfinished" not in client.get("/papers/").get_data(as_text=True)
    assert client.get("/papers/?page=0").status_code == 400


def test_comments_on_papers_are_counted_apart(client, login_as, caucus, make_subject):
    tendency, coordinator, _ = caucus
    subject = make_subject()
    paper = make_paper(coordinator, tendency, subject, publish=True)
    make_comment(resolve("paper", paper.id), make_member(), "On the paper.")
    make_comment(subject, make_member(), "On the vote.")
    login_as(make_member())
    page = client.get(f"/debate/vote/{subject.id}").get_data(as_text=True)
    assert "On the vote." in page
    assert "On the paper." not in page
