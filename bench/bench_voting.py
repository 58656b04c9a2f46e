"""Benchmark of a convention voting at once, over HTTP on PostgreSQL, and of closing 100k ballots.

Makes a throwaway PostgreSQL database (the schema from the models) with a convener and 1,500
members in three tendencies, and a secret ranked vote (instant runoff, six candidates). The app
is served by gunicorn (4 sync workers, production settings) on 127.0.0.1 at a free port; a
separate load process sends, from 32 concurrent clients, first the minimal page of the same app
(the password form, logged in, no query of its own) once per member, then every member's one
ranked ballot (`POST /votes/<id>/cast`, rank fields and confirm=1). Members are logged in by
signing their session cookies with the app's key (a password login is argon2 by design and
rate-limited per address, which is not what is measured here). Prints, beside the baseline:
requests per second, p50 and p99 latency, the CPU per request of the app (gunicorn's processes)
and of the database (the PostgreSQL backends serving them), both from /proc, the machine's load
average (other work on a shared machine shows there), and the ballots lost or duplicated (every
receipt code answered must find its stored ballot, and there must be as many ballots and
participations as accepted answers).

Then loads 100,000 members, opens a vote for them, loads a ballot and a participation for each
in bulk (COPY), and times `close_vote` beside the pure count of the same ballots in memory (the
counting engine alone). With --profile (or when the close is over its target) the close runs
again under cProfile on an identical vote and the top of the profile is printed.

Targets on a 2-core machine: >= 300 ballots/s, p99 < 500 ms, close of 100k ballots < 2 s.

Run: python bench/bench_voting.py [--database postgresql://user@host/db] [--members 1500]
     [--clients 32] [--workers 4] [--close-ballots 100000] [--profile]
The database server comes from --database, else DELIBERATE_TEST_DB, else the local default.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import http.client
import io
import json
import os
import pstats
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask, session
from flask_login.utils import _create_identifier
from flask_wtf.csrf import generate_csrf
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.pool import NullPool

from bench.common import concurrently, percentile
from deliberate import create_app
from deliberate.accounts.models import Member, MemberRole, MemberStatus
from deliberate.accounts.passwords import hash_password
from deliberate.database import utcnow
from deliberate.extensions import db
from deliberate.tendencies.models import MembershipRole, Tendency, TendencyMembership
from deliberate.voting import results, services
from deliberate.voting.models import Ballot, BallotSource, Participation, Vote
from deliberate.voting.rules import Settings, encode
from deploy.topology import database

SEED = 2026
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
CANDIDATES = ("Amaru", "Bettina", "Chidi", "Dolores", "Esko", "Farah")
# Rough popularity, so that the count takes several rounds.
POPULARITY = (30, 24, 18, 12, 10, 6)
USER_AGENT = "deliberate-bench/1"
TARGET_RATE = 300.0
TARGET_P99_MS = 500.0
TARGET_CLOSE_S = 2.0
RECEIPT = re.compile(rb'data-receipt-code="([^"]+)"')
ROOT = Path(__file__).resolve().parent.parent


# --- the database and the app -------------------------------------------------------------------


@contextmanager
def throwaway_database(server_url: str) -> Iterator[str]:
    """A database of this run's own on the server, dropped afterwards."""
    with database(server_url, f"deliberate_bench_{os.getpid()}") as uri:
        yield uri


def bench_convener() -> Member:
    """The convener who opens the benchmark's votes (flushed), with a password nobody knows."""
    convener = Member(
        display_name="Convener",
        email="convener@bench.example",
        password_hash=hash_password(secrets.token_urlsafe(12)),
        role=MemberRole.CONVENER,
    )
    db.session.add(convener)
    db.session.flush()
    return convener


def production_app(uri: str, secret_key: str) -> Flask:
    """The app as gunicorn will build it (production settings), on the bench's database."""
    return create_app(
        {"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": secret_key}
    )


