"""Full-text search of the archive with the database's own index: SQLite FTS5 (BM25 ranking,
`snippet`) or PostgreSQL (`to_tsvector`/`ts_rank` over a GIN index, `ts_headline`).

Each record has several searchable texts (`ArchiveText`): its statements, each registered
disagreement, each minority report, its evaluation. A search ranks records by their best
matching text and shows a highlighted snippet of it. The query is reduced to its words, each
required, so nothing a member types is read as the index's query syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import Float, Integer, Subquery, bindparam, select, text

from deliberate.decisions.models import (
    ArchiveText,
    DecisionRecord,
    DissentAssessment,
    Evaluation,
    MinorityReport,
)
from deliberate.extensions import db
from deliberate.markup import plain_text
from deliberate.papers.models import PaperRevision, PositionPaper

MAX_WORDS = 12
# Only what is sealed is searched: an evaluation's text joins the index when it is first
# written, but both queries below find it only once the evaluation is sealed (records being
# written are left out by the archive's own filter on their state).
_WORD = re.compile(r"\w+", re.UNICODE)
_START, _STOP = "\x02", "\x03"


def words_of(query: str | None) -> list[str]:
    return _WORD.findall(query or "")[:MAX_WORDS]


# --- keeping the texts current ----------------------------------------------------------------


def _put(record_id: int, source: str, key: int, title: str, body: str | None) -> None:
    """Keep a text of the record searchable: its words, not its Markdown, so a snippet quotes
    what a reader sees."""
    row = db.session.scalar(
        select(ArchiveText).where(
            ArchiveText.record_id == record_id,
            ArchiveText.source == source,
            ArchiveText.source_key == key,
        )
    )
    if body is None:
        if row is not None:
            db.session.delete(row)
        return
    if row is None:
        row = ArchiveText(record_id=record_id, source=source, source_key=key)
        db.session.add(row)
    row.title = title[:300]
    row.body = plain_text(body)


def index_record(record: DecisionRecord) -> None:
    body = "\n\n".join(
        part
        for part in (record.outcome_summary, record.outcome_markdown, record.unity_markdown)
        if part
    )
    _put(record.id, "record", 0, record.title, body)
    db.session.flush()


def index_disagreement(record: DecisionRecord, member_id: int, reasons: str | None) -> None:
    _put(record.id, "disagreement", member_id, "Registered disagreement", reasons)
    db.session.flush()


def index_minority_report(report: MinorityReport, paper: PositionPaper) -> None:
    body = db.session.scalar(
        select(PaperRevision.body_markdown).where(
            PaperRevision.paper_id == paper.id, PaperRevision.number == report.paper_revision
        )
    )
    _put(report.record_id, "minority_report", report.id, paper.title, body or "")
    db.session.flush()


def index_evaluation(evaluation: Evaluation) -> None:
    comments = db.session.scalars(
        select(DissentAssessment.comment).where(DissentAssessment.evaluation_id == evaluation.id)
    )
    body = "\n\n".join([evaluation.assessment_markdown, *(c for c in comments if c)])
    _put(evaluation.record_id, "evaluation", 0, "Evaluation", body)
    db.session.flush()


# --- searching --------------------------------------------------------------------------------


def _sqlite_hits(words: list[str]) -> Subquery:
    # FTS5: every word quoted (a phrase of one word), all required. bm25 is lower for better
    # matches and only works in the full-text query itself, so the ranked matches are
    # materialized first and grouped afterwards; SQLite takes the bare column `text_id` from
    # the row holding the minimum.
    match = " ".join('"' + w.replace('"', "") + '"' for w in words)
    return (
        text(
            "WITH matched AS MATERIALIZED ("
            "SELECT t.record_id AS record_id, t.id AS text_id, "
            "bm25(archive_texts_fts, 4.0, 1.0) AS rank "
            "FROM archive_texts_fts JOIN archive_texts t ON t.id = archive_texts_fts.rowid "
            "WHERE archive_texts_fts MATCH :match AND (t.source <> 'evaluation' OR EXISTS "
            "(SELECT 1 FROM evaluations e WHERE e.record_id = t.record_id "
            "AND e.sealed_at IS NOT NULL))) "
            "SELECT record_id, text_id, min(rank) AS rank FROM matched GROUP BY record_id"
        )
        .bindparams(match=match)
        .columns(record_id=Integer, text_id=Integer, rank=Float)
        .subquery("hits")
    )


def _postgresql_hits(words: list[str]) -> Subquery:
    # The stored tsvector `search` and its GIN index (`schema`). Higher ts_rank is better;
    # negated so that both databases order by `rank` ascending.
    return (
        text(
            "SELECT DISTINCT ON (t.record_id) t.record_id, t.id AS text_id, "
            "-ts_rank(t.search, q) AS rank "
            "FROM archive_texts t, plainto_tsquery('english', :terms) q "
            "WHERE t.search @@ q AND (t.source <> 'evaluation' OR EXISTS "
            "(SELECT 1 FROM evaluations e WHERE e.record_id = t.record_id "
            "AND e.sealed_at IS NOT NULL)) ORDER BY t.record_id, rank"
        )
        .bindparams(terms=" ".join(words))
        .columns(record_id=Integer, text_id=Integer, rank=Float)
        .subquery("hits")
    )


def hits(words: list[str]) -> Subquery:
    """(record_id, text_id, rank) of every record matching all `words`, its best text; lower
    rank is better."""
    if db.session.get_bind().dialect.name == "postgresql":
        return _postgresql_hits(words)
    return _sqlite_hits(words)


# Emphasis and code marks a text indexed before the index kept words alone may still hold.
_MARKS = re.compile(r"\*\*+|__+|`+")


def _highlighted(raw: str) -> Markup:
    escaped = str(escape(_MARKS.sub("", raw).replace("\n", " ")))
    return Markup(escaped.replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S704


@dataclass(frozen=True)
class Snippet:
    source: str
    html: Markup


def snippets(words: list[str], text_ids: list[int]) -> dict[int, Snippet]:
    """A highlighted extract of each of the texts (by text id), computed for one page only."""
    if not text_ids or not words:
        return {}
    ids = sorted(set(text_ids))
    rows = db.session.execute(
        select(ArchiveText.id, ArchiveText.source).where(ArchiveText.id.in_(ids))
    )
    sources = dict(rows.tuples().all())
    params: dict[str, object] = {"ids": ids}
    if db.session.get_bind().dialect.name == "postgresql":
        params["terms"] = " ".join(words)
        sql = (
            "SELECT t.id, ts_headline('english', t.title || ' — ' || t.body, q, "
            "'StartSel=\x02, StopSel=\x03, MaxWords=35, MinWords=12, MaxFragments=2') "
            "FROM archive_texts t, plainto_tsquery('english', :terms) q WHERE t.id IN :ids"
        )
    else:
        params["match"] = " ".join('"' + w.replace('"', "") + '"' for w in words)
        sql = (
            "SELECT rowid, snippet(archive_texts_fts, -1, char(2), char(3), '…', 24) "
            "FROM archive_texts_fts WHERE archive_texts_fts MATCH :match AND rowid IN :ids"
        )
    rows = db.session.execute(text(sql).bindparams(bindparam("ids", expanding=True)), params)
    return {
        text_id: Snippet(sources.get(text_id, "record"), _highlighted(raw or ""))
        for text_id, raw in rows
    }
