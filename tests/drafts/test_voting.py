"""Drafts react to their votes: adopted amendments are merged, groups decided, drafts adopted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from deliberate.accounts.models import MemberRole
from deliberate.decisions.services import record_of_vote
from deliberate.drafts import services
from deliberate.drafts.models import AmendmentState, DraftState, DraftVersion
from deliberate.drafts.voting import (
    NO_CHANGE,
    put_amendment_to_vote,
    put_draft_to_adoption,
    put_group_to_vote,
)
from deliberate.errors import InvalidTransition, ValidationError
from deliberate.extensions import db
from deliberate.voting import services as voting
from deliberate.voting.rules import Settings
from tests.drafts.factories import make_draft, propose, table
from tests.factories import make_member

MAJORITY = Settings(method="majority", threshold="simple")


@pytest.fixture
def convener(session):
    return make_member("Convener", role=MemberRole.CONVENER)


@pytest.fixture
def members(session):
    return [make_member() for _ in range(5)]


def tabled_amendment(draft, **kwargs):
    amendment = propose(make_member(), draft, **kwargs)
    table(amendment)
    return amendment


def cast_all(vote, members, contents):
    for member, content in zip(members, contents, strict=False):
        voting.cast_ballot(member, vote, content)


def test_an_adopted_amendment_is_merged_into_a_new_version(convener, members):
    draft = make_draft(convener)
    amendment = tabled_amendment(draft, new_text="Every branch meets weekly.")
    vote = put_amendment_to_vote(convener, amendment, MAJORITY)
    assert amendment.state == AmendmentState.VOTING
    assert vote.subject_type == "amendment"
    cast_all(vote, members, [{"choice": "yes"}] * 3 + [{"choice": "no"}])
    voting.close_vote(convener, vote)
    db.session.refresh(amendment)
    db.session.refresh(draft)
    assert amendment.state == AmendmentState.MERGED
    assert draft.current_version_number == 2
    version = db.session.scalar(
        select(DraftVersion).where(DraftVersion.draft_id == draft.id, DraftVersion.number == 2)
    )
    assert version.author_id is None
    assert "Every branch meets weekly." in version.body


def test_a_rejected_amendment_is_rejected_and_the_text_unchanged(convener, members):
    draft = make_draft(convener)
    amendment = tabled_amendment(draft)
    vote = put_amendment_to_vote(convener, amendment, MAJORITY)
    cast_all(vote, members, [{"choice": "no"}] * 3 + [{"choice": "yes"}])
    voting.close_vote(convener, vote)
    db.session.refresh(amendment)
    assert amendment.state == AmendmentState.REJECTED
    assert draft.current_version_number == 1


def test_an_amendment_vote_without_quorum_returns_it_to_the_floor(convener, members):
    draft = make_draft(convener)
    amendment = tabled_amendment(draft)
    vote = put_amendment_to_vote(
        convener, amendment, Settings(**{**MAJORITY.__dict__, "quorum_percent": 90})
    )
    cast_all(vote, members, [{"choice": "yes"}])
    voting.close_vote(convener, vote)
    db.session.refresh(amendment)
    assert amendment.state == AmendmentState.TABLED


def test_only_tabled_amendments_go_to_a_vote(convener):
    draft = make_draft(convener)
    amendment = propose(make_member(), draft)
    with pytest.raises(InvalidTransition, match="only tabled amendments"):
        put_amendment_to_vote(convener, amendment, MAJORITY)
    with pytest.raises(ValidationError, match="An amendment is decided by majority"):
        put_amendment_to_vote(convener, tabled_amendment(draft), Settings(method="irv"))


def competing_pair(convener):
    draft = make_draft(convener)
    first = tabled_amendment(draft, title="Weekly", new_text="Branches meet weekly.")
    second = tabled_amendment(draft, title="Monthly", new_text="Branches meet monthly.")
    db.session.refresh(first)
    assert first.competition_group_id is not None  # overlapping amendments compete at once
    return draft, first, second


def test_a_competing_group_merges_its_winner_and_rejects_the_others(convener, members):
    draft, first, second = competing_pair(convener)
    group = _group(first)
    vote = put_group_to_vote(convener, group, Settings(method="irv"))
    labels = [o.label for o in voting.load_options(vote)]
    assert labels[-1] == NO_CHANGE
    assert len(labels) == 3
    cast_all(
        vote,
        members,
        [{"ranking": [labels[1], labels[0]]}] * 3 + [{"ranking": [labels[0]]}] * 2,
    )
    voting.close_vote(convener, vote)
    for amendment in (first, second):
        db.session.refresh(amendment)
    assert second.state == AmendmentState.MERGED
    assert first.state == AmendmentState.REJECTED
    db.session.refresh(draft)
    assert draft.current_version_number == 2


def test_no_change_winning_rejects_every_amendment_of_the_group(convener, members):
    draft, first, second = competing_pair(convener)
    vote = put_group_to_vote(convener, _group(first), Settings(method="irv"))
    cast_all(vote, members, [{"ranking": [NO_CHANGE]}] * 4)
    voting.close_vote(convener, vote)
    for amendment in (first, second):
        db.session.refresh(amendment)
        assert amendment.state == AmendmentState.REJECTED
    assert draft.current_version_number == 1


def _group(amendment):
    from deliberate.drafts.models import CompetitionGroup

    db.session.refresh(amendment)
    return db.session.get_one(CompetitionGroup, amendment.competition_group_id)


@pytest.mark.parametrize(
    ("choices", "state"),
    [(["yes", "yes", "no"], DraftState.ADOPTED), (["no", "no", "yes"], DraftState.REJECTED)],
)
def test_a_draft_is_adopted_or_rejected_by_its_adoption_vote(convener, members, choices, state):
    draft = make_draft(convener)
    with pytest.raises(InvalidTransition, match="from debate"):
        put_draft_to_adoption(convener, draft, MAJORITY)
    services.close_amendment_window(convener, draft)
    vote = put_draft_to_adoption(convener, draft, MAJORITY)
    assert draft.state == DraftState.VOTING
    cast_all(vote, members, [{"choice": c} for c in choices])
    voting.close_vote(convener, vote)
    db.session.refresh(draft)
    assert draft.state == state


def test_the_amendment_page_offers_the_vote_and_lists_it(client, login_as, convener, members):
    draft = make_draft(convener)
    amendment = tabled_amendment(draft)
    page = f"/drafts/{draft.id}/amendments/{amendment.number}"
    login_as(members[0])
    assert "Put this amendment to a vote" not in client.get(page).get_data(as_text=True)
    login_as(convener)
    offer = client.get(page).get_data(as_text=True)
    assert f"/votes/new?purpose=amendment&amp;subject={amendment.id}" in offer
    response = client.post(
        f"/votes/new?purpose=amendment&subject={amendment.id}",
        data={"method": "majority", "threshold": "simple", "quorum_percent": "0", "secret": "y"},
    )
    assert response.status_code == 303, response.get_data(as_text=True).split("<main>")[1][:3000]
    listed = client.get(page).get_data(as_text=True)
    assert "Put this amendment to a vote" not in listed
    assert f"{amendment.label} to “{draft.title}”: {amendment.title}" in listed
    assert 'class="amendment-state state-voting">being voted on</span>' in listed


@pytest.mark.parametrize("substitute_wins", [True, False])
def test_a_ranked_adoption_vote_chooses_between_the_text_and_a_substitute(
    convener, members, substitute_wins
):
    draft = make_draft(convener)
    substitute = tabled_amendment(
        draft, kind="substitute", first=None, last=None, new_text="Our whole other text."
    )
    services.close_amendment_window(convener, draft)
    vote = put_draft_to_adoption(convener, draft, Settings(method="irv"))
    labels = [o.label for o in voting.load_options(vote)]
    assert labels == [
        "The text as it stands (version 1)",
        f"{substitute.label}: {substitute.title}",
    ]
    first, other = (labels[1], labels[0]) if substitute_wins else (labels[0], labels[1])
    cast_all(vote, members, [{"ranking": [first]}] * 3 + [{"ranking": [other]}])
    voting.close_vote(convener, vote)
    db.session.refresh(draft)
    db.session.refresh(substitute)
    assert draft.state == DraftState.ADOPTED
    if substitute_wins:
        assert substitute.state == AmendmentState.MERGED
        assert draft.current_version_number == 2
    else:
        assert substitute.state == AmendmentState.REJECTED
        assert draft.current_version_number == 1
    record = record_of_vote(vote.id)
    assert record is not None
    assert record.adopted is True
    assert record.version_id == db.session.scalar(
        select(DraftVersion.id).where(
            DraftVersion.draft_id == draft.id,
            DraftVersion.number == draft.current_version_number,
        )
    )


def test_a_ranked_adoption_vote_needs_a_substitute(convener):
    draft = make_draft(convener)
    services.close_amendment_window(convener, draft)
    with pytest.raises(InvalidTransition, match="No whole-text substitute is tabled"):
        put_draft_to_adoption(convener, draft, Settings(method="irv"))
