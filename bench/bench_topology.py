"""What nginx and a second instance cost: bench_voting's casting and bench_serve's draft page
through the deployment of deploy/ (nginx with TLS in front of two app instances, on PostgreSQL
and Redis) beside one of those instances read directly, in the same run.

deploy/topology.py starts the topology on a throwaway PostgreSQL database with the demo
organization (migrated as on a deploy, dropped afterwards). `--members` members are added in
bulk and logged in by signed session cookies (as in bench_voting). Then, `--rounds` times, in
alternation (so that a machine busier at one moment weighs on both alike):
- directly: a new ranked vote, every member casting one ballot (`POST /votes/<id>/cast`) from
  `--clients` concurrent connections of a separate load process, over plain HTTP to instance
  a's port, then the demo draft page read `--requests` times by a member;
- through nginx: the same over HTTPS to nginx, which shares the requests between instances a
  and b.
For each: ballots per second, p50 and p99 latency, the application's CPU per cast and per
draft page (the gunicorn processes of the instances serving, from /proc) and nginx's CPU per
request; then the ratios, nginx ÷ direct, with their spread over the rounds. Both instances
share this machine's cores, so the figure that matters is the CPU a request costs (what nginx
and the second instance add), not the throughput.

Run: python bench/bench_topology.py [--database postgresql://user@host/db]
     [--redis redis://127.0.0.1:6379/0] [--members 600] [--clients 16] [--workers 2]
     [--requests 300] [--rounds 3]
The database server comes from --database, else DELIBERATE_TEST_DB, else the local default.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import ssl
import statistics
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from bench.bench_voting import (
    DEFAULT_SERVER,
    add_members,
    cast_request,
    cpu_seconds,
    ranked_vote,
    ranking,
    session_cookie,
    spent,
    worker_pids,
)
from bench.common import concurrently, percentile
from deliberate import create_app
from deliberate.accounts.models import Member
from deliberate.demo import CONVENER, demo_email
from deliberate.drafts.models import Draft
from deliberate.extensions import db
from deliberate.tendencies.models import Tendency
from deploy.topology import DEFAULT_REDIS, Topology, running

SEED = 2026
USER_AGENT = "deliberate-bench/1"  # what session_cookie signs the sessions for
RECEIPT = re.compile(rb'data-receipt-code="([^"]+)"')
READER = "Mei Lin"


@dataclass(frozen=True)
class Target:
    """Where the load process sends its requests: a port, over TLS (nginx) or not."""

    port: int
    cafile: str | None
    origin: str


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    cookie: str
    body: bytes = b""


@dataclass(frozen=True)
class Reply:
    status: int
    ms: float
    receipt: bool


def send(target: Target, request: Request) -> Reply:
    headers = {
        "User-Agent": USER_AGENT,
        "Cookie": f"session={request.cookie}",
        "Referer": target.origin + request.path,
    }
    if request.body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    start = time.perf_counter()
    connection: http.client.HTTPConnection
    if target.cafile:
        tls = ssl.create_default_context(cafile=target.cafile)
        connection = http.client.HTTPSConnection("127.0.0.1", target.port, timeout=60, context=tls)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", target.port, timeout=60)
    try:
        connection.request(request.method, request.path, body=request.body or None, headers=headers)
        response = connection.getresponse()
        body = response.read()
    except OSError:
        return Reply(0, (time.perf_counter() - start) * 1000, False)
    finally:
        connection.close()
    return Reply(response.status, (time.perf_counter() - start) * 1000, bool(RECEIPT.search(body)))


def drive(target: Target, requests: Sequence[Request], clients: int) -> tuple[list[Reply], float]:
    """Every reply and the wall time. Runs in the load process."""
    return concurrently(requests, clients, lambda request: send(target, request))


@dataclass
class Measure:
    replies: list[Reply]
    seconds: float
    app_cpu: float
    nginx_cpu: float

    @property
    def rate(self) -> float:
        return len(self.replies) / self.seconds

    @property
    def app_ms(self) -> float:
        return self.app_cpu * 1000 / len(self.replies)

    @property
    def nginx_ms(self) -> float:
        return self.nginx_cpu * 1000 / len(self.replies)

    def latency(self, share: float) -> float:
        return percentile([r.ms for r in self.replies], share)

    @property
    def failures(self) -> int:
        return sum(1 for r in self.replies if r.status != 200)


def pids_of(topology: Topology, name: str) -> list[int]:
    master = topology.processes[name].pid
    return [master, *worker_pids(master)]


def measure(
    load: ProcessPoolExecutor, topology: Topology, through_nginx: bool, requests: list[Request],
    clients: int,
) -> Measure:  # fmt: skip
    if through_nginx:
        target = Target(topology.ports.https, str(topology.certificate), topology.url)
        app = pids_of(topology, "a") + pids_of(topology, "b")
    else:
        origin = f"http://127.0.0.1:{topology.ports.a}"
        target = Target(topology.ports.a, None, origin)
        app = pids_of(topology, "a")
    nginx = pids_of(topology, "nginx")
    app_before, nginx_before = cpu_seconds(app), cpu_seconds(nginx)
    replies, seconds = load.submit(drive, target, requests, clients).result()
    return Measure(
        replies, seconds, spent(app_before, cpu_seconds(app)) or 0.0,
        spent(nginx_before, cpu_seconds(nginx)) or 0.0,
    )  # fmt: skip


def spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.median(values):.2f} (min {min(values):.2f}, max {max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("DELIBERATE_TEST_DB", DEFAULT_SERVER))
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    parser.add_argument("--members", type=int, default=600)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--requests", type=int, default=300, help="draft page reads per round")
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    rng = random.Random(SEED)
    # The measured instances as in production, but no worker replaced mid-run (its CPU would
    # be lost from the count); the access logs stay on, as in production.
    settings = {"GUNICORN_MAX_REQUESTS": "0"}
    with running(
        options.database, options.redis, workers=options.workers, demo=True, settings=settings
    ) as topology:
        app = create_app(
            {"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": topology.database_url,
             "SECRET_KEY": topology.secret_key, "RATELIMIT_STORAGE_URI": options.redis,
             "RATELIMIT_KEY_PREFIX": topology.name}
        )  # fmt: skip
        with app.app_context():
            chair = db.session.scalars(
                select(Member).where(Member.email == demo_email(CONVENER))
            ).one()
            tendencies = list(db.session.scalars(select(Tendency.id)).all()[:3])
            members = add_members(options.members, tendencies)
            db.session.commit()
            reader = db.session.scalars(
                select(Member).where(Member.email == demo_email(READER))
            ).one()
            draft_id = db.session.scalars(
                select(Draft.id).where(Draft.title.like("Eastside%"))
            ).one()
            page_cookie, _ = session_cookie(app, reader.id, reader.session_token)
            logins = [session_cookie(app, m, token) for m, token in members]
            votes = {}
            for round_ in range(options.rounds + 1):  # the first is the warm-up's
                for mode in ("direct", "nginx"):
                    votes[round_, mode] = ranked_vote(chair, f"Round {round_}, {mode}").id
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        draft = [Request("GET", f"/drafts/{draft_id}", page_cookie)] * options.requests
        results: dict[tuple[str, str], list[Measure]] = {}
        spawn = get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as load:
            for round_ in range(options.rounds + 1):
                for mode in ("direct", "nginx"):
                    casts = [
                        Request("POST", r.path, r.cookie, r.body)
                        for r in (
                            cast_request(votes[round_, mode], cookie, token, ranking(rng))
                            for cookie, token in logins
                        )
                    ]
                    through = mode == "nginx"
                    cast = measure(load, topology, through, casts, options.clients)
                    page = measure(load, topology, through, draft, options.clients)
                    for what, measured in (("cast", cast), ("draft page", page)):
                        if measured.failures:
                            raise SystemExit(
                                f"{what} {mode}: {measured.failures} failures; logs in "
                                f"{topology.workdir}"
                            )
                        if round_:  # round 0 warms every worker up
                            results.setdefault((what, mode), []).append(measured)
        report(options, results)


def report(options: argparse.Namespace, results: dict[tuple[str, str], list[Measure]]) -> None:
    print(
        f"{options.members} members casting one ranked ballot each, then the demo draft page "
        f"read {options.requests} times, {options.clients} concurrent clients from a separate "
        f"process; each instance gunicorn with {options.workers} sync workers "
        f"(gunicorn.conf.py); {options.rounds} rounds; {os.cpu_count()} cores; "
        f"load average now {os.getloadavg()[0]:.1f}"
    )
    print("| requests | served by | per s | p50 ms | p99 ms | app CPU ms/req | nginx CPU ms/req |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (what, mode), measures in results.items():
        served = "instance a, directly (HTTP)" if mode == "direct" else "nginx (TLS) → a and b"
        rate = statistics.median(m.rate for m in measures)
        p50 = statistics.median(m.latency(0.5) for m in measures)
        p99 = statistics.median(m.latency(0.99) for m in measures)
        app = statistics.median(m.app_ms for m in measures)
        nginx = statistics.median(m.nginx_ms for m in measures) if mode == "nginx" else 0.0
        print(
            f"| {what} | {served} | {rate:.0f} | {p50:.1f} | {p99:.1f} | {app:.2f} | {nginx:.2f} |"
        )
    print("\nRatios, through nginx ÷ directly, median of the rounds (min, max):")
    for what, label in (("cast", "ballots per second"), ("draft page", "draft pages per second")):
        pairs = list(zip(results[what, "nginx"], results[what, "direct"], strict=True))
        print(f"- {label}: {spread([n.rate / d.rate for n, d in pairs])}")
        print(f"- app CPU per {what}: {spread([n.app_ms / d.app_ms for n, d in pairs])}")
        print(
            f"- app and nginx CPU per {what}: "
            f"{spread([(n.app_ms + n.nginx_ms) / d.app_ms for n, d in pairs])}"
        )


if __name__ == "__main__":
    main()