def add_members(count: int, tendencies: Sequence[int]) -> list[tuple[int, str]]:
    """`count` active members inserted in bulk, a quarter of them in each tendency; returns
    their ids and session tokens."""
    password = hash_password(secrets.token_urlsafe(12))
    rows = db.session.execute(
        insert(Member).returning(Member.id, Member.session_token),
        [
            {
                "display_name": f"Member {n:04d}",
                "email": f"member{n}@bench.example",
                "password_hash": password,
                "role": MemberRole.MEMBER,
                "status": MemberStatus.ACTIVE,
                "session_token": secrets.token_urlsafe(16),
            }
            for n in range(count)
        ],
    ).all()
    db.session.execute(
        insert(TendencyMembership),
        [
            {
                "member_id": member_id,
                "tendency_id": tendencies[n % 4],
                "role": MembershipRole.MEMBER,
            }
            for n, (member_id, _token) in enumerate(rows)
            if n % 4 < len(tendencies)
        ],
    )
    return [(member_id, token) for member_id, token in rows]


def make_tendencies(convener: Member) -> list[int]:
    made = [
        Tendency(name=f"Tendency {name}", line_markdown="A line.", line_html="<p>A line.</p>")
        for name in ("North", "Harbour", "Valley")
    ]
    db.session.add_all(made)
    db.session.flush()
    return [t.id for t in made]


def ranked_vote(convener: Member, title: str) -> Vote:
    return services.create_vote(
        convener,
        title=title,
        settings=Settings(method="irv"),
        options=[services.OptionSpec(label) for label in CANDIDATES],
    )


def ranking(rng: random.Random) -> list[str]:
    """A ranking of 1 to 6 candidates, the popular ones more often first."""
    pool, weights, chosen = list(CANDIDATES), list(POPULARITY), []
    for _ in range(rng.choice((1, 2, 2, 3, 3, 3, 4, 6))):
        pick = rng.choices(range(len(pool)), weights)[0]
        chosen.append(pool.pop(pick))
        weights.pop(pick)
    return chosen


def session_cookie(app: Flask, member_id: int, token: str) -> tuple[str, str]:
    """A logged-in session cookie for the member and the CSRF token of its forms."""
    environ = {"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": USER_AGENT}
    # An app context of its own: Flask-WTF keeps the token in `g`, which would otherwise be
    # shared with the caller's context and hand every member the first member's token.
    with app.app_context(), app.test_request_context("/", environ_base=environ):
        session["_user_id"] = f"{member_id}:{token}"
        session["_fresh"] = True
        # What Flask-Login's login_user stores (its "basic" session protection checks it).
        session["_id"] = _create_identifier()
        csrf_token = generate_csrf()
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return cookie, csrf_token


# --- gunicorn ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Server:
    """gunicorn serving the app, and where to read the CPU its requests cost."""

    port: int
    master: int
    uri: str

    def app_pids(self) -> list[int]:
        return [self.master, *worker_pids(self.master)]

    def database_pids(self) -> list[int]:
        """The PostgreSQL backends serving the app's connections (gunicorn's workers keep
        theirs, so after a warm-up the same backends serve every request)."""
        engine = create_engine(self.uri, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                return list(
                    connection.execute(
                        text(
                            "SELECT pid FROM pg_stat_activity"
                            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                        )
                    ).scalars()
                )
        finally:
            engine.dispose()


@contextmanager
def gunicorn(uri: str, secret_key: str, workers: int, log: Path) -> Iterator[Server]:
    """gunicorn serving the app (production settings) on a free local port."""
    port = free_port()
    environ = {
        # Rate-limit counters of this run's own in the shared store (production's, Redis).
        "RATELIMIT_KEY_PREFIX": f"bench-{secrets.token_hex(4)}",
        **os.environ,
        "DELIBERATE_ENV": "production",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": uri,
        # gunicorn.conf.py's settings, but no access log (as measured before it existed) and
        # no worker replaced mid-run (its CPU would be lost from the count).
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_MAX_REQUESTS": "0",
    }
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--error-logfile",
        str(log),
        "deliberate:create_app()",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=environ)  # noqa: S603 (our own command)
    try:
        deadline = time.monotonic() + 30
        while len(worker_pids(server.pid)) < workers or not answers(port):
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start; see {log}")
            time.sleep(0.2)
        yield Server(port, server.pid, uri)
    finally:
        server.terminate()
        server.wait(timeout=30)


def answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/account/password")
        connection.getresponse().read()
        connection.close()
        return True
    except OSError:
        return False


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        return [int(pid) for pid in children.read_text().split()]
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(stat.parent.name))
    return pids


