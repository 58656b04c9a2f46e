"""Secret ballots in storage: after close, nothing the database holds pairs a ballot with its
voter (row identity, key order, physical order, stored tendency), and the count is unchanged.

Each ballot is cast in its own transaction (a commit releases a SAVEPOINT of the test's outer
transaction; on PostgreSQL the rows a savepoint writes carry its own transaction id in `xmin`),
as each would be in its own request.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from deliberate.accounts.models import MemberRole
from deliberate.errors import ValidationError
from deliberate.extensions import db
from deliberate.voting import services
from deliberate.voting.models import Ballot, Participation
from deliberate.voting.rules import Settings
from tests.factories import make_member, make_tendency

VOTERS = 14  # 14! orders: a shuffle that keeps the cast order is a one-in-87-billion chance
MAJORITY = Settings(method="majority", threshold="simple")


@pytest.fixture
def convener(session):
    return make_member("Secrecy Convener", role=MemberRole.CONVENER)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _cast_each_in_its_own_transaction(vote, voters, choices):
    """Cast, committing after each ballot; the receipt hashes in the order cast."""
    hashes = []
    for voter, choice in zip(voters, choices, strict=True):
        receipt = services.cast_ballot(voter, vote, {"choice": choice})
        db.session.commit()
        hashes.append(services.receipt_hash(vote.id, receipt.code))
    return hashes


def _ballot_rows(vote):
    return db.session.execute(
        select(Ballot.id, Ballot.receipt_hash).where(Ballot.vote_id == vote.id)
    ).all()


def test_after_close_no_row_identity_pairs_a_ballot_with_its_voter(convener):
    voters = [make_member() for _ in range(VOTERS)]
    vote = services.create_vote(convener, title="Strike fund?", settings=MAJORITY)
    db.session.commit()
    choices = ["yes" if i % 3 else "no" for i in range(VOTERS)]
    cast_order = _cast_each_in_its_own_transaction(vote, voters, choices)
    ids_before = {row.id for row in _ballot_rows(vote)}

    services.close_vote(convener, vote)
    db.session.commit()

    after = _ballot_rows(vote)
    assert len(after) == VOTERS
    assert sorted(row.receipt_hash for row in after) == sorted(cast_order)
    assert not ids_before & {row.id for row in after}, "a ballot kept its key through close"
    yes = choices.count("yes")
    assert vote.result["count"]["counts"] == {"yes": yes, "no": VOTERS - yes, "abstain": 0}
    if _dialect() == "sqlite":
        # No implicit rowid: the insertion order of ballots is not kept anywhere.
        with pytest.raises(DatabaseError, match="rowid"):
            db.session.execute(text("SELECT rowid FROM ballots"))
        db.session.rollback()
        key_order = db.session.scalars(
            select(Ballot.receipt_hash).where(Ballot.vote_id == vote.id).order_by(Ballot.id)
        ).all()
        assert key_order != cast_order
    else:
        ballot_xmins = set(
            db.session.scalars(
                text("SELECT xmin::text FROM ballots WHERE vote_id = :v"), {"v": vote.id}
            )
        )
        participation_xmins = set(
            db.session.scalars(
                text("SELECT xmin::text FROM vote_participations WHERE vote_id = :v"),
                {"v": vote.id},
            )
        )
        assert len(participation_xmins) == VOTERS  # the probe can tell casts apart
        assert not ballot_xmins & participation_xmins
        physical_order = db.session.scalars(
            text("SELECT receipt_hash FROM ballots WHERE vote_id = :v ORDER BY ctid"),
            {"v": vote.id},
        ).all()
        assert physical_order != cast_order


def test_before_close_the_probe_sees_the_link_that_close_removes(convener):
    """The probe above is not blind: while the vote is open it finds what close erases."""
    voters = [make_member() for _ in range(4)]
    vote = services.create_vote(convener, title="Open question", settings=MAJORITY)
    db.session.commit()
    cast_order = _cast_each_in_its_own_transaction(vote, voters, ["yes"] * 4)
    if _dialect() == "sqlite":
        with pytest.raises(DatabaseError, match="rowid"):
            db.session.execute(text("SELECT rowid FROM ballots"))
        db.session.rollback()
        return
    linked = db.session.execute(
        text(
            "SELECT count(*) FROM ballots b JOIN vote_participations p"
            " ON b.xmin = p.xmin WHERE b.vote_id = :v AND p.vote_id = :v"
        ),
        {"v": vote.id},
    ).scalar_one()
    assert linked == len(cast_order)


def test_the_rewrite_keeps_every_column_of_a_ballot(convener):
    voters = [make_member() for _ in range(3)]
    vote = services.create_vote(
        convener,
        title="Which park?",
        settings=Settings(method="irv"),
        options=[services.OptionSpec(name) for name in ("North", "South", "East")],
    )
    for voter, ranking in zip(voters, [["North"], ["South", "East"], ["East"]], strict=True):
        services.cast_ballot(voter, vote, {"ranking": ranking})
    columns = [c for c in Ballot.__table__.columns if c.name != "id"]
    before = sorted(db.session.execute(select(*columns).where(Ballot.vote_id == vote.id)).all())
    services.close_vote(convener, vote)
    after = sorted(db.session.execute(select(*columns).where(Ballot.vote_id == vote.id)).all())
    assert after == before


def test_the_rewrite_keeps_reasons_with_tabs_newlines_and_backslashes(convener):
    voters = [make_member() for _ in range(2)]
    vote = services.create_vote(
        convener,
        title="Consensus",
        settings=Settings(method="consensus", block_rule="no_decision"),
    )
    reasons = ["a\tb \\N c\nd\re \\.", "plain"]
    for voter, reason in zip(voters, reasons, strict=True):
        services.cast_ballot(voter, vote, {"position": "stand_aside", "reason": reason})
    services.close_vote(convener, vote)
    stored = db.session.scalars(select(Ballot.content).where(Ballot.vote_id == vote.id)).all()
    assert sorted(json.loads(c)["reason"] for c in stored) == sorted(reasons)


def test_a_roll_call_vote_keeps_its_ballots_as_cast(convener):
    voters = [make_member() for _ in range(3)]
    vote = services.create_vote(
        convener, title="Roll call", settings=Settings(**{**MAJORITY.__dict__, "secret": False})
    )
    for voter in voters:
        services.cast_ballot(voter, vote, {"choice": "yes"})
    ids = {row.id for row in _ballot_rows(vote)}
    services.close_vote(convener, vote)
    assert {row.id for row in _ballot_rows(vote)} == ids


def _members(tendency, n):
    return [make_member(tendency=tendency) for _ in range(n)]


def _stored_tendencies(vote):
    return sorted(
        (t or 0)
        for t in db.session.scalars(select(Ballot.tendency_id).where(Ballot.vote_id == vote.id))
    )


def test_close_erases_the_tendency_of_groups_below_the_minimum(convener):
    big, other, small = make_tendency("Big"), make_tendency("Other"), make_tendency("Small")
    members = _members(big, 10) + _members(other, 10) + _members(small, 1)
    members += _members(None, 10)
    vote = services.create_vote(
        convener,
        title="Rent strike?",
        settings=Settings(**{**MAJORITY.__dict__, "breakdown_by_tendency": True}),
    )
    for member in members:
        services.cast_ballot(member, vote, {"choice": "yes"})
    # While open, the single voter of Small is stored with her tendency.
    assert small.id in _stored_tendencies(vote)
    result = services.close_vote(convener, vote).result
    assert [(g["tendency"], g["voters"]) for g in result["by_tendency"]] == [
        ("Big", 10),
        ("Other", 10),
        ("others", 11),
    ]
    assert _stored_tendencies(vote) == [0] * 11 + [big.id] * 10 + [other.id] * 10
    assert services.recount(vote)["by_tendency"] == result["by_tendency"]


def test_close_erases_every_tendency_when_no_breakdown_is_published(convener):
    big, small = make_tendency("Big"), make_tendency("Small")
    members = _members(big, 10) + _members(small, 1)
    vote = services.create_vote(
        convener,
        title="Rent strike?",
        settings=Settings(**{**MAJORITY.__dict__, "breakdown_by_tendency": True}),
    )
    for member in members:
        services.cast_ballot(member, vote, {"choice": "no"})
    result = services.close_vote(convener, vote).result
    assert result["by_tendency"] == []
    assert "10 voters" in result["by_tendency_withheld"]
    assert _stored_tendencies(vote) == [0] * 11
    again = services.recount(vote)
    assert again["by_tendency"] == []
    assert again["by_tendency_withheld"] == result["by_tendency_withheld"]


def test_replacing_needs_the_code_and_the_member_who_cast_it(convener):
    ana, bea = make_member("Ana Voter"), make_member("Bea Voter")
    vote = services.create_vote(convener, title="Replaceable", settings=MAJORITY)
    code = services.cast_ballot(ana, vote, {"choice": "yes"}).code
    services.cast_ballot(bea, vote, {"choice": "no"})
    contents_before = sorted(
        db.session.scalars(select(Ballot.content).where(Ballot.vote_id == vote.id))
    )
    with pytest.raises(ValidationError, match="does not match a ballot you cast"):
        services.cast_ballot(bea, vote, {"choice": "abstain"}, receipt=code)
    assert (
        sorted(db.session.scalars(select(Ballot.content).where(Ballot.vote_id == vote.id)))
        == contents_before
    )
    assert services.cast_ballot(ana, vote, {"choice": "no"}, receipt=code).replaced
    stored = db.session.get(Participation, (vote.id, ana.id))
    # The participation keeps a hash that names the member and the code, never the ballot's.
    assert stored.replace_hash == services.replace_hash(vote.id, ana.id, code)
    assert stored.replace_hash not in set(
        db.session.scalars(select(Ballot.receipt_hash).where(Ballot.vote_id == vote.id))
    )
