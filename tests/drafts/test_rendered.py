"""A version's paragraphs and an amendment's change are read and computed once per process,
and what pages build without url_for leads where url_for would."""

from __future__ import annotations

import re

from deliberate.accounts.models import MemberRole
from deliberate.drafts import rendered, services
from deliberate.drafts.queries import as_change, current_version
from deliberate.subjects import resolve
from tests.conftest import page_queries
from tests.debate.factories import make_comment
from tests.drafts.factories import make_draft, propose
from tests.factories import make_member


def paragraph_reads(statements: list[str]) -> int:
    return sum("FROM draft_paragraphs" in s for s in statements)


def test_a_draft_page_reads_its_version_paragraphs_once(client, login_as, session):
    draft = make_draft(paragraphs=7)
    login_as(make_member())
    first = page_queries(client, f"/drafts/{draft.id}")
    again = page_queries(client, f"/drafts/{draft.id}")
    assert paragraph_reads(first) <= 1
    assert paragraph_reads(again) == 0
    page = client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    assert page.count('class="para"') == 7


def test_a_new_version_is_read_afresh(client, login_as, session):
    chair = make_member(role=MemberRole.CONVENER)
    draft = make_draft(chair, paragraphs=3)
    login_as(chair)
    assert "Paragraph 1:" in client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    amendment = propose(make_member(), draft, first=1, last=1, new_text="A fresh first aim.")
    services.accept_amendment(chair, amendment)
    page = client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    assert "A fresh first aim." in page
    assert "Paragraph 1:" not in page


def test_the_same_id_with_another_text_is_another_version(session):
    draft = make_draft(paragraphs=2)
    version = current_version(draft)
    shown = rendered.paragraphs(version)
    assert [p.number for p in shown] == [1, 2]
    assert rendered.paragraphs(version) is shown  # kept
    other = make_draft(body="Only one paragraph here.")
    assert [p.markdown for p in rendered.paragraphs(current_version(other))] == [
        "Only one paragraph here."
    ]


def test_an_edited_amendment_shows_its_new_change(session):
    draft = make_draft(paragraphs=3)
    proposer = make_member()
    amendment = propose(proposer, draft, first=2, last=2, new_text="First wording.")
    version = current_version(draft)
    before = rendered.change_diff(version, as_change(amendment))
    assert "First wording." in "".join(str(row) for row in before)
    amendment.new_text = "Second wording."
    after = rendered.change_diff(version, as_change(amendment))
    assert "Second wording." in "".join(str(row) for row in after)
    assert "First wording." not in "".join(str(row) for row in after)


def test_links_built_without_url_for_lead_where_url_for_leads(app, client, login_as, session):
    chair = make_member(role=MemberRole.CONVENER)  # a moderator sees every action
    draft = make_draft(chair, paragraphs=2)
    comment = make_comment(resolve("draft", draft.id), chair, "On the second.", paragraph=2)
    reply = make_comment(resolve("draft", draft.id), chair, "A reply.", parent=comment)
    login_as(chair)
    page = client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    adapter = app.url_map.bind("deliberate.test")
    endpoints = set()
    for href in re.findall(r'(?:href|action)="(/(?:comments|debate)/[^"?#]*)', page):
        endpoint, arguments = adapter.match(href, method="GET" if "unhide" not in href else "POST")
        endpoints.add(endpoint)
        if "comment_id" in arguments:
            assert arguments["comment_id"] in {comment.id, reply.id}
    assert {"debate.permalink", "debate.reply", "debate.edit", "debate.delete"} <= endpoints
    assert {"debate.hide", "debate.thread", "debate.create"} <= endpoints