def cpu_seconds(pids: Sequence[int]) -> float | None:
    """User and system CPU of these processes so far, from /proc (None where it cannot be
    read, as another user's processes for an unprivileged run)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def spent(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


# --- the load process ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    cookie: str
    body: bytes = b""


@dataclass(frozen=True)
class Answer:
    status: int
    ms: float
    receipt: str | None


def drive(port: int, requests: Sequence[Request], clients: int) -> tuple[list[Answer], float]:
    """Send the requests from `clients` concurrent threads; return every answer, in order,
    and the wall time in seconds. Runs in the load process."""
    return concurrently(requests, clients, lambda request: send(port, request))


def send(port: int, request: Request) -> Answer:
    headers = {"Cookie": f"session={request.cookie}", "User-Agent": USER_AGENT}
    if request.body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    start = time.perf_counter()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request(request.method, request.path, body=request.body, headers=headers)
        response = connection.getresponse()
        body = response.read()
        connection.close()
    except OSError:
        return Answer(0, (time.perf_counter() - start) * 1000, None)
    elapsed = (time.perf_counter() - start) * 1000
    found = RECEIPT.search(body)
    return Answer(response.status, elapsed, found.group(1).decode() if found else None)


@dataclass
class Phase:
    name: str
    answers: list[Answer]
    seconds: float
    cpu: float | None
    database_cpu: float | None
    load_average: float

    @property
    def rate(self) -> float:
        return len(self.answers) / self.seconds

    def latency(self, share: float) -> float:
        return percentile([a.ms for a in self.answers], share)

    @property
    def cpu_ms(self) -> float:
        return (self.cpu or 0.0) * 1000 / len(self.answers)

    @property
    def database_cpu_ms(self) -> float | None:
        if self.database_cpu is None:
            return None
        return self.database_cpu * 1000 / len(self.answers)

    @property
    def failures(self) -> int:
        return sum(1 for a in self.answers if a.status != 200)


def run_phase(
    load: ProcessPoolExecutor, name: str, server: Server, requests: list[Request], clients: int
) -> Phase:
    app, database = server.app_pids(), server.database_pids()
    app_before, database_before = cpu_seconds(app), cpu_seconds(database)
    answered, seconds = load.submit(drive, server.port, requests, clients).result()
    return Phase(
        name,
        answered,
        seconds,
        spent(app_before, cpu_seconds(app)),
        spent(database_before, cpu_seconds(database)),
        os.getloadavg()[0],
    )


def cast_request(vote_id: int, cookie: str, csrf_token: str, chosen: Sequence[str]) -> Request:
    fields = {"csrf_token": csrf_token, "confirm": "1"}
    for rank, label in enumerate(chosen, start=1):
        fields[f"rank_{CANDIDATES.index(label) + 1}"] = str(rank)
    return Request("POST", f"/votes/{vote_id}/cast", cookie, urlencode(fields).encode())


# --- closing a large vote ---------------------------------------------------------------------


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Bulk-load rows with PostgreSQL's COPY, inside the session's transaction."""
    raw = db.session.connection().connection.driver_connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def large_vote(convener_id: int, ballots: int, rng: random.Random, title: str) -> int:
    """An open ranked vote with `ballots` secret ballots and participations loaded in bulk
    (members made for it: the first call adds them, a second reuses them)."""
    voters = select(Member.id).where(Member.email.like("voter%")).order_by(Member.id)
    missing = ballots - len(db.session.scalars(voters).all())
    if missing > 0:
        now, password = utcnow(), hash_password(secrets.token_urlsafe(12))
        copy_rows(
            "members",
            ("display_name", "email", "password_hash", "role", "status", "joined_at",
             "session_token"),
            (
                (f"Voter {n:06d}", f"voter{n}@bench.example", password, "member", "active", now,
                 secrets.token_urlsafe(16))
                for n in range(ballots - missing, ballots)
            ),
        )  # fmt: skip
        db.session.commit()
    vote = ranked_vote(db.session.get_one(Member, convener_id), title)
    vote_id = vote.id
    copy_rows(
        "vote_participations",
        ("vote_id", "member_id"),
        ((vote_id, m) for m in db.session.scalars(voters.limit(ballots))),
    )
    copy_rows(
        "ballots",
        ("id", "vote_id", "receipt_hash", "source", "content"),
        (
            (
                secrets.token_hex(16),
                vote_id,
                hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
                BallotSource.ONLINE.value,
                encode({"ranking": ranking(rng)}),
            )
            for _ in range(ballots)
        ),
    )
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return vote_id


