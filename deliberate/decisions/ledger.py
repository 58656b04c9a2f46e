"""The archive's chain as stored: the content each link vouches for, built from the rows, and
appending a link. `deliberate.decisions.chain` holds the pure rules; this module feeds them.

The content of each kind of link (canonical JSON, see `chain.canonical`), in the current
format (`CONTENT_FORMAT`, 2):

- vote: a closed vote, chained by the close itself (before its record is made): its
  question, purpose, subject, settings, options and lot, roll size, participation, the
  SHA-256 of its ballots as stored (every column of every row), of its receipts and of its
  stored result document, and the summary the votes list shows;
- record: the record's fields and statements, its vote's facts and the hash of the vote's
  link, and the adopted text's SHA-256;
- commitment: one entry of a member's (member reference, revision, commitment, disagreement
  text, and a reference of the tendency at the time, keyed like the member's and made for
  this entry alone, so that a tendency too small to hide its members names no one);
- minority_report: the tendency, the paper and the revision attached, with that revision's
  text's SHA-256;
- evaluation: the verdict, the assessment and each dissent's assessment.

Members appear only as references: an HMAC, under the archive's own random key
(`ArchiveSecret`), of the record and the member's id. A published reference cannot be turned
back into an id by hashing each small id in turn, and one member's references on two records
differ. Links of format 1, made before, hold plain member ids and no vote links; they are
rebuilt with the format-1 builders below, so an archive upgraded keeps verifying.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Text, func, literal, select, text
from sqlalchemy import cast as sa_cast
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.exc import IntegrityError

from deliberate.decisions import chain
from deliberate.decisions.models import (
    ArchiveLink,
    ArchiveSecret,
    CommitmentEntry,
    DecisionRecord,
    DissentAssessment,
    Evaluation,
    LinkKind,
    MinorityReport,
)
from deliberate.drafts.models import DraftVersion
from deliberate.extensions import db
from deliberate.papers.models import PaperRevision
from deliberate.voting.models import Ballot, Participation, Vote, VoteOption

CONTENT_FORMAT = 2
VOTE_SCHEMA = "deliberate.closed-vote/1"
RECORD_SCHEMA_1 = "deliberate.decision-record/1"
RECORD_SCHEMA = "deliberate.decision-record/2"


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def moment(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def _sha256(data: str) -> str:
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


# --- the archive's key and the references that stand for members -------------------------


def archive_secret(*, make: bool = False) -> ArchiveSecret | None:
    """The archive's key row; with `make`, drawn now if the archive has none yet (a new
    archive: every vote it will close is chained, so none closed before)."""
    row = db.session.get(ArchiveSecret, 1)
    if row is not None or not make:
        return row
    row = ArchiveSecret(id=1, member_key=secrets.token_hex(32), votes_chained_after=0)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # drawn meanwhile by a concurrent first append: use theirs
        return db.session.get_one(ArchiveSecret, 1, populate_existing=True)
    return row


def member_key(*, make: bool = True) -> bytes:
    """The key of members' references (empty when the archive has none: no reference made
    with it will match, so a deleted key is found by the first link naming a member)."""
    row = archive_secret(make=make)
    return bytes.fromhex(row.member_key) if row is not None else b""


def member_ref(key: bytes, record_id: int | None, member_id: int | None) -> str | None:
    """The reference standing for `member_id` in what the chain holds of `record_id`."""
    if member_id is None:
        return None
    message = f"deliberate-member/1\n{record_id}\n{member_id}".encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def tendency_ref(
    key: bytes, record_id: int, member_id: int, revision: int, tendency_id: int | None
) -> str:
    """The reference standing for the tendency of one entry: the tendency of a member whose
    tendency is small would name her, so the chain holds it only under the key, and for one
    entry (two entries of one tendency do not share a reference)."""
    message = f"deliberate-tendency/1\n{record_id}\n{member_id}\n{revision}\n{tendency_id}"
    return hmac.new(key, message.encode("ascii"), hashlib.sha256).hexdigest()


# --- closed votes --------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    """A stored value JSON cannot write itself (None, booleans, integers and strings it
    writes as they are): a time as `moment` writes it, anything else as its text."""
    if isinstance(value, datetime):
        return moment(value)
    return str(value)


def ballot_rows_digest(vote_id: int) -> str:
    """The SHA-256 of a vote's ballots as stored: every column of the table (by name, so a
    column added later is covered too) of every row. Any ballot changed, added or removed,
    any two receipt hashes swapped, changes it.

    What is hashed: the JSON list of the column names, then for each row, in the order of
    the lines (by code point), a newline and the row's values as a JSON list (`json.dumps`
    with its default separators, non-ASCII written as itself). PostgreSQL writes exactly
    those lines itself (`json_build_array`), so there a close of 100,000 ballots hashes them
    without sending a row to the application; elsewhere they are read and hashed here. The
    two ways give the same digest (tests/decisions/test_digests.py)."""
    columns = sorted(Ballot.__table__.columns, key=lambda column: column.name)
    header = json.dumps([column.name for column in columns])
    if db.session.get_bind().dialect.name == "postgresql":
        return _rows_digest_in_the_database(columns, vote_id, header)
    return rows_digest_here(columns, vote_id, header)


def rows_digest_here(columns: list[Any], vote_id: int, header: str) -> str:
    """`ballot_rows_digest` computed in the application."""
    rows = db.session.execute(
        select(*columns).where(Ballot.__table__.c.vote_id == vote_id)
    ).tuples()
    # `default` is called only for what JSON cannot write itself: a close of 100,000 ballots
    # reads 800,000 values, and a call for each of them would cost more than the rest.
    lines = sorted(json.dumps(tuple(row), ensure_ascii=False, default=_cell) for row in rows)
    digest = hashlib.sha256(header.encode())
    for line in lines:
        digest.update(b"\n" + line.encode("utf-8"))
    return digest.hexdigest()


def _rows_digest_in_the_database(columns: list[Any], vote_id: int, header: str) -> str:
    """`ballot_rows_digest` computed by PostgreSQL: the same lines, ordered by their bytes
    (UTF-8 byte order is code point order), hashed by its `sha256`."""
    line = sa_cast(func.json_build_array(*columns), Text).label("line")
    lines = select(line).where(Ballot.__table__.c.vote_id == vote_id).subquery()
    joined = func.string_agg(
        lines.c.line, aggregate_order_by(literal("\n"), lines.c.line.collate("C"))
    )
    text_hashed = literal(header) + func.coalesce(literal("\n") + joined, "")
    digest = func.encode(func.sha256(func.convert_to(text_hashed, "UTF8")), "hex")
    return str(db.session.scalar(select(digest).select_from(lines)))


def receipts_digest(vote_id: int) -> str:
    """The SHA-256 of the published list of receipts: the receipt hashes, sorted, one a
    line (hex digits sort alike everywhere; PostgreSQL joins them itself)."""
    published = (Ballot.vote_id == vote_id, Ballot.receipt_hash.is_not(None))
    if db.session.get_bind().dialect.name == "postgresql":
        joined = func.string_agg(
            Ballot.receipt_hash, aggregate_order_by(literal("\n"), Ballot.receipt_hash)
        )
        return _sha256(db.session.scalar(select(joined).where(*published)) or "")
    hashes = db.session.scalars(select(Ballot.receipt_hash).where(*published))
    return _sha256("\n".join(sorted(h for h in hashes if h is not None)))


def vote_facts(vote: Vote) -> dict[str, Any]:
    """What a record says of its vote, in the chain and in exports alike."""
    return {
        "id": vote.id,
        "title": vote.title,
        "method": vote.method,
        "secret": vote.secret,
        "in_person": vote.in_person,
        "opened_at": moment(vote.opened_at),
        "closed_at": moment(vote.closed_at),
    }


def vote_content(vote: Vote, votes_chained_after: int) -> dict[str, Any]:
    """What a closed vote's link vouches for (see the module's docstring)."""
    options = db.session.execute(
        select(VoteOption.position, VoteOption.label, VoteOption.ref_id)
        .where(VoteOption.vote_id == vote.id)
        .order_by(VoteOption.position)
    ).tuples()
    voted = db.session.scalar(
        select(func.count()).select_from(Participation).where(Participation.vote_id == vote.id)
    )
    ballots = db.session.scalar(
        select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote.id)
    )
    return {
        "schema": VOTE_SCHEMA,
        **vote_facts(vote),
        "purpose": vote.purpose,
        "subject": {"type": vote.subject_type, "id": vote.subject_id},
        "description": vote.description_markdown,
        "settings": {
            "seats": vote.seats,
            "stv_variant": vote.stv_variant,
            "quota": vote.quota,
            "tie_break": vote.tie_break,
            "threshold": vote.threshold,
            "abstentions_in_base": vote.abstentions_in_base,
            "quorum_percent": vote.quorum_percent,
            "block_rule": vote.block_rule,
            "fallback": None
            if vote.fallback_numerator is None
            else f"{vote.fallback_numerator}/{vote.fallback_denominator}",
            "receipts_show_content": vote.receipts_show_content,
            "ranked_threshold": vote.ranked_threshold,
            "one_winner_per_round": vote.one_winner_per_round,
            "replaceable": vote.replaceable,
            "breakdown_by_tendency": vote.breakdown_by_tendency,
            "body": vote.body_id,
            "previous_vote": vote.previous_vote_id,
            # Named only when chosen, so that the links of votes made before the setting
            # existed (all listed in one order) still hold.
            **({"shuffled": True} if vote.shuffled else {}),
        },
        "options": [
            {"position": position, "label": label, "ref": ref} for position, label, ref in options
        ],
        "lot": vote.lot,
        "roll_size": vote.roll_size,
        "participations": int(voted or 0),
        "ballots": int(ballots or 0),
        "ballots_sha256": ballot_rows_digest(vote.id),
        "receipts_sha256": receipts_digest(vote.id),
        "result_sha256": _sha256(vote.result_json or ""),
        "outcome": vote.outcome,
        "votes_chained_after": votes_chained_after,
    }


def vote_link(vote_id: int) -> ArchiveLink | None:
    return db.session.scalar(
        select(ArchiveLink).where(ArchiveLink.kind == LinkKind.VOTE, ArchiveLink.vote_id == vote_id)
    )


def chain_closed_vote(vote: Vote) -> ArchiveLink:
    """Append the link of a vote that has just closed (its ballots, result and summary are
    final). Once per vote: a second call returns the link made."""
    existing = vote_link(vote.id)
    if existing is not None:
        return existing
    secret = archive_secret(make=True)
    after = secret.votes_chained_after if secret is not None else 0
    return append(LinkKind.VOTE, None, vote_content(vote, after), vote_id=vote.id)


# --- records and what is added to them -----------------------------------------------------


def ballots_digest(vote_id: int) -> str:
    """Format 1: the SHA-256 of a vote's ballots as stored: key, voter (roll call only) and
    content, in key order."""
    digest = hashlib.sha256()
    rows = db.session.execute(
        select(Ballot.id, Ballot.member_id, Ballot.content)
        .where(Ballot.vote_id == vote_id)
        .order_by(Ballot.id)
    )
    for key, member_id, content in rows:
        digest.update(f"{key}\t{member_id or ''}\t{content}\n".encode())
    return digest.hexdigest()


def _record_fields(record: DecisionRecord) -> dict[str, Any]:
    version = db.session.get(DraftVersion, record.version_id) if record.version_id else None
    return {
        "record": record.id,
        "title": record.title,
        "kind": record.kind,
        "subject": {"type": record.subject_type, "id": record.subject_id},
        "adopted": record.adopted,
        "adopted_text": None
        if version is None
        else {
            "draft": version.draft_id,
            "version": version.number,
            "sha256": _sha256(version.body),
        },
        "outcome_summary": record.outcome_summary,
        "outcome_statement": record.outcome_markdown,
        "unity_in_action": record.unity_markdown,
        "valid_from": day(record.valid_from),
        "valid_until": day(record.valid_until),
        "evaluation_date": day(record.evaluation_date),
        "decided_at": moment(record.decided_at),
        "sealed_at": moment(record.sealed_at),
    }


def record_content_1(record: DecisionRecord) -> dict[str, Any]:
    vote = db.session.get_one(Vote, record.vote_id)
    return {
        "schema": RECORD_SCHEMA_1,
        **_record_fields(record),
        "sealed_by": record.sealed_by_id,
        "vote": {
            **vote_facts(vote),
            "result_sha256": _sha256(vote.result_json or ""),
            "ballots_sha256": ballots_digest(vote.id),
        },
    }


def record_content(record: DecisionRecord, key: bytes | None = None) -> dict[str, Any]:
    key = member_key() if key is None else key
    vote = db.session.get_one(Vote, record.vote_id)
    link = vote_link(vote.id)
    facts: dict[str, Any] = {**vote_facts(vote), "link": link.hash if link is not None else None}
    if link is None:  # a vote closed before votes were chained
        facts["result_sha256"] = _sha256(vote.result_json or "")
        facts["ballots_sha256"] = ballot_rows_digest(vote.id)
    return {
        "schema": RECORD_SCHEMA,
        **_record_fields(record),
        "sealed_by": member_ref(key, record.id, record.sealed_by_id),
        "vote": facts,
    }


def commitment_content_1(entry: Any) -> dict[str, Any]:
    return {
        "record": entry.record_id,
        "member": entry.member_id,
        "revision": entry.revision,
        "commits": entry.commits,
        "disagreement": entry.disagreement_markdown,
        "tendency": entry.tendency_id,
        "recorded_at": moment(entry.recorded_at),
    }


def commitment_content(entry: Any, key: bytes | None = None) -> dict[str, Any]:
    """A commitment entry's content (`entry`: the row, or anything with its attributes)."""
    key = member_key() if key is None else key
    return {
        **commitment_content_1(entry),
        "member": member_ref(key, entry.record_id, entry.member_id),
        "tendency": tendency_ref(
            key, entry.record_id, entry.member_id, entry.revision, entry.tendency_id
        ),
    }


