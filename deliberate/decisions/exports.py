"""A decision record as a document to keep outside the platform: JSON (schema
"deliberate.decision-record-export/1", documented in the README) and Markdown, one record or the
whole archive.

Members' names appear only when the caller says so (`names`): the organization's setting for a
public archive, or a member reading. Nothing ever links a secret ballot to its voter: the
stored result of a secret vote holds none, and without names even a roll-call vote's list of
who voted what is left out. Statements and other member writing are given as their Markdown;
in the Markdown document, raw HTML and script links in it are defused, so that no renderer of
the file can run what a member wrote.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from urllib.parse import unquote

from flask import current_app
from markdown_it.helpers import parseLinkDestination
from sqlalchemy import and_, or_, select

from deliberate.accounts.models import Member
from deliberate.decisions import ledger, queries
from deliberate.decisions.ledger import day, moment, vote_facts
from deliberate.decisions.models import (
    ArchiveLink,
    Commitment,
    DecisionRecord,
    Evaluation,
    LinkKind,
    RecordState,
    Verdict,
)
from deliberate.extensions import db
from deliberate.filters import NBSP, format_date, format_datetime
from deliberate.tendencies.models import Tendency
from deliberate.timezones import UTC_NAME, plural, zone
from deliberate.voting.models import Vote
from deliberate.voting.rules import METHOD_LABELS
from deliberate.voting.vocabulary import CHOICE_METHODS, CONSENSUS_POSITIONS, MAJORITY_CHOICES

SCHEMA = "deliberate.decision-record-export/1"
ARCHIVE_SCHEMA = "deliberate.archive-export/1"
BATCH = 100
COUNT_ORDER = (*MAJORITY_CHOICES, *CONSENSUS_POSITIONS)
# An export is read anywhere, by anyone: its times are UTC, named.
UTC_ZONE = zone(UTC_NAME)


def _tally(tally: queries.Tally) -> dict[str, Any]:
    return {
        "name": tally.name,
        "entries": tally.entries,
        "committed": tally.committed,
        "committed_disagreeing": tally.committed_disagreeing,
        "disagreeing_only": tally.disagreeing_only,
        "commitments": tally.commitments,
        "disagreements": tally.disagreements,
    }


def _result(vote: Vote, *, names: bool) -> dict[str, Any] | None:
    """The vote's stored result document; without names, no list of who voted what."""
    if not vote.result_json:
        return None
    result: dict[str, Any] = json.loads(vote.result_json)
    if vote.secret or not names:
        result.pop("roll_call", None)
    if not vote.secret and not names:
        # A roll call's breakdown counts every tendency, one of a single voter too.
        result.pop("by_tendency", None)
    return result


def _entries(
    record: DecisionRecord, hidden: frozenset[str] = frozenset()
) -> list[tuple[Commitment, str, str | None]]:
    """Every current entry with the member's name and tendency at the time, oldest first; the
    tendency is None where its group is `hidden` (too small to be shown by name)."""
    rows = db.session.execute(
        select(Commitment, Member.display_name, Tendency.name)
        .join(Member, Member.id == Commitment.member_id)
        .outerjoin(Tendency, Tendency.id == Commitment.tendency_id)
        .where(Commitment.record_id == record.id)
        .order_by(Commitment.recorded_at, Commitment.member_id)
    ).all()
    named = [(c, name, tendency or queries.NO_TENDENCY) for c, name, tendency in rows]
    return [(c, name, None if group in hidden else group) for c, name, group in named]


def _entry(
    commitment: Commitment, name: str, tendency: str | None, *, names: bool
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "tendency": tendency,
        "commits": commitment.commits,
        "disagrees": commitment.disagrees,
        "revision": commitment.revision,
        "recorded_at": moment(commitment.recorded_at),
    }
    if names:
        entry = {"member_id": commitment.member_id, "member": name, **entry}
    return entry