def time_close(convener_id: int, vote_id: int, profiler: cProfile.Profile | None = None) -> float:
    db.session.remove()
    convener = db.session.get_one(Member, convener_id)
    vote = db.session.get_one(Vote, vote_id)
    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    services.close_vote(convener, vote)
    db.session.commit()
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - start
    db.session.remove()
    return seconds


def time_pure_count(vote_id: int) -> float:
    """The counting engine alone on the same ballots, already in memory (the baseline)."""
    vote = db.session.get_one(Vote, vote_id)
    options = services.load_options(vote)
    contents = db.session.scalars(select(Ballot.content).where(Ballot.vote_id == vote_id)).all()
    ballots = [results.CountedBallot(json.loads(c)) for c in contents]
    settings = services.settings_of(vote, options)
    db.session.remove()
    start = time.perf_counter()
    results.compute(
        settings,
        ballots=ballots,
        roll_size=len(ballots),
        participation=len(ballots),
        tendencies={},
        roll_call=False,
    )
    return time.perf_counter() - start


def profile_report(profiler: cProfile.Profile, lines: int = 25) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(lines)
    stats.sort_stats("tottime").print_stats(12)
    return out.getvalue()


# --- the run ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("DELIBERATE_TEST_DB", DEFAULT_SERVER))
    parser.add_argument("--members", type=int, default=1500)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--close-ballots", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true")
    options = parser.parse_args()
    rng = random.Random(SEED)
    secret_key = secrets.token_urlsafe(32)
    warmup = 100
    with throwaway_database(options.database) as uri, tempfile.TemporaryDirectory() as tmp:
        app = production_app(uri, secret_key)
        with app.app_context():
            db.create_all()
            convener = bench_convener()
            members = add_members(options.members + warmup, make_tendencies(convener))
            rehearsal = ranked_vote(convener, "Rehearsal: who chairs the first session?")
            vote = ranked_vote(convener, "Who chairs the convention?")
            ids = {"convener": convener.id, "rehearsal": rehearsal.id, "vote": vote.id}
            db.session.commit()
            logins = [session_cookie(app, m, token) for m, token in members]
            db.session.remove()
        minimal = [Request("GET", "/account/password", cookie) for cookie, _ in logins[warmup:]]
        rehearsal_casts = [
            cast_request(ids["rehearsal"], cookie, csrf, ranking(rng))
            for cookie, csrf in logins[:warmup]
        ]
        casts = [
            cast_request(ids["vote"], cookie, csrf, ranking(rng))
            for cookie, csrf in logins[warmup:]
        ]
        log = Path(tmp) / "gunicorn.log"
        spawn = get_context("spawn")
        with (
            gunicorn(uri, secret_key, options.workers, log) as server,
            ProcessPoolExecutor(max_workers=1, mp_context=spawn) as load,
        ):
            # Warm every worker up on both routes (templates, connections, caches).
            run_phase(load, "warm-up", server, minimal[:warmup], options.clients)
            warm = run_phase(load, "warm-up", server, rehearsal_casts, options.clients)
            if warm.failures:
                give_up("the rehearsal's ballots were not all accepted", warm, log)
            baseline = run_phase(
                load, "minimal page (password form)", server, minimal, options.clients
            )
            casting = run_phase(load, "cast a ranked ballot", server, casts, options.clients)
        with app.app_context():
            check = ballot_check(ids["vote"], casting)
            close_small = time_close(ids["convener"], ids["vote"])
            built = time.perf_counter()
            large = large_vote(ids["convener"], options.close_ballots, rng, "Referendum")
            build_seconds = time.perf_counter() - built
            pure = time_pure_count(large)
            close_large = time_close(ids["convener"], large)
            profiled = None
            if options.profile or close_large > TARGET_CLOSE_S:
                twin = large_vote(ids["convener"], options.close_ballots, rng, "Referendum twin")
                profiler = cProfile.Profile()
                time_close(ids["convener"], twin, profiler)
                profiled = profile_report(profiler)
            db.session.remove()
            db.engine.dispose()
    report(options, baseline, casting, check, close_small, close_large, pure, build_seconds)
    if profiled:
        print("\nProfile of closing an identical vote of the same size (cProfile):")
        print(profiled)