def minority_report_content_1(report: MinorityReport) -> dict[str, Any]:
    body = db.session.scalar(
        select(PaperRevision.body_markdown).where(
            PaperRevision.paper_id == report.paper_id,
            PaperRevision.number == report.paper_revision,
        )
    )
    return {
        "record": report.record_id,
        "tendency": report.tendency_id,
        "paper": report.paper_id,
        "paper_revision": report.paper_revision,
        "paper_sha256": _sha256(body) if body is not None else None,
        "attached_at": moment(report.attached_at),
        "attached_by": report.attached_by_id,
    }


def minority_report_content(report: MinorityReport, key: bytes | None = None) -> dict[str, Any]:
    key = member_key() if key is None else key
    return {
        **minority_report_content_1(report),
        "attached_by": member_ref(key, report.record_id, report.attached_by_id),
    }


def evaluation_content_1(evaluation: Evaluation, key: bytes | None = None) -> dict[str, Any]:
    """The evaluation's content; with `key`, members as references (format 2)."""
    assessments = db.session.scalars(
        select(DissentAssessment)
        .where(DissentAssessment.evaluation_id == evaluation.id)
        .order_by(DissentAssessment.id)
    )

    def who(member_id: int | None) -> int | str | None:
        return member_id if key is None else member_ref(key, evaluation.record_id, member_id)

    return {
        "record": evaluation.record_id,
        "verdict": evaluation.verdict,
        "assessment": evaluation.assessment_markdown,
        "opened_at": moment(evaluation.opened_at),
        "sealed_at": moment(evaluation.sealed_at),
        "sealed_by": who(evaluation.sealed_by_id),
        "dissents": [
            {
                "member": who(a.member_id),
                "entry_revision": a.entry_revision,
                "minority_report": a.minority_report_id,
                "borne_out": a.borne_out,
                "comment": a.comment,
            }
            for a in assessments
        ],
    }