def _adopted_text(record: DecisionRecord) -> dict[str, Any] | None:
    adopted = queries.adopted_text(record)
    if adopted is None:
        return None
    return {
        "draft": adopted.version.draft_id,
        "version": adopted.version.number,
        "body": adopted.version.body,
        "merged_amendments": [
            {"label": amendment.label, "title": amendment.title} for amendment in adopted.merged
        ],
    }


def _evaluation(
    evaluation: Evaluation | None,
    dissenters: dict[int, tuple[str, str | None]],
    reports: dict[int, queries.Report],
    *,
    names: bool,
) -> dict[str, Any] | None:
    if evaluation is None or not evaluation.is_sealed:
        return None
    dissents = []
    for (member_id, report_id), assessment in sorted(
        queries.assessments(evaluation).items(),
        key=lambda item: (item[0][0] is None, item[0][0] or 0, item[0][1] or 0),
    ):
        dissent: dict[str, Any]
        if member_id is not None:
            name, tendency = dissenters.get(member_id, ("", None))
            dissent = {"dissent": "disagreement", "tendency": tendency}
            if names:
                dissent.update(member_id=member_id, member=name)
            dissent["entry_revision"] = assessment.entry_revision
        else:
            report = reports.get(report_id or 0)
            dissent = {
                "dissent": "minority_report",
                "minority_report": report_id,
                "tendency": report.tendency if report else None,
                "title": report.title if report else None,
            }
        dissent.update(borne_out=assessment.borne_out, comment=assessment.comment)
        dissents.append(dissent)
    return {
        "verdict": evaluation.verdict,
        "assessment": evaluation.assessment_markdown,
        "opened_at": moment(evaluation.opened_at),
        "sealed_at": moment(evaluation.sealed_at),
        "dissents": dissents,
    }


def record_document(record: DecisionRecord, *, names: bool) -> dict[str, Any]:
    """The record as a JSON-ready document (see the module's docstring and the README)."""
    vote = db.session.get_one(Vote, record.vote_id)
    result = _result(vote, names=names)
    summary = queries.commitment_summary(record)
    if not names:
        # Unnamed, a member of a small tendency would still be known by it.
        minimum = int(current_app.config.get("SECRET_BREAKDOWN_MIN", 10))
        summary = queries.public_summary(summary, minimum=minimum)
    entries = _entries(record, summary.hidden)
    reports = queries.minority_reports(record)
    sealed_by = None
    if names and record.sealed_by_id is not None:
        sealed_by = db.session.scalar(
            select(Member.display_name).where(Member.id == record.sealed_by_id)
        )
    return {
        "schema": SCHEMA,
        "id": record.id,
        "title": record.title,
        "kind": record.kind,
        "state": record.state,
        "subject": {"type": record.subject_type, "id": record.subject_id},
        "adopted": record.adopted,
        "outcome_summary": record.outcome_summary,
        "statements": {
            "revision": record.revision,
            "outcome": record.outcome_markdown,
            "unity_in_action": record.unity_markdown,
        },
        "valid_from": day(record.valid_from),
        "valid_until": day(record.valid_until),
        "evaluation_date": day(record.evaluation_date),
        "decided_at": moment(record.decided_at),
        "sealed_at": moment(record.sealed_at),
        "sealed_by": sealed_by,
        "adopted_text": _adopted_text(record),
        "vote": {**vote_facts(vote), "result": result},
        "participation": (result or {}).get("participation"),
        "commitments": {
            "overall": _tally(summary.overall),
            "by_tendency": [_tally(t) for t in summary.by_tendency],
            "entries": [_entry(c, n, t, names=names) for c, n, t in entries],
        },
        "disagreements": [
            {
                **({"member_id": c.member_id, "member": n} if names else {}),
                "tendency": t,
                "commits": c.commits,
                "reasons": c.disagreement_markdown,
                "revision": c.revision,
                "recorded_at": moment(c.recorded_at),
            }
            for c, n, t in entries
            if c.disagrees
        ],
        "minority_reports": [
            {
                "id": report.id,
                "tendency": report.tendency,
                "paper": report.paper_id,
                "title": report.title,
                "revision": report.revision,
                "body": report.body_markdown,
            }
            for report in reports
        ],
        "evaluation": _evaluation(
            queries.evaluation_of(record),
            {c.member_id: (n, t) for c, n, t in entries if c.disagrees},
            {report.id: report for report in reports},
            names=names,
        ),
        "chain": [_link(link, names=names) for link in _record_links(record)],
    }