def give_up(why: str, phase: Phase, log: Path) -> None:
    statuses = Counter(a.status for a in phase.answers)
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    raise SystemExit(f"{why}: answers {dict(statuses)}\n{tail}")


def ballot_check(vote_id: int, casting: Phase) -> dict[str, int]:
    """Compare what the answers said with what the database holds."""
    accepted = [a.receipt for a in casting.answers if a.status == 200 and a.receipt]
    hashes = {services.receipt_hash(vote_id, code) for code in accepted}
    stored = set(db.session.scalars(select(Ballot.receipt_hash).where(Ballot.vote_id == vote_id)))
    participations = db.session.scalar(
        select(func.count()).select_from(Participation).where(Participation.vote_id == vote_id)
    )
    db.session.remove()
    return {
        "accepted": len(accepted),
        "ballots": len(stored),
        "participations": int(participations or 0),
        "lost": len(hashes - stored),
        "duplicated": len(stored - hashes) + abs(int(participations or 0) - len(stored)),
    }


def report(
    options: argparse.Namespace, baseline: Phase, casting: Phase, check: dict[str, int],
    close_small: float, close_large: float, pure: float, build_seconds: float,
) -> None:  # fmt: skip
    print(
        f"{options.members:,} members, one ranked ballot each (instant runoff, "
        f"{len(CANDIDATES)} candidates), {options.clients} concurrent clients from a separate "
        f"process; gunicorn {options.workers} sync workers, PostgreSQL, Python "
        f"{sys.version.split()[0]}, {os.cpu_count()} cores"
    )
    print(
        f"{'requests':<30} {'per s':>7} {'p50 ms':>8} {'p99 ms':>8} {'app CPU ms':>11} "
        f"{'db CPU ms':>10} {'not 200':>8} {'load avg':>9}"
    )
    for phase in (baseline, casting):
        database = f"{phase.database_cpu_ms:10.1f}" if phase.database_cpu_ms is not None else "n/a"
        print(
            f"{phase.name:<30} {phase.rate:7.0f} {phase.latency(0.5):8.1f} "
            f"{phase.latency(0.99):8.1f} {phase.cpu_ms:11.1f} {database:>10} "
            f"{phase.failures:8d} {phase.load_average:9.1f}"
        )
    ratio = (
        f"{casting.database_cpu_ms / baseline.database_cpu_ms:9.2f}x"
        if casting.database_cpu_ms and baseline.database_cpu_ms
        else "n/a"
    )
    print(
        f"{'cast / minimal page':<30} {casting.rate / baseline.rate:6.2f}x "
        f"{casting.latency(0.5) / baseline.latency(0.5):7.2f}x "
        f"{casting.latency(0.99) / baseline.latency(0.99):7.2f}x "
        f"{casting.cpu_ms / baseline.cpu_ms:10.2f}x {ratio:>10}"
    )
    print(
        "(CPU per request: user + system time of gunicorn's processes and of the PostgreSQL "
        "backends serving them, over the phase, per request; load avg: the machine's 1-minute "
        "load average at the end of the phase, other work included.)"
    )
    print(
        f"Ballots: {check['accepted']:,} accepted answers, {check['ballots']:,} stored ballots, "
        f"{check['participations']:,} participations; lost {check['lost']}, duplicated "
        f"{check['duplicated']}."
    )
    met = (
        casting.rate >= TARGET_RATE
        and casting.latency(0.99) < TARGET_P99_MS
        and check["lost"] == check["duplicated"] == 0
        and casting.failures == 0
    )
    print(
        f"Target >= {TARGET_RATE:.0f} ballots/s, p99 < {TARGET_P99_MS:.0f} ms, none lost or "
        f"duplicated: {'met' if met else 'NOT met'}."
    )
    print(
        f"Closing the vote of {check['ballots']:,} ballots: {close_small * 1000:.0f} ms. "
        f"Closing a vote of {options.close_ballots:,} ballots (inserted in {build_seconds:.1f} s):"
        f" {close_large * 1000:.0f} ms, beside {pure * 1000:.0f} ms for the count alone in memory"
        f" ({close_large / pure:.2f}x). Target < {TARGET_CLOSE_S:.0f} s: "
        f"{'met' if close_large < TARGET_CLOSE_S else 'NOT met'}."
    )


if __name__ == "__main__":
    main()