def evaluation_content(evaluation: Evaluation, key: bytes | None = None) -> dict[str, Any]:
    return evaluation_content_1(evaluation, member_key() if key is None else key)


# --- appending and reading back ------------------------------------------------------------


def as_link(row: ArchiveLink) -> chain.Link:
    return chain.Link(row.position, row.kind, row.content_hash, row.previous_hash, row.hash)


def head() -> ArchiveLink | None:
    return db.session.scalar(select(ArchiveLink).order_by(ArchiveLink.position.desc()).limit(1))


def _lock_chain() -> None:
    """Appends queue one behind the other. PostgreSQL: a transaction-level advisory lock;
    SQLite: its write transactions already run one at a time (BEGIN IMMEDIATE)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(7341)"))


def append(
    kind: LinkKind,
    record_id: int | None,
    content: Mapping[str, Any],
    entry_id: int | None = None,
    *,
    vote_id: int | None = None,
) -> ArchiveLink:
    """Append a link vouching for `content` (built in the current format) at the chain's
    head."""
    _lock_chain()
    last = head()
    link = chain.next_link(as_link(last) if last is not None else None, kind, content)
    row = ArchiveLink(
        position=link.position,
        kind=kind,
        record_id=record_id,
        vote_id=vote_id,
        entry_id=entry_id,
        format=CONTENT_FORMAT,
        content_hash=link.content_hash,
        previous_hash=link.previous_hash,
        hash=link.hash,
    )
    db.session.add(row)
    db.session.flush()
    return row


class UnknownFormat(ValueError):
    """A link of a kind or format this version does not know how to rebuild."""


def builder(kind: str, form: int, key: bytes, votes_chained_after: int) -> Callable[[Any], Any]:
    """The function that rebuilds the content of a link of `kind` made in format `form`
    from its row (a vote, record, commitment entry, minority report or evaluation)."""
    builders: dict[tuple[str, int], Callable[[Any], Any]] = {
        (LinkKind.RECORD, 1): record_content_1,
        (LinkKind.COMMITMENT, 1): commitment_content_1,
        (LinkKind.MINORITY_REPORT, 1): minority_report_content_1,
        (LinkKind.EVALUATION, 1): evaluation_content_1,
        (LinkKind.VOTE, 2): lambda vote: vote_content(vote, votes_chained_after),
        (LinkKind.RECORD, 2): lambda record: record_content(record, key),
        (LinkKind.COMMITMENT, 2): lambda entry: commitment_content(entry, key),
        (LinkKind.MINORITY_REPORT, 2): lambda report: minority_report_content(report, key),
        (LinkKind.EVALUATION, 2): lambda evaluation: evaluation_content(evaluation, key),
    }
    found = builders.get((kind, form))
    if found is None:
        raise UnknownFormat(f"no link of kind {kind!r} is made in format {form}")
    return found


MODELS: dict[str, type[Any]] = {
    LinkKind.VOTE: Vote,
    LinkKind.RECORD: DecisionRecord,
    LinkKind.COMMITMENT: CommitmentEntry,
    LinkKind.MINORITY_REPORT: MinorityReport,
    LinkKind.EVALUATION: Evaluation,
}


def row_of(kind: str, record_id: int | None, vote_id: int | None, entry_id: int | None) -> Any:
    """The stored row a link vouches for (None if it is gone)."""
    key: int | None = entry_id
    if kind == LinkKind.VOTE:
        key = vote_id
    elif kind == LinkKind.RECORD:
        key = record_id
    model = MODELS.get(kind)
    if model is None or key is None:
        return None
    return db.session.get(model, key)


def content_of(link: ArchiveLink, key: bytes | None = None) -> dict[str, Any] | None:
    """What `link` vouches for, as stored now, built in the link's format (None if the row
    it vouches for is gone)."""
    secret = archive_secret()
    key = (bytes.fromhex(secret.member_key) if secret else b"") if key is None else key
    build = builder(link.kind, link.format, key, secret.votes_chained_after if secret else 0)
    row = row_of(link.kind, link.record_id, link.vote_id, link.entry_id)
    return build(row) if row is not None else None