def _record_links(record: DecisionRecord) -> list[ArchiveLink]:
    """The links that vouch for the record, for its vote and for what was added to it."""
    return list(
        db.session.scalars(
            select(ArchiveLink)
            .where(
                or_(
                    ArchiveLink.record_id == record.id,
                    and_(ArchiveLink.kind == LinkKind.VOTE, ArchiveLink.vote_id == record.vote_id),
                )
            )
            .order_by(ArchiveLink.position)
        )
    )


def _link(link: ArchiveLink, *, names: bool) -> dict[str, Any]:
    """A link with the content it hashed, so that anyone can compute both hashes again. A
    link of format 1 names members by id: its content is given only with names."""
    content = ledger.content_of(link) if link.format > 1 or names else None
    return {
        "position": link.position,
        "kind": link.kind,
        "format": link.format,
        "content_hash": link.content_hash,
        "previous_hash": link.previous_hash,
        "hash": link.hash,
        "content": content,
    }


def vote_links(names: bool) -> Iterator[dict[str, Any]]:
    """The links of closed votes that no sealed record carries (an amendment's vote, a vote
    whose record is still being written): with the records' links, the whole chain."""
    sealed = select(DecisionRecord.vote_id).where(DecisionRecord.state == RecordState.SEALED)
    after = 0
    while True:
        batch = list(
            db.session.scalars(
                select(ArchiveLink)
                .where(
                    ArchiveLink.kind == LinkKind.VOTE,
                    ArchiveLink.vote_id.not_in(sealed),
                    ArchiveLink.position > after,
                )
                .order_by(ArchiveLink.position)
                .limit(BATCH)
            )
        )
        if not batch:
            return
        for link in batch:
            yield _link(link, names=names)
        after = batch[-1].position
        db.session.expunge_all()


def archive_documents(names: bool) -> Iterator[dict[str, Any]]:
    """The document of every sealed record, oldest first, read a batch at a time (the session
    forgets each batch, so memory stays flat however long the archive)."""
    after = 0
    while True:
        batch = list(
            db.session.scalars(
                select(DecisionRecord)
                .where(DecisionRecord.state == RecordState.SEALED, DecisionRecord.id > after)
                .order_by(DecisionRecord.id)
                .limit(BATCH)
            )
        )
        if not batch:
            return
        for record in batch:
            yield record_document(record, names=names)
        after = batch[-1].id
        db.session.expunge_all()


# --- Markdown ---------------------------------------------------------------------------------

_TAG_OPEN = re.compile(r"<")
_PLAIN_SPECIALS = re.compile(r"([\\`*_\[\]<>#|!~])")
# Where a CommonMark renderer reads a link destination: after "](" (an inline link or image)
# and after "]:" (a reference definition), then any whitespace, line breaks included.
_DESTINATION_START = re.compile(r"\](\(|:)\s*")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def is_safe_destination(destination: str) -> bool:
    """Whether a link destination, as a renderer decodes it (entities and backslash escapes
    read), leads only to the web, to mail, or within the site (no scheme: relative or a
    fragment). Read the way a browser reads it and more strictly: compatibility characters
    folded, every space and control character removed, percent-escapes decoded too."""
    for text in (destination, unquote(destination)):
        folded = unicodedata.normalize("NFKC", text)
        squeezed = "".join(
            c for c in folded if not (c.isspace() or unicodedata.category(c) in ("Cc", "Cf"))
        )
        scheme = _SCHEME.match(squeezed.lower())
        if scheme is not None and scheme.group(1) not in SAFE_SCHEMES:
            return False
    return True


