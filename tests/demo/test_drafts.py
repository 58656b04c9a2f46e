"""The demo objective: third version (made by a vote), amendments in every state, competing
groups; and the convention's rules of procedure, long enough to be read in parts."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from deliberate.accounts.models import Member
from deliberate.demo import load_demo
from deliberate.drafts.models import Amendment, AmendmentState, DraftKind
from deliberate.drafts.queries import current_version, draft_layout, draft_page
from deliberate.extensions import db
from tests.factories import make_member


def test_demo_draft(session, client, login_as):
    draft = load_demo().demo_draft()
    assert draft.kind == DraftKind.SITUATIONAL_OBJECTIVE
    assert draft.evaluation_date > draft.valid_until > draft.valid_from
    version = current_version(draft)
    assert version.number == 3
    assert version.note == "merged A7, adopted by vote"
    assert version.author_id is None
    assert version.paragraph_count == 12
    states = Counter(session.scalars(select(Amendment.state).where(Amendment.draft_id == draft.id)))
    # An amendment adopted by a vote is merged at once by the system: "adopted" lasts only
    # while a merge waits for the conveners (when it collides), which the demo does not show.
    assert set(states) == {state.value for state in AmendmentState} - {"adopted"}
    assert 10 <= sum(states.values()) <= 14
    layout = draft_layout(draft_page(draft))
    assert len(layout.groups) == 2
    sponsors = {a.sponsor_tendency.name for a in draft_page(draft).amendments if a.sponsor_tendency}
    assert len(sponsors) >= 2
    assert any(
        line.startswith("Tabled by Rank-and-File Caucus, supported by members of")
        for line in layout.sponsorship.values()
    )
    login_as(make_member())
    body = client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    assert "Eastside Tenants First" in body
    assert "needs update" in body


def test_the_demo_rules_of_procedure_are_read_in_parts(session, client, login_as):
    from deliberate.demo.rules import RULES, RULES_TITLE
    from deliberate.drafts.models import Draft

    load_demo()
    db.session.commit()
    rules = session.scalars(select(Draft).where(Draft.title == RULES_TITLE)).one()
    assert current_version(rules).paragraph_count == len(RULES) > 50
    login_as(session.scalars(select(Member).where(Member.role == "member")).first())
    first = client.get(f"/drafts/{rules.id}").get_data(as_text=True)
    assert "¶1–50" in first
    assert 'id="p50"' in first
    assert 'id="p52"' not in first
    second = client.get(f"/drafts/{rules.id}?text=2").get_data(as_text=True)
    assert 'id="p52"' in second
    assert "Disagreements may be registered until the evaluation" in second
    listed = client.get(f"/drafts/{rules.id}/amendments/").get_data(as_text=True)
    assert "No closure of the debate" in listed
