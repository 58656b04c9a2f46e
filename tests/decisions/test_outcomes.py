"""A record states the outcome its subject actually reached, for every method and purpose:
read from the record the close makes (its adopted flag, its summary, its adopted version) and,
once sealed, from the chain link that vouches for it."""

from __future__ import annotations

import hashlib
from fractions import Fraction

import pytest
from sqlalchemy import select

from deliberate.accounts.models import MemberRole
from deliberate.decisions import chain, ledger, services
from deliberate.decisions.models import ArchiveLink, DecisionRecord
from deliberate.drafts import services as drafts
from deliberate.drafts.models import AmendmentState, DraftState, DraftVersion
from deliberate.drafts.voting import put_draft_to_adoption
from deliberate.extensions import db
from deliberate.voting import services as voting
from deliberate.voting.rules import Settings
from tests.decisions.factories import write
from tests.drafts.factories import make_draft, propose, table
from tests.factories import make_member

MAJORITY = Settings(method="majority", threshold="simple")
BLOCK_FAILS = Settings(method="consensus", block_rule="no_decision")
SECOND_ROUND = Settings(method="consensus", block_rule="second_round")
FALLBACK = Settings(method="consensus", block_rule="fallback", fallback=Fraction(3, 4))
AGREE = {"position": "agree"}
BLOCK = {"position": "block", "reason": "It splits the branch."}


@pytest.fixture
def convener(session):
    return make_member("Outcome Convener", role=MemberRole.CONVENER)


@pytest.fixture
def voters(session):
    return [make_member() for _ in range(5)]


def close_with(convener, vote, voters, contents):
    for member, content in zip(voters, contents, strict=False):
        voting.cast_ballot(member, vote, content)
    voting.close_vote(convener, vote)
    return services.record_of_vote(vote.id)


def version_of(draft, number):
    return db.session.scalar(
        select(DraftVersion).where(DraftVersion.draft_id == draft.id, DraftVersion.number == number)
    )


def sealed_link(convener, record):
    services.seal_record(convener, write(convener, record))
    link = db.session.scalar(select(ArchiveLink).where(ArchiveLink.record_id == record.id))
    content = ledger.content_of(link)
    assert link.content_hash == chain.content_hash(content)
    return content


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- questions and elections ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choices", "adopted", "summary"),
    [
        (["yes", "yes", "no"], True, "Adopted by 2 to 1."),
        (["no", "no", "yes"], False, "Rejected: 1 for, 2 against."),
    ],
)
def test_a_majority_question_records_whether_it_passed(convener, voters, choices, adopted, summary):
    vote = voting.create_vote(convener, title="Strike fund?", settings=MAJORITY)
    record = close_with(convener, vote, voters, [{"choice": c} for c in choices])
    assert record.adopted is adopted
    assert record.outcome_summary == summary
    assert record.version_id is None


@pytest.mark.parametrize(
    ("settings", "contents", "adopted", "summary"),
    [
        (BLOCK_FAILS, [AGREE] * 3, True, "Consensus: adopted."),
        (
            FALLBACK,
            [AGREE] * 3 + [BLOCK],
            True,
            "Blocked, then adopted by the fallback supermajority.",
        ),
        (FALLBACK, [AGREE] * 2 + [BLOCK], False, "Not adopted: no consensus."),
        (BLOCK_FAILS, [AGREE] * 3 + [BLOCK], False, "Not adopted: no consensus."),
    ],
)
def test_a_consensus_question_records_how_it_was_decided(
    convener, voters, settings, contents, adopted, summary
):
    vote = voting.create_vote(convener, title="Join the coalition?", settings=settings)
    record = close_with(convener, vote, voters, contents)
    assert record.adopted is adopted
    assert record.outcome_summary == summary


def test_a_consensus_sent_to_a_second_round_makes_no_record(convener, voters):
    vote = voting.create_vote(convener, title="Join the coalition?", settings=SECOND_ROUND)
    assert close_with(convener, vote, voters, [AGREE, AGREE, BLOCK]) is None
    assert db.session.scalar(select(DecisionRecord.id)) is None


def test_a_ranked_question_records_its_winner_without_claiming_an_adoption(convener, voters):
    vote = voting.create_vote(
        convener,
        title="Where do we meet?",
        settings=Settings(method="irv"),
        options=[voting.OptionSpec("Library"), voting.OptionSpec("Union hall")],
    )
    record = close_with(
        convener, vote, voters, [{"ranking": ["Union hall"]}] * 3 + [{"ranking": ["Library"]}]
    )
    assert record.adopted is None
    assert record.outcome_summary == "“Union hall” wins."


def test_an_election_records_who_was_elected(convener, voters):
    vote = voting.create_vote(
        convener,
        title="Committee",
        settings=Settings(method="stv", seats=2, stv_variant="stv"),
        options=[voting.OptionSpec(name) for name in ("Ana", "Chloé", "Dmitri")],
        purpose="election",
    )
    record = close_with(
        convener,
        vote,
        voters,
        [{"ranking": ["Ana", "Chloé"]}] * 3 + [{"ranking": ["Chloé"]}] * 2,
    )
    assert record.adopted is None
    assert record.kind == "election"
    assert record.outcome_summary == "Elected: “Ana”, “Chloé”."