def _defuse_links(text: str) -> str:
    """Every unsafe link destination made plain text: the character that opens it ("(" of an
    inline link or image, ":" of a reference definition) is escaped, so that renderers show
    the whole link as written instead of linking to it. Destinations are found and decoded
    by the parser of the CommonMark renderer the site uses; anything that could be read as a
    destination is checked, even where the text around it makes it none."""
    escapes = []
    for start in _DESTINATION_START.finditer(text):
        found = parseLinkDestination(text, start.end(), len(text))
        if found.ok and not is_safe_destination(found.str):
            escapes.append(start.start(1))
    for position in reversed(escapes):
        text = text[:position] + "\\" + text[position:]
    return text


def _member_markdown(text: str | None) -> str:
    """Member Markdown kept as written, but with no raw HTML and no autolink (every `<`
    becomes an entity, which renders as the character) and no link leading anywhere but the
    web, mail or the site itself."""
    return _defuse_links(_TAG_OPEN.sub("&lt;", text or "")).strip()


def in_words(iso: str | None) -> str:
    """A stored moment ("2026-10-30T14:17:19+00:00") or day ("2026-11-02") as a reader writes
    it: "30 October 2026 at 14:17 UTC", "2 November 2026"; "—" for none."""
    if not iso:
        return "—"
    if "T" not in iso:
        return format_date(date.fromisoformat(iso)).replace(NBSP, " ")
    return format_datetime(datetime.fromisoformat(iso), UTC_ZONE).replace(NBSP, " ")


def _code_words(code: str) -> str:
    return code.replace("_", " ")


def _plain(text: str | None) -> str:
    """A plain string (a title, a name) that Markdown must show as it is, on one line."""
    return _PLAIN_SPECIALS.sub(r"\\\1", " ".join((text or "").split()))


def _group(tendency: str | None) -> str:
    """ " (tendency)" after a member, or nothing where the group is not shown by name."""
    return f" ({_plain(tendency)})" if tendency else ""


def _quote(text: str | None) -> str:
    lines = _member_markdown(text).splitlines() or [""]
    return "\n".join(f"> {line}" if line else ">" for line in lines)


def _tally_rows(tallies: list[dict[str, Any]]) -> list[str]:
    rows = [
        "| | committed | committed, disagreeing | disagreeing, not committed | entries |",
        "|---|---:|---:|---:|---:|",
    ]
    for t in tallies:
        rows.append(
            f"| {_plain(t['name'])} | {t['committed']} | {t['committed_disagreeing']} "
            f"| {t['disagreeing_only']} | {t['entries']} |"
        )
    return rows


def _count_lines(result: dict[str, Any]) -> list[str]:
    count = result.get("count") or {}
    lines: list[str] = []
    if count.get("kind") in CHOICE_METHODS:
        order = [*COUNT_ORDER, *sorted(set(count["counts"]) - set(COUNT_ORDER))]
        counts = ", ".join(
            f"{key.replace('_', ' ')} {count['counts'][key]}"
            for key in order
            if key in count["counts"]
        )
        lines.append(f"- Count: {counts}.")
        if count.get("explanation"):
            lines.append(f"- {_plain(count['explanation'])}")
        for position, reasons in (count.get("reasons") or {}).items():
            for reason in reasons:
                lines.append(f"- Reason given ({position.replace('_', ' ')}): {_plain(reason)}")
        return lines
    rounds = count.get("rounds") or []
    if rounds:
        candidates = list(result.get("options") or rounds[0].get("tally_exact", {}).keys())
        lines.append("")
        lines.append("| round | " + " | ".join(_plain(c) for c in candidates) + " | notes |")
        lines.append("|---:|" + "---:|" * len(candidates) + "---|")
        for r in rounds:
            tally = r.get("tally_exact") or {}
            notes = [f"elected {_plain(c)}" for c in r.get("elected", [])]
            notes += [f"eliminated {_plain(c)}" for c in r.get("eliminated", [])]
            cells = " | ".join(str(tally.get(c, "—")) for c in candidates)
            lines.append(f"| {r.get('round')} | {cells} | {'; '.join(notes)} |")
    return lines


