"""Every main page served by gunicorn on PostgreSQL, read from a separate load process.

For the demo organization, then a generated one of 90,000 members in three tendencies with a
300-amendment draft and a 2,000-comment thread (bench/world.py), each in a throwaway
PostgreSQL database of its own (dropped afterwards), gunicorn serves the app (production
settings, `--workers` sync workers) on 127.0.0.1 at a free port, and a load process reads each
page `--requests` times from `--clients` concurrent connections, one page after the other,
logged in as an ordinary member of a tendency, as a delegate would (the login page
anonymously, the admins' pages as an admin). For each page: requests per second, p50
and p99 latency, the application's CPU per request (the gunicorn processes' user and system
time from /proc, divided by the requests), its ratio to the login page's (read in alternation
with the page, a slice of each in turn: see `serve_and_read`), the database's CPU
per request (the PostgreSQL backends serving the workers) and the page's size.

Then a login storm: `--logins` distinct members of the generated organization log in with
their passwords (GET the form, POST it: argon2id with the production parameters), all from
127.0.0.1 as a hall behind one NAT address would, and a guesser's run on one account shows
where the per-account limit stops it.

Targets (issue 12), CPU as a ratio to the login page: demo draft page <= 6, 300-amendment
draft <= 15, amendment page <= 5, thread page <= 4, home <= 3; with 90,000 members no page
above 10, every page under 200 KiB, home and draft pages' database CPU within 1.5x of the
demo's; 1,500 logins within 2 minutes with 4 workers.

Issue 22's, for the demo: the ballot page of an open vote (read by an ordinary member on its
roll who has not voted; read by a convener too, who sees the conveners' box and the turnout
besides, without a target), its paper ballots page (read by a convener), the largest results
page, the archive, the demo draft and an amendment page <= 3, the largest decision record
<= 4.
`--rounds N` reads the demo's pages N times over and prints the spread of each ratio.

Run: python bench/bench_serve.py [--database postgresql://user@host/db] [--requests 200]
     [--clients 8] [--workers 2] [--members 90000] [--logins 1500] [--skip-demo]
     [--skip-large] [--rounds 1] [--slices 4]
     [--ratelimit-storage redis://127.0.0.1:6379/0]
The database server comes from --database, else DELIBERATE_TEST_DB, else the local default.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from bench.bench_voting import (
    DEFAULT_SERVER,
    Request,
    Server,
    cpu_seconds,
    gunicorn,
    production_app,
    session_cookie,
    spent,
    throwaway_database,
)
from bench.common import PASSWORD, concurrently, percentile
from bench.world import LOGIN_PAGE, MAX_KIB, World, demo_world, large_world, target_of
from config import ProductionConfig
from deliberate.extensions import db

CSRF = re.compile(
    rb'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)
USER_AGENT = "deliberate-bench/1"


@dataclass(frozen=True)
class Reply:
    status: int
    ms: float
    size: int


def fetch(port: int, request: Request) -> Reply:
    headers = {"User-Agent": USER_AGENT}
    if request.cookie:
        headers["Cookie"] = f"session={request.cookie}"
    start = time.perf_counter()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.request(request.method, request.path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        connection.close()
    except OSError:
        return Reply(0, (time.perf_counter() - start) * 1000, 0)
    return Reply(response.status, (time.perf_counter() - start) * 1000, len(body))


def read_pages(port: int, requests: Sequence[Request], clients: int) -> tuple[list[Reply], float]:
    """Send the requests from `clients` threads; every reply and the wall time. Runs in the
    load process."""
    return concurrently(requests, clients, lambda request: fetch(port, request))


def log_in(port: int, email: str, password: str) -> tuple[int, float]:
    """GET the login form, POST it; the POST's status and the whole exchange in ms."""
    start = time.perf_counter()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.request("GET", "/login", headers={"User-Agent": USER_AGENT})
        response = connection.getresponse()
        body = response.read()
        cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
        found = CSRF.search(body)
        token = (found.group(1) or found.group(2)).decode() if found else ""
        form = urlencode({"csrf_token": token, "email": email, "password": password})
        connection.request(
            "POST",
            "/login",
            body=form,
            headers={
                "User-Agent": USER_AGENT,
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = connection.getresponse()
        response.read()
        connection.close()
    except OSError:
        return 0, (time.perf_counter() - start) * 1000
    return response.status, (time.perf_counter() - start) * 1000


def storm(
    port: int, logins: Sequence[tuple[str, str]], clients: int
) -> tuple[list[tuple[int, float]], float]:
    """Log each (email, password) in from `clients` threads. Runs in the load process."""
    return concurrently(logins, clients, lambda login: log_in(port, *login))


@dataclass
class Measure:
    name: str
    replies: list[Reply]
    seconds: float
    cpu: float | None
    database_cpu: float | None

    @property
    def cpu_ms(self) -> float:
        return (self.cpu or 0.0) * 1000 / len(self.replies)

    @property
    def database_ms(self) -> float | None:
        return None if self.database_cpu is None else self.database_cpu * 1000 / len(self.replies)


def measure(
    load: ProcessPoolExecutor, server: Server, name: str, requests: list[Request], clients: int
) -> Measure:
    app, database = server.app_pids(), server.database_pids()
    before, database_before = cpu_seconds(app), cpu_seconds(database)
    replies, seconds = load.submit(read_pages, server.port, requests, clients).result()
    return Measure(
        name, replies, seconds, spent(before, cpu_seconds(app)),
        spent(database_before, cpu_seconds(database)),
    )  # fmt: skip


def merged(name: str, parts: list[Measure]) -> Measure:
    """Slices of one page's reading as one measure."""
    database = [m.database_cpu for m in parts]
    return Measure(
        name,
        [r for m in parts for r in m.replies],
        sum(m.seconds for m in parts),
        sum(m.cpu or 0.0 for m in parts),
        None if any(d is None for d in database) else sum(d or 0.0 for d in database),
    )


def serve_and_read(
    uri: str, secret: str, world: World, options: argparse.Namespace, load: ProcessPoolExecutor,
    log: Path,
) -> tuple[dict[str, Measure], dict[str, float]]:  # fmt: skip
    """Every page's measure, and the login page's CPU per request read in alternation with
    it: each page is read in `--slices` slices, each right after a slice of the login page
    of the same size, so that a machine busier for one page than for another (other
    processes come and go) weighs on the page and on its baseline alike."""
    app = production_app(uri, secret)
    cookies = {
        who: session_cookie(app, *who)[0] for who in {world.reader_of(n) for n in world.pages}
    }
    results: dict[str, Measure] = {}
    baselines: dict[str, float] = {}
    logins: list[Measure] = []
    slices = max(1, options.slices)
    with gunicorn(uri, secret, options.workers, log) as server:
        login = [Request("GET", world.pages[LOGIN_PAGE], "")] * max(1, options.requests // slices)
        for name, path in world.pages.items():
            sent = "" if name == LOGIN_PAGE else cookies[world.reader_of(name)]
            warm = [Request("GET", path, sent)] * (options.workers * 3)
            load.submit(read_pages, server.port, warm, options.clients).result()
            requests = [Request("GET", path, sent)] * max(1, options.requests // slices)
            pages: list[Measure] = []
            beside: list[Measure] = []
            for _slice in range(slices):
                beside.append(measure(load, server, LOGIN_PAGE, login, options.clients))
                if name != LOGIN_PAGE:
                    pages.append(measure(load, server, name, requests, options.clients))
            logins.extend(beside)
            results[name] = merged(name, pages or beside)
            baselines[name] = merged(LOGIN_PAGE, beside).cpu_ms
            failures = sum(1 for r in results[name].replies if r.status != 200)
            if failures:
                raise SystemExit(f"{path} failed {failures} times; see {log}")
    results[LOGIN_PAGE] = merged(LOGIN_PAGE, logins)
    baselines[LOGIN_PAGE] = results[LOGIN_PAGE].cpu_ms
    return results, baselines


def report(
    title: str, results: dict[str, Measure], baselines: dict[str, float], large: bool
) -> None:
    print(f"\n{title}")
    print(
        "| page | req/s | p50 ms | p99 ms | app CPU ms/req | login beside | ÷ login | "
        "DB CPU ms/req | KiB |",
        end="",
    )
    print(" target |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, m in results.items():
        ms = [r.ms for r in m.replies]
        baseline = baselines[name]
        ratio = m.cpu_ms / baseline if baseline else float("nan")
        target = target_of(name, large)
        verdict = (
            "" if target is None else f"≤ {target:g}: {'met' if ratio <= target else 'NOT met'}"
        )
        kib = m.replies[0].size / 1024
        if large and kib > MAX_KIB:
            verdict += f"; over {MAX_KIB} KiB"
        database = "?" if m.database_ms is None else f"{m.database_ms:.1f}"
        print(
            f"| {name} | {len(ms) / m.seconds:.0f} | {statistics.median(ms):.1f} | "
            f"{percentile(ms, 0.99):.1f} | {m.cpu_ms:.1f} | {baseline:.1f} | {ratio:.1f} | "
            f"{database} | {kib:.0f} | {verdict} |"
        )


def only(world: World, words: str) -> World:
    """The world with only the pages whose names hold one of the comma-separated `words`."""
    wanted = [w.strip() for w in words.split(",") if w.strip()]
    if wanted:
        world.pages = {
            name: path
            for name, path in world.pages.items()
            if name == LOGIN_PAGE or any(w in name for w in wanted)
        }
    return world


def spread(ratios: dict[str, list[float]]) -> None:
    """The ratios to the login page over the rounds: median, lowest and highest."""
    print(f"\nRatios to the login page over {len(next(iter(ratios.values())))} rounds")
    print("| page | median | lowest | highest | target |")
    print("|---|---:|---:|---:|---|")
    for name, values in ratios.items():
        target = target_of(name, False)
        middle = statistics.median(values)
        verdict = (
            "" if target is None else f"≤ {target:g}: {'met' if middle <= target else 'NOT met'}"
        )
        print(f"| {name} | {middle:.2f} | {min(values):.2f} | {max(values):.2f} | {verdict} |")


def settle() -> None:
    """The statistics autovacuum gathers within a minute of a bulk load: the planner of a
    database filled a moment ago knows nothing of its tables (the members directory's page
    then took 86 ms of database time instead of 1 ms)."""
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", default=os.environ.get("DELIBERATE_TEST_DB") or DEFAULT_SERVER
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated words: read only the pages whose names hold one (and the login page)",
    )
    parser.add_argument(
        "--slices",
        type=int,
        default=4,
        help="read each page in this many slices, each after as many reads of the login page",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--login-workers", type=int, default=4)
    parser.add_argument("--members", type=int, default=90_000)
    parser.add_argument("--logins", type=int, default=1500)
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument(
        "--skip-large", action="store_true", help="the demo organization only, no login storm"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="read the demo's pages this many times over, each round against its own login "
        "page, and print the spread of the ratios",
    )
    parser.add_argument(
        "--ratelimit-storage",
        default=os.environ.get("RATELIMIT_STORAGE_URI", ""),
        help="shared rate-limit counters for the login storm's workers (redis://…), as in "
        "production; without, each worker counts alone",
    )
    options = parser.parse_args()
    secret = secrets.token_urlsafe(32)
    log = Path(tempfile.gettempdir()) / f"deliberate-bench-serve-{os.getpid()}.log"
    demo: dict[str, Measure] = {}
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as load:
        if not options.skip_demo:
            with throwaway_database(options.database) as uri:
                app = production_app(uri, secret)
                with app.app_context():
                    db.create_all()
                    world = only(demo_world(), options.only)
                    settle()
                    db.session.remove()
                    db.engine.dispose()
                ratios: dict[str, list[float]] = {}
                for _round in range(options.rounds):
                    demo, baselines = serve_and_read(uri, secret, world, options, load, log)
                    report("Demo organization (30 members)", demo, baselines, large=False)
                    for name, m in demo.items():
                        ratios.setdefault(name, []).append(m.cpu_ms / baselines[name])
                if options.rounds > 1:
                    spread(ratios)
        if options.skip_large:
            return
        with throwaway_database(options.database) as uri:
            app = production_app(uri, secret)
            with app.app_context():
                db.create_all()
                built = time.perf_counter()
                world = large_world(options.members)
                print(f"\nGenerated the organization in {time.perf_counter() - built:.0f} s.")
                settle()
                db.session.remove()
                db.engine.dispose()
            large, baselines = serve_and_read(uri, secret, world, options, load, log)
            report(
                f"Generated organization ({options.members:,} members)",
                large,
                baselines,
                large=True,
            )
            if demo:
                for name, other in (
                    ("home", "home"),
                    ("demo draft page", "300-amendment draft page"),
                ):
                    a, b = demo[name].database_ms, large[other].database_ms
                    if a and b:
                        print(
                            f"Database CPU, {other} at {options.members:,} members ÷ {name} "
                            f"of the demo: {b / a:.2f}x (target ≤ 1.5)"
                        )
            if options.logins:
                if options.ratelimit_storage:  # counters of this run's own in a shared store
                    os.environ["RATELIMIT_STORAGE_URI"] = options.ratelimit_storage
                    os.environ["RATELIMIT_KEY_PREFIX"] = f"bench-{secrets.token_hex(4)}"
                logins = [(email, PASSWORD) for _id, email in world.members[: options.logins]]
                with gunicorn(uri, secret, options.login_workers, log) as server:
                    app_pids = server.app_pids()
                    before = cpu_seconds(app_pids)
                    answers, seconds = load.submit(storm, server.port, logins, 16).result()
                    cpu = spent(before, cpu_seconds(app_pids))
                    ok = sum(1 for status, _ms in answers if status == 303)
                    in_time = seconds <= 120 and ok == len(logins)
                    ms = [m for _s, m in answers]
                    print(
                        f"\nLogin storm: {len(logins):,} members from one address, "
                        f"{options.login_workers} workers, 16 clients: {ok:,} logged in, "
                        f"{len(answers) - ok} refused, in {seconds:.1f} s "
                        f"({ok / seconds:.1f} logins/s; p50 {statistics.median(ms):.0f} ms, "
                        f"p99 {percentile(ms, 0.99):.0f} ms; app CPU "
                        f"{(cpu or 0) * 1000 / max(len(answers), 1):.0f} ms per login). "
                        f"Target: within 120 s: {'met' if in_time else 'NOT met'}."
                    )
                    victim = world.members[-1][1]
                    guesses = [(victim, f"guess {n}") for n in range(12)]
                    answers, _ = load.submit(storm, server.port, guesses, 1).result()
                    statuses = [status for status, _ms in answers]
                    first_refusal = next((i for i, s in enumerate(statuses) if s == 429), None)
                    # Production refuses per-process counters: they are in Redis, the
                    # local one unless --ratelimit-storage names another.
                    counters = "counters shared in " + (
                        options.ratelimit_storage or ProductionConfig.RATELIMIT_STORAGE_URI
                    )
                    print(
                        f"Guessing one account's password: answers {statuses}; refused from "
                        f"guess {None if first_refusal is None else first_refusal + 1} on "
                        f"({counters})."
                    )


if __name__ == "__main__":
    main()