# --- a draft's adoption -----------------------------------------------------------------------


def draft_at_adoption(convener, **kwargs):
    draft = make_draft(convener, **kwargs)
    drafts.close_amendment_window(convener, draft)
    return draft


@pytest.mark.parametrize(
    ("settings", "contents", "adopted", "summary"),
    [
        (MAJORITY, [{"choice": "yes"}] * 2 + [{"choice": "no"}], True, "Adopted by 2 to 1."),
        (MAJORITY, [{"choice": "no"}] * 2 + [{"choice": "yes"}], False, None),
        (BLOCK_FAILS, [AGREE] * 3, True, "Consensus: adopted."),
        (FALLBACK, [AGREE] * 3 + [BLOCK], True, None),
        (FALLBACK, [AGREE] * 2 + [BLOCK], False, None),
        (BLOCK_FAILS, [AGREE, BLOCK], False, "Not adopted: no consensus."),
    ],
)
def test_an_adoption_by_majority_or_consensus_records_the_text_it_adopted(
    convener, voters, settings, contents, adopted, summary
):
    draft = draft_at_adoption(convener)
    vote = put_draft_to_adoption(convener, draft, settings)
    record = close_with(convener, vote, voters, contents)
    db.session.refresh(draft)
    assert draft.state == (DraftState.ADOPTED if adopted else DraftState.REJECTED)
    assert record.adopted is adopted
    assert record.draft_id == draft.id
    if summary is not None:
        assert record.outcome_summary == summary
    if adopted:
        assert record.version_id == version_of(draft, 1).id
    else:
        assert record.version_id is None


def test_an_adoption_sent_to_a_second_round_returns_to_debate_without_a_record(convener, voters):
    draft = draft_at_adoption(convener)
    vote = put_draft_to_adoption(convener, draft, SECOND_ROUND)
    assert close_with(convener, vote, voters, [AGREE, BLOCK]) is None
    db.session.refresh(draft)
    assert draft.state == DraftState.DEBATE


def ranked_adoption(convener, voters, *, substitute_wins, quorum_percent=0, ballots=4):
    draft = make_draft(convener)
    substitute = propose(
        make_member(),
        draft,
        kind="substitute",
        first=None,
        last=None,
        new_text="Our whole other text.",
        title="The tenants' text",
    )
    table(substitute)
    drafts.close_amendment_window(convener, draft)
    vote = put_draft_to_adoption(
        convener, draft, Settings(method="irv", quorum_percent=quorum_percent)
    )
    as_it_stands, other = (o.label for o in voting.load_options(vote))
    first, second = (other, as_it_stands) if substitute_wins else (as_it_stands, other)
    contents = [{"ranking": [first]}] * 3 + [{"ranking": [second]}]
    record = close_with(convener, vote, voters, contents[:ballots])
    db.session.refresh(draft)
    db.session.refresh(substitute)
    return draft, substitute, record


def test_a_ranked_adoption_won_by_the_text_as_it_stands_records_that_text(convener, voters):
    draft, substitute, record = ranked_adoption(convener, voters, substitute_wins=False)
    assert draft.state == DraftState.ADOPTED
    assert substitute.state == AmendmentState.REJECTED
    assert record.adopted is True
    assert record.version_id == version_of(draft, 1).id
    assert "as it stands" in record.outcome_summary
    assert "Adopted" in record.outcome_summary
    content = sealed_link(convener, record)
    assert content["adopted"] is True
    assert content["adopted_text"] == {
        "draft": draft.id,
        "version": 1,
        "sha256": sha256(version_of(draft, 1).body),
    }


def test_a_ranked_adoption_won_by_a_substitute_records_the_merged_version(convener, voters):
    draft, substitute, record = ranked_adoption(convener, voters, substitute_wins=True)
    assert draft.state == DraftState.ADOPTED
    assert substitute.state == AmendmentState.MERGED
    assert draft.current_version_number == 2
    adopted = version_of(draft, 2)
    assert "Our whole other text." in adopted.body
    assert record.adopted is True
    assert record.version_id == adopted.id
    assert f"{substitute.label}" in record.outcome_summary
    assert "version 2" in record.outcome_summary
    content = sealed_link(convener, record)
    assert content["adopted_text"] == {
        "draft": draft.id,
        "version": 2,
        "sha256": sha256(adopted.body),
    }


def test_a_ranked_adoption_without_quorum_returns_to_debate_without_a_record(convener, voters):
    draft, substitute, record = ranked_adoption(
        convener, voters, substitute_wins=True, quorum_percent=90, ballots=1
    )
    assert record is None
    assert draft.state == DraftState.DEBATE
    assert substitute.state == AmendmentState.TABLED
    assert draft.current_version_number == 1