def _vote_section(document: dict[str, Any], voter_names: dict[int, str]) -> list[str]:
    vote = document["vote"]
    result = vote["result"] or {}
    ballot = "secret ballot" if vote["secret"] else "roll-call ballot"
    place = "taken in person, recorded by a convener" if vote["in_person"] else "online"
    lines = [
        "## The vote",
        "",
        f"- Question: {_plain(vote['title'])} (vote {vote['id']})",
        f"- Method: {METHOD_LABELS.get(vote['method'], vote['method'])}, {ballot}, {place}",
        f"- Opened {in_words(vote['opened_at'])}, closed {in_words(vote['closed_at'])}",
    ]
    participation = document["participation"]
    if participation:
        met = "met" if participation.get("quorum_met") else "not met"
        lines.append(
            f"- Participation: {participation['voted']} of {participation['roll']} on the roll; "
            f"quorum {participation['quorum_percent']}%, {met}"
        )
    outcome = result.get("outcome") or {}
    if outcome.get("summary"):
        lines.append(f"- Result: {_plain(outcome['summary'])}")
    lines += _count_lines(result)
    groups = result.get("by_tendency") or []
    if groups:
        lines += ["", "By tendency:", ""]
        for group in groups:
            counted = group.get("count") or {}
            shown = counted.get("first_preferences", counted)
            parts = ", ".join(f"{_plain(str(k))} {v}" for k, v in shown.items())
            voters = plural(group["voters"], "voter")
            lines.append(f"- {_plain(group['tendency'])} ({voters}): {parts}")
    roll_call = result.get("roll_call") or []
    if roll_call:
        lines += ["", "Roll call:", ""]
        for row in roll_call:
            name = voter_names.get(row["member_id"], f"member {row['member_id']}")
            ballot_text = ", ".join(
                f"{k}: {' > '.join(v) if isinstance(v, list) else v}"
                for k, v in row["ballot"].items()
            )
            lines.append(f"- {_plain(name)} ({_plain(row['tendency'])}): {_plain(ballot_text)}")
    return lines


def _voter_names(document: dict[str, Any]) -> dict[int, str]:
    roll_call = (document["vote"]["result"] or {}).get("roll_call") or []
    ids = [row["member_id"] for row in roll_call]
    if not ids:
        return {}
    rows = db.session.execute(
        select(Member.id, Member.display_name).where(Member.id.in_(ids))
    ).tuples()
    return dict(rows.all())


