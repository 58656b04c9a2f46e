"""Checking the archive: every link of the chain against what is stored now, and every
record's stored result against a recount of its stored ballots through the counting engine."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, and_, func, select

from deliberate.decisions import chain, ledger
from deliberate.decisions.models import (
    ArchiveLink,
    CommitmentEntry,
    DecisionRecord,
    Evaluation,
    LinkKind,
    MinorityReport,
    RecordState,
)
from deliberate.extensions import db
from deliberate.voting.models import Vote
from deliberate.voting.services import recount

# The parts of a result document that follow from the ballots and the roll alone.
RECOUNTED = ("participation", "count", "outcome")


@dataclass(frozen=True)
class Mismatch:
    record_id: int
    title: str
    reason: str

    def __str__(self) -> str:
        return f"decision record {self.record_id} “{self.title}”: {self.reason}"


@dataclass(frozen=True)
class Report:
    links: int
    records: int
    head: str
    mismatch: Mismatch | None

    @property
    def holds(self) -> bool:
        return self.mismatch is None


def _title(record_id: int) -> str:
    title = db.session.scalar(select(DecisionRecord.title).where(DecisionRecord.id == record_id))
    return title if title is not None else "(missing)"


BATCH = 1000
# Links and commitment entries are read as plain rows: a long chain is millions of them, and
# building an ORM object for each would cost more than checking it.
_LINK = (
    ArchiveLink.position,
    ArchiveLink.kind,
    ArchiveLink.record_id,
    ArchiveLink.entry_id,
    ArchiveLink.content_hash,
    ArchiveLink.previous_hash,
    ArchiveLink.hash,
)
_ENTRY = (
    CommitmentEntry.id,
    CommitmentEntry.record_id,
    CommitmentEntry.member_id,
    CommitmentEntry.revision,
    CommitmentEntry.commits,
    CommitmentEntry.disagreement_markdown,
    CommitmentEntry.tendency_id,
    CommitmentEntry.recorded_at,
)


def _link_batches() -> Iterator[list[Row[Any]]]:
    """Every link, oldest first, a batch at a time."""
    after = 0
    while True:
        rows = list(
            db.session.execute(
                select(*_LINK)
                .where(ArchiveLink.position > after)
                .order_by(ArchiveLink.position)
                .limit(BATCH)
            )
        )
        if not rows:
            return
        yield rows
        after = rows[-1].position


def _contents(rows: list[Row[Any]]) -> list[Mapping[str, Any] | None]:
    """What each link of a batch vouches for, as stored now. Commitment entries, nearly every
    link of a long chain, are read in one query per batch rather than one per link."""
    ids = [r.entry_id for r in rows if r.kind == LinkKind.COMMITMENT and r.entry_id is not None]
    entries: dict[int, Any] = {}
    if ids:
        found = db.session.execute(select(*_ENTRY).where(CommitmentEntry.id.in_(ids)))
        entries = {entry.id: entry for entry in found}
    contents: list[Mapping[str, Any] | None] = []
    for row in rows:
        if row.kind != LinkKind.COMMITMENT:
            link = ArchiveLink(kind=row.kind, record_id=row.record_id, entry_id=row.entry_id)
            contents.append(ledger.content_of(link))
            continue
        entry = entries.get(row.entry_id) if row.entry_id is not None else None
        contents.append(ledger.commitment_content(entry) if entry is not None else None)
    return contents


def check_chain() -> tuple[int, str, Mismatch | None]:
    """(links checked, head hash, first mismatch or None)."""
    count = 0
    last: Row[Any] | None = None

    def pairs() -> Iterator[tuple[chain.Link, Mapping[str, Any] | None]]:
        nonlocal count, last
        for rows in _link_batches():
            for row, content in zip(rows, _contents(rows), strict=True):
                count += 1
                last = row
                link = chain.Link(
                    row.position, row.kind, row.content_hash, row.previous_hash, row.hash
                )
                yield link, content
            db.session.expunge_all()  # the records and votes read for this batch

    problem = chain.check(pairs())
    if last is None:
        return 0, chain.GENESIS, None
    if problem is None:
        return count, last.hash, None
    reason = f"link {problem.position} ({last.kind}): {problem.reason}"
    return count, last.hash, Mismatch(last.record_id, _title(last.record_id), reason)


def _unchained_seal() -> Mismatch | None:
    """A record marked sealed that the chain does not vouch for."""
    linked = select(ArchiveLink.record_id).where(ArchiveLink.kind == LinkKind.RECORD)
    row = db.session.execute(
        select(DecisionRecord.id, DecisionRecord.title)
        .where(DecisionRecord.state == RecordState.SEALED, DecisionRecord.id.not_in(linked))
        .order_by(DecisionRecord.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    return Mismatch(row.id, row.title, "it is marked sealed but the chain has no seal for it")


def _unchained_addition() -> Mismatch | None:
    """A commitment entry, minority report or sealed evaluation the chain does not vouch for:
    the chain was cut short, or a row was added behind the application's back. Counted first,
    so that a chain of millions of links costs two counts per kind when all is well."""
    kinds: list[tuple[LinkKind, Any, Any]] = [
        (LinkKind.COMMITMENT, CommitmentEntry, None),
        (LinkKind.MINORITY_REPORT, MinorityReport, None),
        (LinkKind.EVALUATION, Evaluation, Evaluation.sealed_at.is_not(None)),
    ]
    for kind, model, condition in kinds:
        rows = select(func.count()).select_from(model)
        if condition is not None:
            rows = rows.where(condition)
        links = select(func.count()).where(ArchiveLink.kind == kind)
        if db.session.scalar(rows) == db.session.scalar(links):
            continue
        query = (
            select(model.record_id)
            .outerjoin(
                ArchiveLink, and_(ArchiveLink.kind == kind, ArchiveLink.entry_id == model.id)
            )
            .where(ArchiveLink.position.is_(None))
            .order_by(model.id)
            .limit(1)
        )
        if condition is not None:
            query = query.where(condition)
        record_id = db.session.scalar(query)
        if record_id is not None:
            reason = f"a {kind.replace('_', ' ')} added to it is not in the chain"
            return Mismatch(record_id, _title(record_id), reason)
    return None


def check_results() -> tuple[int, Mismatch | None]:
    """Recount every record's vote from its ballots; the first whose stored result differs."""
    count = 0
    after = 0
    while True:
        rows = db.session.execute(
            select(DecisionRecord.id, DecisionRecord.title, DecisionRecord.vote_id)
            .where(DecisionRecord.id > after)
            .order_by(DecisionRecord.id)
            .limit(200)
        ).all()
        if not rows:
            return count, None
        for record_id, title, vote_id in rows:
            count += 1
            vote = db.session.get_one(Vote, vote_id)
            stored = json.loads(vote.result_json or "{}")
            again = recount(vote)
            for part in RECOUNTED:
                if stored.get(part) != again.get(part):
                    return count, Mismatch(
                        record_id,
                        title,
                        f"its vote's stored {part} differs from a recount of the stored ballots",
                    )
        after = rows[-1].id
        db.session.expunge_all()


def verify_archive() -> Report:
    links, head, mismatch = check_chain()
    mismatch = mismatch or _unchained_seal() or _unchained_addition()
    records, result_mismatch = check_results()
    return Report(links, records, head, mismatch or result_mismatch)
