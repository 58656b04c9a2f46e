"""A long draft's page stays readable and light: its text a part at a time, a short list of
each state's amendments, and the whole list one click away."""

from __future__ import annotations

from deliberate.extensions import db
from tests.drafts.factories import make_draft, propose, table
from tests.factories import make_member


def test_a_long_text_is_shown_fifty_paragraphs_at_a_time(client, login_as, session):
    draft = make_draft(paragraphs=120)
    login_as(make_member())
    first = client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    assert 'id="p50"' in first
    assert 'id="p51"' not in first
    assert "120 paragraphs, 50 at a time" in first
    assert 'href="?text=3#text">¶101–120</a>' in first
    last = client.get(f"/drafts/{draft.id}?text=3").get_data(as_text=True)
    assert 'id="p101"' in last
    assert 'id="p120"' in last
    assert 'id="p1"' not in last
    assert '<strong aria-current="page">¶101–120</strong>' in last
    beyond = client.get(f"/drafts/{draft.id}?text=4")
    assert beyond.status_code == 404
    assert "This text has 3 parts." in beyond.get_data(as_text=True)
    refused = client.get(f"/drafts/{draft.id}?text=zero")
    assert refused.status_code == 400


def test_a_short_text_has_no_parts(client, login_as, session):
    draft = make_draft(paragraphs=5)
    login_as(make_member())
    page = client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    assert 'id="p5"' in page
    assert "at a time" not in page


def test_the_draft_page_lists_twenty_of_a_state_and_links_to_them_all(client, login_as, session):
    draft = make_draft(paragraphs=25)
    proposer = make_member("Ana Ortega")
    awaiting = [  # each on a paragraph of its own: none competes with another
        propose(proposer, draft, first=n + 1, last=n + 1, title=f"Change number {n:02d}")
        for n in range(25)
    ]
    table(awaiting[0])  # one tabled: a state of its own
    db.session.commit()
    login_as(make_member())
    page = client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    assert "Change number 20" in page
    assert "Change number 21" not in page  # the 21st awaiting seconders (A1 is tabled)
    assert "All 24 amendments awaiting seconders →" in page
    listed = client.get(f"/drafts/{draft.id}/amendments/?state=proposed")
    text = listed.get_data(as_text=True)
    assert listed.status_code == 200
    assert "Change number 24" in text
    assert "Change number 00" not in text  # tabled, not awaiting
    assert "awaiting seconders (24)" in text
    every = client.get(f"/drafts/{draft.id}/amendments/").get_data(as_text=True)
    assert "Change number 00" in every
    assert "Change number 24" in every


def test_the_amendment_list_refuses_an_unknown_state(client, login_as, session):
    draft = make_draft()
    login_as(make_member())
    response = client.get(f"/drafts/{draft.id}/amendments/?state=lost")
    assert response.status_code == 400
    assert "The state must be one of" in response.get_data(as_text=True)


def test_a_large_competing_group_is_listed_in_full_on_its_own_page(client, login_as, session):
    draft = make_draft(paragraphs=3)
    proposer = make_member("Ana Ortega")
    for n in range(25):  # all on ¶1: they compete, in one group
        propose(proposer, draft, title=f"Rewrite number {n:02d}")
    db.session.commit()
    login_as(make_member())
    page = client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    assert "Rewrite number 19" in page
    assert "Rewrite number 20" not in page
    assert "All 25 amendments of the competing group 1 →" in page
    group = client.get(f"/drafts/{draft.id}/amendments/?group=1").get_data(as_text=True)
    assert "Competing group 1" in group
    assert "Rewrite number 24" in group
    missing = client.get(f"/drafts/{draft.id}/amendments/?group=9")
    assert missing.status_code == 404
    assert "This draft has no competing group 9." in missing.get_data(as_text=True)
