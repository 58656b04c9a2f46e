"""Reading threads and position papers through the API: what the pages show, to whom they
show it (a hidden comment's text, a paper still being drafted), with cursors and ETags."""

from __future__ import annotations

import pytest

from deliberate.accounts.models import MemberRole
from deliberate.debate.services import hide_comment, post_comment
from deliberate.extensions import db
from deliberate.papers.services import create_paper, publish_paper, sign_paper
from deliberate.subjects import resolve
from tests.api.helpers import api_get, token_for
from tests.drafts.factories import make_draft
from tests.factories import make_member, make_tendency


@pytest.fixture
def debate(session):
    tendency = make_tendency("Greens")
    coordinator = make_member("Coordinator", tendency=tendency, coordinator=True)
    insider = make_member("Insider", tendency=tendency)
    outsider = make_member("Outsider")
    convener = make_member("Convener", role=MemberRole.CONVENER)
    draft = make_draft(paragraphs=3, open_window=False)
    subject = resolve("draft", draft.id)
    first = post_comment(outsider, subject, "The outsider's comment on ¶1.", paragraph=1)
    hidden = post_comment(insider, subject, "A remark a convener hid.")
    hide_comment(convener, hidden, "Off topic.")
    paper = create_paper(coordinator, tendency, subject, "Our line", "We *support* it.")
    publish_paper(coordinator, paper)
    sign_paper(insider, paper)
    drafting = create_paper(coordinator, tendency, subject, "A better line", "Work in progress.")
    db.session.commit()
    return {
        "draft": draft,
        "first": first,
        "hidden": hidden,
        "paper": paper,
        "drafting": drafting,
        "insider": token_for(insider, ("read",)),
        "outsider": token_for(outsider, ("read",)),
        "convener": token_for(convener, ("read",)),
    }


def test_a_thread_shows_a_hidden_comment_s_text_to_its_author_and_moderators_alone(client, debate):
    url = f"/api/v1/debate/draft/{debate['draft'].id}/comments"
    seen = {}
    for who in ("outsider", "insider", "convener"):
        answer = api_get(client, url, debate[who])
        assert answer.status_code == 200
        seen[who] = {c["id"]: c for c in answer.get_json()["items"]}
        assert answer.get_json()["next"] is None
    hidden_id, first_id = debate["hidden"].id, debate["first"].id
    assert list(seen["outsider"]) == [first_id, hidden_id]
    assert "outsider" in seen["outsider"][first_id]["body_html"]
    assert seen["outsider"][first_id]["paragraph"] == 1
    assert seen["outsider"][hidden_id]["hidden"] is True
    assert seen["outsider"][hidden_id]["hidden_reason"] == "Off topic."
    assert seen["outsider"][hidden_id]["body_html"] is None
    assert "convener hid" in seen["insider"][hidden_id]["body_html"]  # its author
    assert "convener hid" in seen["convener"][hidden_id]["body_html"]  # a moderator


def test_a_thread_pages_with_cursors_and_answers_304(client, app, debate):
    app.config["THREAD_PAGE_SIZE"] = 1
    url = f"/api/v1/debate/draft/{debate['draft'].id}/comments"
    first = api_get(client, url, debate["outsider"])
    assert [c["id"] for c in first.get_json()["items"]] == [debate["first"].id]
    cursor = first.get_json()["next"]
    second = api_get(client, f"{url}?cursor={cursor}", debate["outsider"]).get_json()
    assert [c["id"] for c in second["items"]] == [debate["hidden"].id]
    assert second["next"] is None
    again = api_get(client, url, debate["outsider"], **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    newest = api_get(client, f"{url}?order=newest", debate["outsider"]).get_json()
    assert [c["id"] for c in newest["items"]] == [debate["hidden"].id]
    assert api_get(client, f"{url}?order=sideways", debate["outsider"]).status_code in (400, 422)


def test_a_paper_being_drafted_is_invisible_outside_its_tendency(client, debate):
    drafting, published = debate["drafting"].id, debate["paper"].id
    assert api_get(client, f"/api/v1/papers/{drafting}", debate["outsider"]).status_code == 404
    seen = api_get(client, f"/api/v1/papers/{drafting}", debate["insider"])
    assert seen.status_code == 200
    assert seen.get_json()["state"] == "drafting"
    shown = api_get(client, f"/api/v1/papers/{published}", debate["outsider"]).get_json()
    assert shown["title"] == "Our line"
    assert "<em>support</em>" in shown["body_html"]
    assert shown["signature_count"] == 1
    assert shown["tendency"]["name"] == "Greens"
    for who in ("outsider", "insider"):
        listed = api_get(client, f"/api/v1/papers/on/draft/{debate['draft'].id}", debate[who])
        assert [p["id"] for p in listed.get_json()["items"]] == [published]


def test_a_paper_answers_304_until_it_changes(client, debate):
    url = f"/api/v1/papers/{debate['paper'].id}"
    first = api_get(client, url, debate["outsider"])
    tag = first.headers["ETag"]
    assert api_get(client, url, debate["outsider"], **{"If-None-Match": tag}).status_code == 304
