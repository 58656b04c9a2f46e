"""Checking the archive: every link of the chain against what is stored now, every closed
vote's stored result against a recount of its stored ballots, and everything shown that is
derived from what is chained (a record's statements, a report's or an evaluation's HTML, each
member's current entry) against its source. Whatever is found changed, the check names the
first vote or record that does not hold and says why; it never stops on an error of its own."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from deliberate.audit.services import record_action
from deliberate.decisions import chain, ledger
from deliberate.decisions.models import (
    ArchiveLink,
    Commitment,
    CommitmentEntry,
    DecisionRecord,
    Evaluation,
    LinkKind,
    MinorityReport,
    RecordState,
)
from deliberate.extensions import db
from deliberate.markup import render_markdown
from deliberate.papers.models import PaperRevision
from deliberate.voting.models import Vote
from deliberate.voting.services import recount
from deliberate.voting.vocabulary import VoteState

# The parts of a result document that follow from the ballots and the roll alone.
RECOUNTED = ("participation", "count", "outcome")
# The summary the votes list shows is the result's, cut to its column.
SUMMARY_LENGTH = 200


@dataclass(frozen=True)
class Mismatch:
    """The first thing that does not hold: a record (`record_id`), or a vote that made none."""

    record_id: int | None
    title: str
    reason: str
    vote_id: int | None = None

    def __str__(self) -> str:
        if self.record_id is not None:
            return f"decision record {self.record_id} “{self.title}”: {self.reason}"
        if self.vote_id is not None:
            return f"vote {self.vote_id} “{self.title}”: {self.reason}"
        return self.reason


@dataclass(frozen=True)
class Report:
    links: int
    votes: int
    records: int
    head: str
    mismatch: Mismatch | None

    @property
    def holds(self) -> bool:
        return self.mismatch is None


def _error(error: Exception) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}"[:200] if text else type(error).__name__


def _record_mismatch(record_id: int, reason: str) -> Mismatch:
    title = db.session.scalar(select(DecisionRecord.title).where(DecisionRecord.id == record_id))
    return Mismatch(record_id, title if title is not None else "(missing)", reason)


def _vote_mismatch(vote_id: int, reason: str) -> Mismatch:
    """A vote's problem, named by the record it made if it made one."""
    record = db.session.execute(
        select(DecisionRecord.id, DecisionRecord.title).where(DecisionRecord.vote_id == vote_id)
    ).first()
    if record is not None:
        return Mismatch(record.id, record.title, f"its vote {vote_id}: {reason}", vote_id)
    title = db.session.scalar(select(Vote.title).where(Vote.id == vote_id))
    return Mismatch(None, title if title is not None else "(missing)", reason, vote_id)


# --- the chain --------------------------------------------------------------------------------

