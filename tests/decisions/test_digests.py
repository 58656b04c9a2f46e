"""The digests a closed vote's link holds are one definition, whichever engine computes them:
PostgreSQL hashes the ballots itself, the application does elsewhere, and both give the same
hex digest for the same rows, however their text is written."""

from __future__ import annotations

import json
import secrets

import pytest
from sqlalchemy import insert

from deliberate.accounts.models import MemberRole
from deliberate.decisions import ledger
from deliberate.extensions import db
from deliberate.voting import services
from deliberate.voting.models import Ballot, BallotSource
from deliberate.voting.rules import Settings
from tests.factories import make_member

# Text a JSON writer might write in more than one way: quotes, backslashes, every control
# character JSON escapes, characters beyond ASCII and beyond the BMP, the line separators.
AWKWARD = [
    'He said "no"',
    "back\\slash and /slash",
    "".join(chr(c) for c in range(1, 32)),
    "Ünïcödé – 中文 – 🗳️",
    "\u2028\u2029\u007f\u0080\u009f",
    "",
]


@pytest.fixture
def vote(session):
    convener = make_member("Digest Convener", role=MemberRole.CONVENER)
    return services.create_vote(
        convener, title="Digest", settings=Settings(method="majority", threshold="simple")
    )


def _stored(vote, contents):
    for index, content in enumerate(contents):
        db.session.execute(
            insert(Ballot).values(
                id=secrets.token_hex(16),
                vote_id=vote.id,
                receipt_hash=secrets.token_hex(32) if index % 2 else None,
                source=BallotSource.ONLINE if index % 2 else BallotSource.PAPER,
                weight=1 if index % 2 else index + 1,
                content=content,
            )
        )
    db.session.flush()


def test_both_ways_of_hashing_the_ballots_agree(vote):
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("the database computes its own digest on PostgreSQL only")
    _stored(vote, [json.dumps({"reason": text}, ensure_ascii=False) for text in AWKWARD])
    _stored(vote, AWKWARD)  # and raw text, which no ballot holds but a tampered row might
    columns = sorted(Ballot.__table__.columns, key=lambda column: column.name)
    header = json.dumps([column.name for column in columns])
    here = ledger.rows_digest_here(columns, vote.id, header)
    assert ledger.ballot_rows_digest(vote.id) == here


def test_a_vote_without_ballots_has_the_digest_of_its_header(vote):
    columns = sorted(Ballot.__table__.columns, key=lambda column: column.name)
    header = json.dumps([column.name for column in columns])
    assert ledger.ballot_rows_digest(vote.id) == ledger.rows_digest_here(columns, vote.id, header)
    assert ledger.receipts_digest(vote.id) == ledger._sha256("")


def test_the_receipts_digest_is_the_sorted_hashes_one_a_line(vote):
    _stored(vote, ["{}"] * 7)
    hashes = sorted(h for h in db.session.scalars(db.select(Ballot.receipt_hash)) if h is not None)
    assert len(hashes) == 3
    assert ledger.receipts_digest(vote.id) == ledger._sha256("\n".join(hashes))