def _markdown_of(document: dict[str, Any], voter_names: dict[int, str]) -> str:
    d = document
    statements = d["statements"]
    lines = [
        f"# {_plain(d['title'])}",
        "",
        f"Decision record {d['id']} · {_plain(_code_words(d['kind']))} · "
        f"{_code_words(d['state'])}. Decided {in_words(d['decided_at'])}"
        + (f"; sealed {in_words(d['sealed_at'])}" if d["sealed_at"] else "; not sealed yet")
        + (f" by {_plain(d['sealed_by'])}" if d["sealed_by"] else "")
        + ".",
        "",
        f"**Outcome:** {_plain(d['outcome_summary'])}",
    ]
    if d["valid_from"] or d["evaluation_date"]:
        lines += [
            "",
            f"Valid from {in_words(d['valid_from'])} to {in_words(d['valid_until'])}; "
            f"evaluation due {in_words(d['evaluation_date'])}.",
        ]
    lines += [
        "",
        "## Outcome statement",
        "",
        _member_markdown(statements["outcome"]) or "(not written yet)",
        "",
        "## Unity in action",
        "",
        _member_markdown(statements["unity_in_action"]) or "(not written yet)",
        "",
    ]
    text = d["adopted_text"]
    if text is not None:
        merged = ", ".join(
            f"{a['label']} “{_plain(a['title'])}”" for a in text["merged_amendments"]
        )
        lines += [
            "## Adopted text",
            "",
            f"Draft {text['draft']}, version {text['version']}."
            + (f" Amendments merged: {merged}." if merged else ""),
            "",
            _quote(text["body"]),
            "",
        ]
    lines += _vote_section(d, voter_names)
    commitments = d["commitments"]
    lines += ["", "## Commitments", ""]
    lines += _tally_rows([commitments["overall"], *commitments["by_tendency"]])
    if commitments["entries"] and "member" in commitments["entries"][0]:
        lines.append("")
        for entry in commitments["entries"]:
            said = "commits" if entry["commits"] else "does not commit"
            if entry["disagrees"]:
                said += ", and registers disagreement"
            lines.append(f"- {_plain(entry['member'])}{_group(entry['tendency'])}: {said}")
    lines += ["", "## Registered disagreements", ""]
    if not d["disagreements"]:
        lines += ["None.", ""]
    for dissent in d["disagreements"]:
        who = _plain(dissent["member"]) if "member" in dissent else "A member"
        commits = "commits" if dissent["commits"] else "does not commit"
        lines += [
            f"### {who}{_group(dissent['tendency'])}, {commits}",
            "",
            _quote(dissent["reasons"]),
            "",
        ]
    lines += ["## Minority reports", ""]
    if not d["minority_reports"]:
        lines += ["None.", ""]
    for report in d["minority_reports"]:
        lines += [
            f"### {_plain(report['tendency'])}: “{_plain(report['title'])}” "
            f"(paper {report['paper']}, revision {report['revision']})",
            "",
            _quote(report["body"]),
            "",
        ]
    evaluation = d["evaluation"]
    if evaluation is not None:
        verdict = Verdict(evaluation["verdict"]).label if evaluation["verdict"] else "—"
        lines += [
            "## Evaluation",
            "",
            f"Verdict: **{verdict}** (sealed {in_words(evaluation['sealed_at'])}).",
            "",
            _member_markdown(evaluation["assessment"]),
            "",
        ]
        for dissent in evaluation["dissents"]:
            if dissent["dissent"] == "minority_report":
                title, tendency = _plain(dissent["title"]), _plain(dissent["tendency"])
                what = f"Minority report “{title}” ({tendency})"
            else:
                who = _plain(dissent["member"]) if "member" in dissent else "a member"
                what = f"Disagreement of {who}{_group(dissent['tendency'])}"
            borne = dissent["borne_out"].replace("_", " ")
            comment = f": {_plain(dissent['comment'])}" if dissent["comment"] else ""
            lines.append(f"- {what}: {borne}{comment}")
        lines.append("")
    lines += ["## Chain", ""]
    if not d["chain"]:
        lines += ["Not chained yet (the record is not sealed).", ""]
    else:
        lines += ["| position | kind | hash | previous hash |", "|---:|---|---|---|"]
        for link in d["chain"]:
            lines.append(
                f"| {link['position']} | {_code_words(link['kind'])} | `{link['hash']}` "
                f"| `{link['previous_hash']}` |"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def record_markdown(record: DecisionRecord, *, names: bool) -> str:
    """The record as a readable Markdown document (the same content as `record_document`)."""
    document = record_document(record, names=names)
    return _markdown_of(document, _voter_names(document) if names else {})


def archive_markdown(names: bool) -> Iterator[str]:
    """Every sealed record's Markdown, oldest first, a batch at a time."""
    for document in archive_documents(names):
        yield _markdown_of(document, _voter_names(document) if names else {})
