"""Benchmark of the archive of decision records: 10,000 sealed records with 200 commitments each.

Builds its own app on a temporary SQLite file (the schema from the models) with 200 members in
three tendencies. The first record is made the application's way (a vote of 20 ballots closes,
its record is written and sealed); the others copy its vote (settings, ballots, participation
and stored result, so a recount of each gives the stored result back) and are inserted in bulk
with their statements, 200 commitment entries each (one in twenty with a registered
disagreement), their searchable texts and the chain's links, computed with `chain.next_link`
exactly as the application would (a link per record and per entry: about two million links).

A logged-in test client then requests, in alternation, the archive page (first page, a later
page, filtered by tendency), a full-text search, a record page with its 200 commitments, and
the login page (the minimal page of the same app, no query of its own). It prints the SQL
statements each page sends, counted once with the first 100 records and again with the whole
archive (they must be the same: no page's query count grows with the archive), p50 and p95 of
each page, wall-clock and CPU time of this process (time.process_time: waiting on a loaded
machine is not counted), each p95 as a ratio to the minimal page's; then times
`verify-archive` over the whole archive and reports it per 1,000 records.

Run: python bench/bench_archive.py [--records 10000] [--commitments 200] [--rounds 100]
    [--database postgresql://user@host/db]   (a throwaway database made on that server)
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from sqlalchemy import Table, event, func, insert, select

from bench.bench_voting import throwaway_database
from bench.common import PASSWORD, bench_app, organization, percentile
from deliberate import create_app
from deliberate.accounts.models import Member
from deliberate.accounts.services import create_member
from deliberate.database import Base
from deliberate.decisions import chain, ledger, services
from deliberate.decisions.models import (
    ArchiveLink,
    ArchiveText,
    Commitment,
    CommitmentEntry,
    DecisionRecord,
    LinkKind,
    RecordState,
)
from deliberate.extensions import db
from deliberate.markup import render_markdown
from deliberate.voting import services as voting
from deliberate.voting.models import Ballot, Participation, Vote
from deliberate.voting.rules import Settings

SEED = 2026
BATCH = 250  # records inserted per transaction
SMALL = 100  # query counts are taken first with this many records, then with all
DISSENT_EVERY = 20
VOTERS = 20
START = datetime(2016, 1, 4, 9, 0, tzinfo=UTC)
PLACES = ["harbour", "district", "factory", "campus", "market", "depot", "clinic", "school"]
ACTIONS = ["leaflet", "picket", "assembly", "canvass", "petition", "strike fund", "bulletin"]
REASONS = [
    "The timing is wrong: the {place} will be empty in that season.",
    "We should build the {action} first, and only then go to the {place}.",
    "The {action} spreads us too thin; the {place} needs all of us.",
    "Without the other tendencies' members at the {place} this cannot work.",
]


def member_pool(size: int) -> tuple[Member, list[Member], list[int | None]]:
    """A convener and `size` members; each member's tendency id (or None), as the commitments
    will record it."""
    convener, members, tendencies = organization()
    members += [
        create_member(f"extra{i}@bench.example", f"Member {i:03d}", PASSWORD)
        for i in range(len(members), size)
    ]
    tendency_ids: list[int | None] = [t.id for t in tendencies]
    # organization() puts members 0-44 in the three tendencies, the others in none.
    of = [tendency_ids[i % 3] if i < 45 else None for i in range(size)]
    return convener, members[:size], of


def first_record(convener: Member, voters: list[Member]) -> DecisionRecord:
    """The template: a secret majority vote of 20 closes; its record is written and sealed."""
    vote = voting.create_vote(
        convener,
        title="Adopt the harbour campaign?",
        settings=Settings(method="majority", threshold="simple"),
    )
    for index, voter in enumerate(voters[:VOTERS]):
        voting.cast_ballot(voter, vote, {"choice": ("yes", "yes", "no", "abstain")[index % 4]})
    voting.close_vote(convener, vote)
    record = services.record_of_vote(vote.id)
    if record is None:
        raise SystemExit("the template vote made no decision record")
    services.revise_statements(
        convener,
        record,
        services.Statements(
            outcome="The members adopted the harbour campaign.",
            unity="Every member distributes the leaflet at the harbour before May.",
        ),
        seen_revision=record.revision,
    )
    services.seal_record(convener, record)
    return record


def _rows(table: Any, where: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in db.session.execute(select(table).where(where)).mappings()]


def bulk_records(
    count: int,
    template_id: int,
    convener_id: int,
    member_ids: list[int],
    tendency_of: list[int | None],
    rng: random.Random,
) -> None:
    """Append `count` sealed records, with their commitments and links, after the template."""
    record_row = _rows(DecisionRecord.__table__, DecisionRecord.__table__.c.id == template_id)[0]
    vote_id = record_row["vote_id"]
    vote_row = _rows(Vote.__table__, Vote.__table__.c.id == vote_id)[0]
    ballots = _rows(Ballot.__table__, Ballot.__table__.c.vote_id == vote_id)
    voted = _rows(Participation.__table__, Participation.__table__.c.vote_id == vote_id)
    head = ledger.head()
    if head is None:
        raise SystemExit("the template record is not chained")
    previous = ledger.as_link(head)
    secret = ledger.archive_secret(make=True)
    chained_after = secret.votes_chained_after if secret is not None else 0
    html_of: dict[str, str] = {}
    next_vote = (db.session.scalar(select(func.max(Vote.id))) or 0) + 1
    next_record = (db.session.scalar(select(func.max(DecisionRecord.id))) or 0) + 1
    next_entry = (db.session.scalar(select(func.max(CommitmentEntry.id))) or 0) + 1
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        votes, new_ballots, participations, records = [], [], [], []
        for n in range(size):
            vote_id, record_id = next_vote + n, next_record + n
            decided = START + timedelta(hours=6 * (record_id - 1))
            place, action = rng.choice(PLACES), rng.choice(ACTIONS)
            title = f"Run the {action} at the {place} (decision {record_id})"
            votes.append(
                {
                    **vote_row,
                    "id": vote_id,
                    "title": title,
                    "opened_at": decided - timedelta(days=2),
                    "closed_at": decided,
                    "created_at": decided - timedelta(days=3),
                }
            )
            new_ballots += [
                {
                    **b,
                    "id": secrets.token_hex(16),
                    "vote_id": vote_id,
                    "receipt_hash": secrets.token_hex(32),
                }
                for b in ballots
            ]
            participations += [{**p, "vote_id": vote_id} for p in voted]
            outcome = f"The members adopted the {action} at the {place}."
            unity = f"Every member takes part in the {action} at the {place} this season."
            records.append(
                {
                    **record_row,
                    "id": record_id,
                    "vote_id": vote_id,
                    "title": title,
                    "outcome_markdown": outcome,
                    "outcome_html": render_markdown(outcome),
                    "unity_markdown": unity,
                    "unity_html": render_markdown(unity),
                    "decided_at": decided,
                    "sealed_at": decided + timedelta(days=1),
                    "sealed_by_id": convener_id,
                    "state": RecordState.SEALED,
                }
            )
        db.session.execute(insert(_table(Vote)), votes)
        db.session.execute(insert(_table(Ballot)), new_ballots)
        db.session.execute(insert(_table(Participation)), participations)
        db.session.execute(insert(_table(DecisionRecord)), records)
        links, currents, entries, texts = [], [], [], []
        for row in records:
            # The vote's link first, as its close appends it; stored at once, since the
            # record's content names it.
            vote = db.session.get_one(Vote, row["vote_id"])
            link = chain.next_link(
                previous, LinkKind.VOTE, ledger.vote_content(vote, chained_after)
            )
            db.session.execute(
                insert(_table(ArchiveLink)), [_link_row(link, None, None, vote_id=vote.id)]
            )
            previous = link
            record = db.session.get_one(DecisionRecord, row["id"])
            link = chain.next_link(previous, LinkKind.RECORD, ledger.record_content(record))
            links.append(_link_row(link, row["id"], None))
            previous = link
            texts.append(
                {
                    "record_id": row["id"],
                    "source": "record",
                    "source_key": 0,
                    "title": row["title"],
                    "body": "\n\n".join(
                        (record.outcome_summary, row["outcome_markdown"], row["unity_markdown"])
                    ),
                }
            )
            for index, member_id in enumerate(member_ids):
                reasons = None
                if index % DISSENT_EVERY == 0:
                    reasons = rng.choice(REASONS).format(
                        place=rng.choice(PLACES), action=rng.choice(ACTIONS)
                    )
                    if reasons not in html_of:  # what the application stores beside them
                        html_of[reasons] = render_markdown(reasons)
                values = {
                    "record_id": row["id"],
                    "member_id": member_id,
                    "revision": 1,
                    "commits": index % (DISSENT_EVERY * 2) != 0,
                    "disagreement_markdown": reasons,
                    "disagreement_html": html_of.get(reasons) if reasons else None,
                    "tendency_id": tendency_of[index],
                    "recorded_at": row["sealed_at"] + timedelta(minutes=index),
                }
                # What the application reads back from the row (attributes, no session).
                entry: Any = SimpleNamespace(id=next_entry, **values)
                link = chain.next_link(
                    previous, LinkKind.COMMITMENT, ledger.commitment_content(entry)
                )
                links.append(_link_row(link, row["id"], next_entry))
                previous = link
                entries.append({"id": next_entry, **values})
                currents.append(values)
                next_entry += 1
                if reasons:
                    texts.append(
                        {
                            "record_id": row["id"],
                            "source": "disagreement",
                            "source_key": member_id,
                            "title": "Registered disagreement",
                            "body": reasons,
                        }
                    )
        db.session.execute(insert(_table(Commitment)), currents)
        db.session.execute(insert(_table(CommitmentEntry)), entries)
        db.session.execute(insert(_table(ArchiveLink)), links)
        db.session.execute(insert(_table(ArchiveText)), texts)
        db.session.commit()
        db.session.expunge_all()
        made += size
        next_vote += size
        next_record += size
        print(f"\r  {made:,} of {count:,} records", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def _table(model: type[Base]) -> Table:
    """The model's table, for Core inserts (the ORM's bookkeeping is the slow part)."""
    return cast(Table, model.__table__)


def _link_row(
    link: chain.Link, record_id: int | None, entry_id: int | None, *, vote_id: int | None = None
) -> dict[str, Any]:
    return {
        "position": link.position,
        "kind": link.kind,
        "record_id": record_id,
        "vote_id": vote_id,
        "entry_id": entry_id,
        "format": ledger.CONTENT_FORMAT,
        "content_hash": link.content_hash,
        "previous_hash": link.previous_hash,
        "hash": link.hash,
        "linked_at": START,
    }


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def query_counts(app: Flask, clients: dict[str, Any], pages: dict[str, tuple[str, str]]) -> dict:
    counts = {}
    for name, (who, url) in pages.items():
        with counting(app) as statements:
            response = clients[who].get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        counts[name] = len(statements)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--commitments", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument(
        "--database", help="a PostgreSQL server (postgresql://user@host/db); default SQLite"
    )
    options = parser.parse_args()
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        if options.database:
            uri = stack.enter_context(throwaway_database(options.database))
            app = create_app(
                {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": uri, "WTF_CSRF_ENABLED": False}
            )
            with app.app_context():
                db.create_all()
        else:
            app = bench_app(tmp)
        database = "PostgreSQL" if options.database else "SQLite"
        started = time.perf_counter()
        with app.app_context():
            convener, members, tendency_of = member_pool(options.commitments)
            template = first_record(convener, members)
            db.session.commit()
            reader_id, tendency_id = members[-1].get_id(), tendency_of[0]
            ids = template.id, convener.id, [m.id for m in members]
            bulk_records(SMALL - 1, *ids, tendency_of, rng)
            db.session.remove()
        record_id = ids[0] + 1
        pages = {
            "minimal page (login form)": ("anonymous", "/login"),
            "archive, first page": ("member", "/decisions/"),
            "archive, page 40": ("member", "/decisions/?page=40"),
            "archive, one tendency": ("member", f"/decisions/?tendency={tendency_id}"),
            "search “harbour leaflet”": ("member", "/decisions/?q=harbour+leaflet"),
            f"record page, {options.commitments} entries": ("member", f"/decisions/{record_id}"),
        }
        clients = {"anonymous": app.test_client(), "member": app.test_client()}
        with clients["member"].session_transaction() as session:
            session["_user_id"] = reader_id
            session["_fresh"] = True
        small = query_counts(app, clients, pages)
        with app.app_context():
            bulk_records(options.records - SMALL, *ids, tendency_of, rng)
            links = db.session.scalar(select(func.count()).select_from(ArchiveLink))
            db.session.remove()
        built = time.perf_counter() - started
        large = query_counts(app, clients, pages)
        timings: dict[str, list[float]] = {name: [] for name in pages}
        cpu_times: dict[str, list[float]] = {name: [] for name in pages}
        for round_number in range(options.rounds + 10):
            for name, (who, url) in pages.items():
                start, cpu = time.perf_counter(), time.process_time()
                response = clients[who].get(url)
                spent_cpu = (time.process_time() - cpu) * 1000
                elapsed = (time.perf_counter() - start) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code}")
                if round_number >= 10:  # the first rounds warm caches up
                    timings[name].append(elapsed)
                    cpu_times[name].append(spent_cpu)
        start, cpu = time.perf_counter(), time.process_time()
        with app.app_context():  # as `flask` itself gives every command
            result = app.test_cli_runner().invoke(args=["verify-archive"])
        verify_cpu = time.process_time() - cpu
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        verify_seconds = time.perf_counter() - start
    print(
        f"Archive of {options.records:,} sealed records with {options.commitments} commitments "
        f"each ({links:,} links), built in {built:.0f} s; {options.rounds} timed requests per "
        f"page ({database}, Python {sys.version.split()[0]})"
    )
    baseline = percentile(timings["minimal page (login form)"], 0.95)
    cpu_baseline = percentile(cpu_times["minimal page (login form)"], 0.95)
    print(
        f"{'page':<32} {'queries':>7} {'at ' + str(SMALL):>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p95/min':>8} {'CPU p95':>8} {'CPU/min':>8}"
    )
    for name, samples in timings.items():
        p50, p95 = statistics.median(samples), percentile(samples, 0.95)
        cpu95 = percentile(cpu_times[name], 0.95)
        print(
            f"{name:<32} {large[name]:7d} {small[name]:7d} {p50:7.1f} {p95:7.1f} "
            f"{p95 / baseline:7.1f}x {cpu95:8.1f} {cpu95 / cpu_baseline:7.1f}x"
        )
    print(
        "(p95: wall-clock; CPU p95: this process's CPU time per request, which a loaded machine "
        "does not inflate"
        + ("; PostgreSQL's own work is in its server, not counted)" if options.database else ")")
    )
    grown = [name for name in pages if large[name] != small[name]]
    print(
        "Query counts: "
        + ("the same with the whole archive as with 100 records." if not grown else "")
        + (f"GREW for {', '.join(grown)}." if grown else "")
    )
    print(result.output.rstrip())
    per_thousand = verify_seconds / options.records * 1000
    print(
        f"verify-archive: {verify_seconds:.1f} s for {options.records:,} records and "
        f"{links:,} links, {per_thousand:.2f} s per 1,000 records "
        f"({verify_cpu / options.records * 1000:.2f} s of CPU; exit {result.exit_code})."
    )


if __name__ == "__main__":
    main()
