"""Decision records under load: conveners sealing at once, a crowd recording commitments at
once. Every worker is a transaction of its own, really committed (the `committed` fixture wipes
the tables afterwards), on SQLite by default and on PostgreSQL with DELIBERATE_TEST_DB."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from deliberate.accounts.models import Member, MemberRole
from deliberate.audit.models import AuditEntry
from deliberate.decisions import services
from deliberate.decisions.models import (
    ArchiveLink,
    Commitment,
    CommitmentEntry,
    DecisionRecord,
    LinkKind,
)
from deliberate.decisions.verify import verify_archive
from deliberate.errors import InvalidTransition
from deliberate.extensions import db
from tests.concurrency import run_concurrently, run_in_pool
from tests.decisions.factories import decided_record, write
from tests.factories import make_member, make_tendency

CROWD = 200
TWICE_EVERY = 10  # one member in ten sends a second entry at the same moment
WORKERS = 24
SEALERS = 6


def settle() -> None:
    """Commit the test's own work and let go of its connection (see tests/voting)."""
    db.session.commit()
    db.session.remove()


def written_record(conveners: int, members: int) -> tuple[int, list[int], list[int]]:
    """A decided record with its statements written, not sealed; conveners and members in
    two tendencies and none; committed. Returns the ids."""
    chairs = [make_member(f"Convener {i}", role=MemberRole.CONVENER) for i in range(conveners)]
    tendencies = [make_tendency("Lighthouse"), make_tendency("Breakwater")]
    crowd = [make_member(tendency=([*tendencies, None])[i % 3]) for i in range(members)]
    record = write(chairs[0], decided_record(chairs[0], crowd[:5]))
    ids = record.id, [c.id for c in chairs], [m.id for m in crowd]
    settle()
    return ids


def seal(convener_id: int, record_id: int) -> Callable[[], bool]:
    def work() -> bool:
        convener = db.session.get_one(Member, convener_id)
        return services.seal_record(convener, db.session.get_one(DecisionRecord, record_id))

    return work


def commit_to(member_id: int, record_id: int, reasons: str | None) -> Callable[[], Any]:
    def work() -> Any:
        member = db.session.get_one(Member, member_id)
        record = db.session.get_one(DecisionRecord, record_id)
        return services.record_commitment(member, record, commits=True, disagreement=reasons)

    return work


def held(record_id: int) -> dict[str, Any]:
    """What the database holds of the record, read afresh (and the connection let go)."""
    links = Counter(
        db.session.scalars(select(ArchiveLink.kind).where(ArchiveLink.record_id == record_id))
    )
    state = {
        "sealed": db.session.get_one(DecisionRecord, record_id).is_sealed,
        "links": links,
        "seals": db.session.scalar(
            select(func.count()).where(
                AuditEntry.action == "decision.seal", AuditEntry.object_id == record_id
            )
        ),
        "current": Counter(
            db.session.scalars(
                select(Commitment.member_id).where(Commitment.record_id == record_id)
            )
        ),
        "entries": Counter(
            db.session.scalars(
                select(CommitmentEntry.member_id).where(CommitmentEntry.record_id == record_id)
            )
        ),
        "verified": verify_archive(),
    }
    settle()
    return state


def test_conveners_sealing_at_once_make_one_seal(app, committed):
    record_id, convener_ids, _ = written_record(SEALERS, 5)

    results = run_concurrently(app, [seal(c, record_id) for c in convener_ids])

    assert all(isinstance(r, bool) for r in results), results
    assert results.count(True) == 1
    after = held(record_id)
    assert after["sealed"]
    assert after["links"] == Counter({LinkKind.RECORD: 1})
    assert after["seals"] == 1
    assert after["verified"].holds, after["verified"].mismatch


def test_a_crowd_recording_commitments_at_once_all_land_one_entry_each(app, committed):
    record_id, convener_ids, member_ids = written_record(1, CROWD)
    assert run_concurrently(app, [seal(convener_ids[0], record_id)]) == [True]
    works, senders = [], []
    for index, member_id in enumerate(member_ids):
        works.append(commit_to(member_id, record_id, None))
        senders.append(member_id)
        if index % TWICE_EVERY == 0:
            # A second entry, with a registered disagreement, sent right beside the first.
            works.append(commit_to(member_id, record_id, f"Reasons of member {member_id}."))
            senders.append(member_id)

    results = run_in_pool(app, works, WORKERS)

    unexpected = [r for r in results if not isinstance(r, Commitment | InvalidTransition)]
    assert unexpected == []
    landed = Counter(s for s, r in zip(senders, results, strict=True) if isinstance(r, Commitment))
    refused = [r for r in results if isinstance(r, InvalidTransition)]
    assert all("meanwhile" in r.message for r in refused)
    assert set(landed) == set(member_ids), "every member's entry landed"
    after = held(record_id)
    assert after["current"] == Counter(member_ids), "one current entry each"
    assert after["entries"] == landed, "every accepted entry is kept, and only those"
    assert after["links"] == Counter(
        {LinkKind.RECORD: 1, LinkKind.COMMITMENT: sum(landed.values())}
    )
    assert after["verified"].holds, after["verified"].mismatch