BATCH = 1000
# Links and commitment entries are read as plain rows: a long chain is millions of them, and
# building an ORM object for each would cost more than checking it.
_LINK = (
    ArchiveLink.position,
    ArchiveLink.kind,
    ArchiveLink.format,
    ArchiveLink.record_id,
    ArchiveLink.vote_id,
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

Content = Mapping[str, Any] | chain.Unreadable | None


@dataclass(frozen=True)
class _Keys:
    member_key: bytes
    votes_chained_after: int


def _keys() -> _Keys:
    secret = ledger.archive_secret()
    if secret is None:
        return _Keys(b"", 0)
    try:
        return _Keys(bytes.fromhex(secret.member_key), secret.votes_chained_after)
    except ValueError:  # not hex any more: no reference made with it will match
        return _Keys(b"", secret.votes_chained_after)


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


def _built(build: Callable[[Any], Any], row: Any) -> Content:
    if row is None:
        return None
    try:
        return build(row)
    except Exception as error:  # a tampered row may not even read: say so, do not stop
        return chain.Unreadable(_error(error))


def _contents(rows: list[Row[Any]], keys: _Keys) -> list[Content]:
    """What each link of a batch vouches for, as stored now. Commitment entries, nearly every
    link of a long chain, are read in one query per batch rather than one per link."""
    ids = [r.entry_id for r in rows if r.kind == LinkKind.COMMITMENT and r.entry_id is not None]
    entries: dict[int, Any] = {}
    if ids:
        found = db.session.execute(select(*_ENTRY).where(CommitmentEntry.id.in_(ids)))
        entries = {entry.id: entry for entry in found}
    contents: list[Content] = []
    for row in rows:
        try:
            build = ledger.builder(row.kind, row.format, keys.member_key, keys.votes_chained_after)
        except ledger.UnknownFormat as error:
            contents.append(chain.Unreadable(str(error)))
            continue
        if row.kind == LinkKind.COMMITMENT:
            entry = entries.get(row.entry_id) if row.entry_id is not None else None
            contents.append(_built(build, entry))
            continue
        try:
            stored = ledger.row_of(row.kind, row.record_id, row.vote_id, row.entry_id)
        except Exception as error:
            contents.append(chain.Unreadable(_error(error)))
            continue
        contents.append(_built(build, stored))
    return contents


def check_chain() -> tuple[int, str, Mismatch | None]:
    """(links checked, head hash, first mismatch or None)."""
    count = 0
    last: Row[Any] | None = None
    keys = _keys()

    def pairs() -> Iterator[tuple[chain.Link, Content]]:
        nonlocal count, last
        for rows in _link_batches():
            for row, content in zip(rows, _contents(rows, keys), strict=True):
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
    if last.record_id is not None:
        return count, last.hash, _record_mismatch(last.record_id, reason)
    if last.vote_id is not None:
        return count, last.hash, _vote_mismatch(last.vote_id, reason)
    return count, last.hash, Mismatch(None, "", reason)


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


def _unchained_vote() -> Mismatch | None:
    """A closed vote the chain does not vouch for (besides those an upgraded archive closed
    before votes were chained)."""
    after = _keys().votes_chained_after
    linked = select(ArchiveLink.vote_id).where(
        ArchiveLink.kind == LinkKind.VOTE, ArchiveLink.vote_id.is_not(None)
    )
    vote_id = db.session.scalar(
        select(Vote.id)
        .where(Vote.state == VoteState.CLOSED, Vote.id > after, Vote.id.not_in(linked))
        .order_by(Vote.id)
        .limit(1)
    )
    if vote_id is None:
        return None
    return _vote_mismatch(vote_id, "it is closed but the chain has no link for it")


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
            return _record_mismatch(record_id, reason)
    return None


# --- every closed vote, recounted ---------------------------------------------------------------


def _check_vote(vote: Vote) -> str | None:
    """Why the closed vote's stored result or shown summary does not hold, or None."""
    try:
        stored = json.loads(vote.result_json or "")
    except ValueError:
        return "its stored result is not a JSON document"
    if not isinstance(stored, dict):
        return "its stored result is not a result document"
    summary = (stored.get("outcome") or {}).get("summary")
    if not isinstance(summary, str) or vote.outcome != summary[:SUMMARY_LENGTH]:
        return "the summary the votes list shows differs from its stored result"
    try:
        again = recount(vote)
    except Exception as error:  # a ballot or an option changed so that it no longer counts
        return f"its stored ballots cannot be counted again ({_error(error)})"
    for part in RECOUNTED:
        if stored.get(part) != again.get(part):
            return f"its stored {part} differs from a recount of the stored ballots"
    return None


def check_votes() -> tuple[int, Mismatch | None]:
    """Recount every closed vote from its stored ballots; the first whose stored result, or
    the summary shown of it, differs."""
    count = 0
    after = 0
    while True:
        votes = list(
            db.session.scalars(
                select(Vote)
                .where(Vote.state == VoteState.CLOSED, Vote.id > after)
                .order_by(Vote.id)
                .limit(200)
            )
        )
        if not votes:
            return count, None
        for vote in votes:
            count += 1
            reason = _check_vote(vote)
            if reason is not None:
                return count, _vote_mismatch(vote.id, reason)
        after = votes[-1].id
        db.session.expunge_all()


# --- what is shown, against what is chained -------------------------------------------------


def check_current_entries() -> Mismatch | None:
    """Each member's current entry on a record (what the record page shows and counts) is
    their latest chained entry: same revision, commitment, disagreement, tendency and time,
    and no current entry is missing."""
    entry = aliased(CommitmentEntry)
    later = aliased(CommitmentEntry)
    changed = db.session.execute(
        select(Commitment.record_id, Commitment.member_id)
        .outerjoin(
            entry,
            and_(
                entry.record_id == Commitment.record_id,
                entry.member_id == Commitment.member_id,
                entry.revision == Commitment.revision,
            ),
        )
        .where(
            or_(
                entry.id.is_(None),
                entry.commits != Commitment.commits,
                entry.disagreement_markdown.is_distinct_from(Commitment.disagreement_markdown),
                entry.disagreement_html.is_distinct_from(Commitment.disagreement_html),
                entry.tendency_id.is_distinct_from(Commitment.tendency_id),
                entry.recorded_at != Commitment.recorded_at,
                exists().where(
                    later.record_id == Commitment.record_id,
                    later.member_id == Commitment.member_id,
                    later.revision > Commitment.revision,
                ),
            )
        )
        .order_by(Commitment.record_id, Commitment.member_id)
        .limit(1)
    ).first()
    if changed is not None:
        return _record_mismatch(
            changed.record_id,
            f"member entry shown as current ({_member_ref(changed)}) is not the chain's latest "
            "entry of that member",
        )
    # Every member with chained entries has a current one: each has exactly one first entry.
    currents = db.session.scalar(select(func.count()).select_from(Commitment))
    firsts = db.session.scalar(
        select(func.count()).select_from(CommitmentEntry).where(CommitmentEntry.revision == 1)
    )
    if currents == firsts:
        return None
    missing = db.session.execute(
        select(CommitmentEntry.record_id, CommitmentEntry.member_id)
        .outerjoin(
            Commitment,
            and_(
                Commitment.record_id == CommitmentEntry.record_id,
                Commitment.member_id == CommitmentEntry.member_id,
            ),
        )
        .where(CommitmentEntry.revision == 1, Commitment.member_id.is_(None))
        .order_by(CommitmentEntry.record_id, CommitmentEntry.member_id)
        .limit(1)
    ).first()
    if missing is None:
        return None
    return _record_mismatch(
        missing.record_id,
        f"a member's current entry ({_member_ref(missing)}) is missing, though the chain "
        "holds their entries",
    )


def _member_ref(row: Any) -> str:
    """A member named in a report as the chain names them: by reference, not by id."""
    reference = ledger.member_ref(_keys().member_key, row.record_id, row.member_id) or ""
    return f"member reference {reference[:12]}…"


def _renders(markdown: str | None, shown: str | None) -> bool:
    if markdown is None:
        return shown is None
    try:
        return render_markdown(markdown) == shown
    except Exception:  # a tampered text the renderer refuses is not its rendering either
        return False


def _streamed(query: Any) -> Iterator[Row[Any]]:
    """The rows of `query`, fetched a thousand at a time (a server-side cursor where the
    database has one), so that memory stays flat however long the archive."""
    yield from db.session.execute(query.execution_options(yield_per=1000))


def check_renderings() -> Mismatch | None:
    """Every HTML the archive shows is the rendering of the Markdown the chain vouches for:
    sealed records' statements, current registered disagreements, attached minority reports'
    revisions and sealed evaluations."""
    records = select(
        DecisionRecord.id,
        DecisionRecord.outcome_markdown,
        DecisionRecord.outcome_html,
        DecisionRecord.unity_markdown,
        DecisionRecord.unity_html,
    ).where(DecisionRecord.state == RecordState.SEALED)
    for row in _streamed(records.order_by(DecisionRecord.id)):
        if not _renders(row.outcome_markdown, row.outcome_html):
            return _record_mismatch(row.id, "its outcome statement shown is not its text")
        if not _renders(row.unity_markdown, row.unity_html):
            return _record_mismatch(row.id, "its unity-in-action statement shown is not its text")
    dissents = select(
        Commitment.record_id,
        Commitment.member_id,
        Commitment.disagreement_markdown,
        Commitment.disagreement_html,
    ).where(Commitment.disagreement_markdown.is_not(None))
    for row in _streamed(dissents.order_by(Commitment.record_id, Commitment.member_id)):
        if not _renders(row.disagreement_markdown, row.disagreement_html):
            return _record_mismatch(
                row.record_id,
                f"the registered disagreement shown ({_member_ref(row)}) is not its text",
            )
    reports = (
        select(MinorityReport.id, MinorityReport.record_id, PaperRevision.body_markdown,
               PaperRevision.body_html)
        .join(
            PaperRevision,
            and_(
                PaperRevision.paper_id == MinorityReport.paper_id,
                PaperRevision.number == MinorityReport.paper_revision,
            ),
        )
    )  # fmt: skip
    for row in _streamed(reports.order_by(MinorityReport.id)):
        if not _renders(row.body_markdown, row.body_html):
            return _record_mismatch(
                row.record_id, f"minority report {row.id} shown is not its chained text"
            )
    evaluations = select(
        Evaluation.id,
        Evaluation.record_id,
        Evaluation.assessment_markdown,
        Evaluation.assessment_html,
    ).where(Evaluation.sealed_at.is_not(None))
    for row in _streamed(evaluations.order_by(Evaluation.id)):
        if not _renders(row.assessment_markdown, row.assessment_html):
            return _record_mismatch(row.record_id, "its evaluation shown is not its text")
    return None


def _count_records() -> int:
    return int(db.session.scalar(select(func.count()).select_from(DecisionRecord)) or 0)


def verify_archive() -> Report:
    """Check everything (see the module's docstring); the first thing that does not hold."""
    links, head, mismatch = check_chain()
    mismatch = mismatch or _unchained_vote() or _unchained_seal() or _unchained_addition()
    votes, vote_mismatch = check_votes()
    mismatch = mismatch or vote_mismatch
    mismatch = mismatch or check_current_entries() or check_renderings()
    return Report(links, votes, _count_records(), head, mismatch)


@dataclass(frozen=True)
class ArchiveVerification:
    """What the audit log names for a run of `verify-archive` (it has no row of its own)."""

    id: None = None


def log_run(report: Report | None, failure: str | None) -> None:
    """Write a verification run to the audit log: when (the entry's time), what was checked
    and the result (flushed, not committed)."""
    if report is None:
        summary = f"Verified the archive: it does not hold: {failure}"
        record_action(None, "archive.verify", ArchiveVerification(), summary, holds=False)
        return
    outcome = "it holds" if report.holds else f"it does not hold: {report.mismatch}"
    record_action(
        None,
        "archive.verify",
        ArchiveVerification(),
        f"Verified the archive: {outcome}",
        holds=report.holds,
        links=report.links,
        votes=report.votes,
        records=report.records,
        head=report.head,
        record_id=report.mismatch.record_id if report.mismatch else None,
        vote_id=report.mismatch.vote_id if report.mismatch else None,
    )
