"""A convener records, from the pages, a meeting's vote on an amendment, a competing group or a
draft's adoption; it merges and makes its record exactly as an online vote does."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from deliberate.accounts.models import MemberRole
from deliberate.decisions.models import DecisionRecord
from deliberate.drafts import services
from deliberate.drafts.models import AmendmentState, CompetitionGroup, DraftState, DraftVersion
from deliberate.extensions import db
from deliberate.voting import services as voting
from deliberate.voting.models import Vote
from tests.drafts.factories import make_draft, propose, table
from tests.factories import make_member

MEETING = {
    "method": "majority",
    "threshold": "simple",
    "quorum_percent": "0",
    "held_at": "2025-03-01T18:00",
    "present": "60",
}


@pytest.fixture
def convener(session):
    return make_member("Rita Convener", role=MemberRole.CONVENER)


def tabled(draft, **kwargs):
    amendment = propose(make_member(), draft, **kwargs)
    table(amendment)
    return amendment


def body(response) -> str:
    return response.get_data(as_text=True).split("<main")[-1][:3000]


def test_a_meeting_adopting_a_tabled_amendment_merges_it(client, login_as, convener):
    draft = make_draft(convener)
    amendment = tabled(draft, new_text="Every branch meets weekly.")
    login_as(convener)
    page = client.get(f"/drafts/{draft.id}/amendments/{amendment.number}").get_data(as_text=True)
    address = f"/votes/record?purpose=amendment&subject={amendment.id}"
    assert address.replace("&", "&amp;") in page
    response = client.post(address, data={**MEETING, "yes": "41", "no": "12", "abstain": "3"})
    assert response.status_code == 303, body(response)
    db.session.refresh(amendment)
    db.session.refresh(draft)
    assert amendment.state == AmendmentState.MERGED
    assert draft.current_version_number == 2
    version = db.session.scalar(
        select(DraftVersion).where(DraftVersion.draft_id == draft.id, DraftVersion.number == 2)
    )
    assert "Every branch meets weekly." in version.body
    vote = db.session.scalar(select(Vote).where(Vote.subject_id == amendment.id))
    assert vote.in_person
    assert vote.outcome == "Adopted by 41 to 12, 3 abstaining."


def test_a_refused_meeting_count_changes_nothing(client, login_as, convener):
    draft = make_draft(convener)
    amendment = tabled(draft)
    login_as(convener)
    response = client.post(
        f"/votes/record?purpose=amendment&subject={amendment.id}",
        data={**MEETING, "yes": "61"},
    )
    assert response.status_code == 400
    assert "only 60 members" in response.get_data(as_text=True)
    db.session.refresh(amendment)
    assert amendment.state == AmendmentState.TABLED
    assert db.session.scalar(select(Vote).where(Vote.subject_id == amendment.id)) is None


def test_a_meeting_s_adoption_of_a_draft_is_recorded_as_adopted(client, login_as, convener):
    draft = make_draft(convener)
    services.close_amendment_window(convener, draft)
    login_as(convener)
    panel = client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    address = f"/votes/record?purpose=adoption&subject={draft.id}"
    assert address.replace("&", "&amp;") in panel
    response = client.post(address, data={**MEETING, "yes": "40", "no": "2"})
    assert response.status_code == 303, body(response)
    db.session.refresh(draft)
    assert draft.state == DraftState.ADOPTED
    record = db.session.scalar(select(DecisionRecord).where(DecisionRecord.draft_id == draft.id))
    assert record is not None
    assert record.adopted is True
    assert record.version_id is not None


def test_a_competing_group_s_meeting_count_picks_its_winner(client, login_as, convener):
    draft = make_draft(convener)
    first = tabled(draft, title="Weekly", new_text="Branches meet weekly.")
    second = tabled(draft, title="Monthly", new_text="Branches meet monthly.")
    db.session.refresh(first)
    group = db.session.get_one(CompetitionGroup, first.competition_group_id)
    login_as(convener)
    address = f"/votes/record?purpose=group&subject={group.id}"
    form = client.get(address).get_data(as_text=True)
    labels = [f"{a.label}: {a.title}" for a in (first, second)] + ["No change"]
    assert all(label in form for label in labels)
    count = (
        "3 1\n4 2 1 0\n2 1 0\n1 3 0\n0\n"
        + "".join(f'"{label}"\n' for label in labels)
        + '"Weekly or monthly"\n'
    )
    response = client.post(
        address,
        data={
            **MEETING,
            "method": "irv",
            "present": "7",
            "ballot_file": (io.BytesIO(count.encode()), "count.blt"),
        },
    )
    assert response.status_code == 303, body(response)
    for amendment in (first, second):
        db.session.refresh(amendment)
    assert second.state == AmendmentState.MERGED
    assert first.state == AmendmentState.REJECTED
    db.session.refresh(draft)
    assert draft.current_version_number == 2
    vote = db.session.scalar(select(Vote).where(Vote.purpose == "group"))
    assert vote.in_person
    assert vote.result["outcome"]["winners"] == [labels[1]]
    assert voting.recount(vote) == vote.result
