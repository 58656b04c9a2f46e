"""Notifications at scale, on PostgreSQL: the convener's request that opens a vote for 90,000
members against the login page, and the worker's throughput to a local SMTP sink.

1. The request that opens a vote for every member: the application's CPU time per request
   (this process's time while the test client answers; the database's own work, taking the
   roll, is the PostgreSQL server's). Its baseline, read in alternation with it in the same
   run, is the same request opening a vote for a body of 30 members: the request writes one
   outbox row and takes the roll in one statement whatever its size, so a roll of 90,000 must
   cost the convener's request at most 2x a roll of 30 (target). The ratio to the login page
   is printed beside it, and the wall time, which holds the database's work.
2. The worker, `flask --app deliberate worker --once` in separate processes (one, then two),
   expanding the vote's opening into its deliveries and sending every mail to an SMTP sink on
   127.0.0.1 (aiosmtpd, in a process of its own): messages per second, and the time from the
   workers' start until the last message is accepted, the expansion included (target: two
   workers at least 1.6x one). Then the production path: one `flask worker --kind process`
   consumer on Redis with --consumer process workers, woken once as a request's commit
   wakes it; its first task calls the others in (MAIL_HELPERS).

Run: python bench/bench_notify.py [--database postgresql://user@host/db] [--members 90000]
     [--mail N] [--requests 20] [--processes 1,2] [--consumer 2] [--queue redis://...]
The database server comes from --database, else DELIBERATE_TEST_DB, else the local default;
the benchmark makes its own database there and drops it afterwards. --mail sends only to the
first N members of the roll, for a shorter run: the opening is then expanded before the
workers start and the others' deliveries are dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller
from huey import RedisHuey
from sqlalchemy import delete, func, select, update

from bench.bench_voting import DEFAULT_SERVER, throwaway_database
from bench.common import organization
from bench.world import add_members
from deliberate import create_app
from deliberate.accounts.models import Member, MemberRole
from deliberate.accounts.passwords import hash_password
from deliberate.accounts.services import create_member
from deliberate.bodies.services import add_member as add_body_member
from deliberate.bodies.services import create_body
from deliberate.database import utcnow
from deliberate.extensions import db
from deliberate.notifications import hooks as notification_hooks
from deliberate.notifications import worker
from deliberate.notifications.models import Delivery, OutboxEvent
from deliberate.voting import hooks, services
from deliberate.voting.rules import Settings

SMALL_ROLL = 30


class Sink:
    """An SMTP server on 127.0.0.1 in a process of its own (so this process's interpreter
    does not limit the workers' throughput): accepts every message and notes in shared
    memory how many came, and when the first and the last came (time.monotonic(), one clock
    for every process)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._count = multiprocessing.Value("q", 0)
        self._first = multiprocessing.Value("d", 0.0)
        self._last = multiprocessing.Value("d", 0.0)
        self._ready = multiprocessing.Event()
        self._process = multiprocessing.Process(target=self._serve, daemon=True)

    def _serve(self) -> None:
        count, first, last = self._count, self._first, self._last

        class Handler:
            async def handle_DATA(self, _server: Any, _session: Any, _envelope: Any) -> str:  # noqa: N802 (aiosmtpd's hook name)
                now = time.monotonic()
                with count.get_lock():
                    count.value += 1
                    if count.value == 1:
                        first.value = now
                    last.value = now
                return "250 OK"

        asyncio.set_event_loop(asyncio.new_event_loop())
        Controller(Handler(), hostname="127.0.0.1", port=self.port).start()
        self._ready.set()
        threading.Event().wait()  # until the benchmark ends this process

    def start(self) -> None:
        self._process.start()
        if not self._ready.wait(30):
            raise SystemExit("the SMTP sink did not start")

    def stop(self) -> None:
        self._process.terminate()
        self._process.join(10)

    def reset(self) -> None:
        with self._count.get_lock():
            self._count.value = 0

    @property
    def count(self) -> int:
        return int(self._count.value)

    @property
    def first(self) -> float:
        return float(self._first.value)

    @property
    def last(self) -> float:
        return float(self._last.value)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_per_request(client: Any, method: str, url: str) -> float:
    started = time.process_time()
    response = client.open(url, method=method)
    spent = time.process_time() - started
    if response.status_code not in (200, 303):
        raise SystemExit(f"{method} {url} answered {response.status_code}")
    return spent


def open_votes(
    client: Any, convener_id: str, rounds: int, title: str, body_id: int | None = None
) -> tuple[list[float], list[float]]:
    """Open `rounds` scheduled votes through the convener's request, for every member or the
    body's: CPU and wall times."""
    cpu: list[float] = []
    walls: list[float] = []
    member_id = int(convener_id.split(":")[0])
    for n in range(rounds):
        vote = services.create_vote(
            db.session.get_one(Member, member_id),
            title=f"{title} {n}?",
            settings=Settings(method="majority", threshold="simple"),
            opens_at=utcnow() + timedelta(days=30),
            body_id=body_id,
        )
        db.session.commit()
        wall = time.perf_counter()
        cpu.append(cpu_per_request(client, "POST", f"/votes/{vote.id}/open"))
        walls.append(time.perf_counter() - wall)
    return cpu, walls


def run_workers(
    uri: str, port: int, sink: Sink, expected: int, processes: int, queue: str | None = None
) -> tuple[float, float]:
    """Run the workers until the sink has every message: `processes` separate
    `flask worker --once`, or with `queue` (a Redis URL) the production path, one
    `flask worker --kind process --workers N` consumer woken once, as a request's commit wakes
    it, whose first task calls the others in. Returns the seconds from their start to the
    last message accepted, and the messages per second from the first accepted to the last."""
    env = {
        **os.environ,
        "DELIBERATE_ENV": "testing",
        "DATABASE_URL": uri,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "MAIL_BATCH": "200",
    }
    flask = [sys.executable, "-m", "flask", "--app", "deliberate", "worker"]
    if queue is None:
        commands = [[*flask, "--once"]] * processes
    else:
        name = f"bench-notify-{secrets.token_hex(4)}"
        env |= {"TASK_QUEUE_URL": queue, "TASK_QUEUE_NAME": name}
        env["MAIL_HELPERS"] = str(processes - 1)
        commands = [[*flask, "--kind", "process", "--workers", str(processes)]]
    sink.reset()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile("w+") as errors:
        started = time.monotonic()
        running = [
            subprocess.Popen(  # noqa: S603 (our own command, fixed arguments)
                command, env=env, stdout=subprocess.PIPE, stderr=errors, text=True
            )
            for command in commands
        ]
        if queue is not None:
            deadline = started + 3600
            while sink.count < expected and running[0].poll() is None:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            running[0].send_signal(signal.SIGINT)  # the consumer's graceful stop
        for number, process in enumerate(running, 1):
            said, _ = process.communicate()
            if said.strip():
                print(f"  worker {number}: {said.strip()}")
        if queue is not None:
            RedisHuey(name, url=queue).flush()
        if sink.count != expected:
            errors.seek(0)
            print(errors.read()[-3000:])
            raise SystemExit(f"the sink accepted {sink.count} messages, not {expected}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    print(f"  the workers' CPU: {cpu * 1000 / expected:.2f} ms a message")
    return sink.last - started, (expected - 1) / max(sink.last - sink.first, 1e-9)


def prepare(event_id: int, mail: int, roll: int) -> int:
    """The vote's opening as the request left it, or, with --mail, expanded and cut to the
    first `mail` members' mail. Returns the messages to expect."""
    reset(event_id)
    if mail < roll:
        expanding = time.perf_counter()
        worker.expand_all()
        print(
            f"expanding the opening into its deliveries for {roll:,} members: "
            f"{time.perf_counter() - expanding:.1f} s"
        )
        first = select(Delivery.member_id).where(Delivery.channel == "mail")
        cutoff = db.session.scalar(first.order_by(Delivery.member_id).offset(mail).limit(1))
        if cutoff is not None:
            db.session.execute(delete(Delivery).where(Delivery.member_id >= cutoff))
        db.session.commit()
    expected = db.session.scalar(select(func.count()).where(Delivery.channel == "mail")) or mail
    db.session.commit()
    return expected


def reset(event_id: int) -> None:
    """The vote's opening as the request left it: not expanded, no delivery."""
    db.session.execute(delete(Delivery))
    db.session.execute(
        update(OutboxEvent).where(OutboxEvent.id == event_id).values(expanded_at=None, cursor=0)
    )
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database", default=os.environ.get("DELIBERATE_TEST_DB") or DEFAULT_SERVER
    )
    parser.add_argument("--members", type=int, default=90_000)
    parser.add_argument(
        "--mail", type=int, default=None, help="send to the first N members only (default: all)"
    )
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument(
        "--processes", default="1,2", help="worker processes of each run, e.g. 1,2 or 2"
    )
    parser.add_argument(
        "--consumer",
        type=int,
        default=2,
        help="then the queue's consumer with this many process workers (0: not)",
    )
    parser.add_argument("--queue", default="redis://127.0.0.1:6379/0", help="its Redis")
    options = parser.parse_args()
    with throwaway_database(options.database) as uri:
        app = create_app(
            {
                "ENV_NAME": "testing",
                "SQLALCHEMY_DATABASE_URI": uri,
                "WTF_CSRF_ENABLED": False,
                "TASK_QUEUE_URL": "memory",
            }
        )
        with app.app_context():
            db.create_all()
            convener, founders, tendencies = organization()
            add_members(options.members, tendencies, hash_password("bench-password"))
            admin = create_member(
                "admin@bench.example", "Admin", "bench-password", role=MemberRole.ADMIN
            )
            committee = create_body(admin, "Bench committee")
            for member in founders[:SMALL_ROLL]:
                add_body_member(admin, committee, member)
            db.session.commit()
            committee_id = committee.id
            convener_id = convener.get_id()
            roll = db.session.scalar(select(func.count()).select_from(Member))
            print(f"{roll:,} members on PostgreSQL")
            client = app.test_client()
            with client.session_transaction() as flask_session:
                flask_session["_user_id"] = convener_id
                flask_session["_fresh"] = True
            for _ in range(3):  # warm up
                cpu_per_request(client, "GET", "/login")
            login = [cpu_per_request(client, "GET", "/login") for _ in range(options.requests)]
            rounds = max(3, options.requests // 4)
            # The same request with the outbox's listener taken away, for its share.
            hooks._opened_listeners.remove(notification_hooks._vote_opened)
            bare, bare_walls = open_votes(client, convener_id, rounds, "Bare")
            hooks.on_every_open(notification_hooks._vote_opened)
            # A body of 30 and the whole roll, a vote of each in turn
            opening: list[float] = []
            walls: list[float] = []
            small: list[float] = []
            small_walls: list[float] = []
            # (the whole roll's last, whose mail the workers send below).
            for n in range(rounds):
                cpu, wall = open_votes(client, convener_id, 1, f"Committee {n}", committee_id)
                small += cpu
                small_walls += wall
                cpu, wall = open_votes(client, convener_id, 1, f"Question {n}")
                opening += cpu
                walls += wall
            login_ms = statistics.median(login) * 1000
            open_ms = statistics.median(opening) * 1000
            bare_ms = statistics.median(bare) * 1000
            small_ms = statistics.median(small) * 1000
            print("| request | app CPU ms (median) | ratio to login | wall ms (median) |")
            print("|---|---|---|---|")
            print(f"| GET /login | {login_ms:.1f} | 1.0 | |")
            print(
                f"| POST /votes/<id>/open, roll of {SMALL_ROLL} | {small_ms:.1f} | "
                f"{small_ms / login_ms:.2f} | {statistics.median(small_walls) * 1000:.0f} |"
            )
            print(
                f"| POST /votes/<id>/open, roll of {roll:,}, no outbox | {bare_ms:.1f} | "
                f"{bare_ms / login_ms:.2f} | {statistics.median(bare_walls) * 1000:.0f} |"
            )
            print(
                f"| POST /votes/<id>/open, roll of {roll:,} | {open_ms:.1f} | "
                f"{open_ms / login_ms:.2f} | {statistics.median(walls) * 1000:.0f} |"
            )
            ratios = sorted(big / little for big, little in zip(opening, small, strict=True))
            print(
                f"opening for {roll:,} / for {SMALL_ROLL}: {open_ms / small_ms:.2f}x "
                f"(pairs from {ratios[0]:.2f} to {ratios[-1]:.2f}; target <= 2)"
            )
            print(f"opening with the outbox / without: {open_ms / bare_ms:.2f}x")
            events = db.session.scalar(select(func.count()).select_from(OutboxEvent))
            print(f"outbox rows written by {len(opening)} openings: {events}")

            # The worker: the last opening's event alone, for the first --mail members.
            last = db.session.scalar(select(func.max(OutboxEvent.id)))
            if last is None:
                raise SystemExit("no outbox row was written")
            db.session.execute(
                update(OutboxEvent).where(OutboxEvent.id != last).values(expanded_at=utcnow())
            )
            db.session.commit()
            port = free_port()
            sink = Sink(port)
            sink.start()
            mail = roll if options.mail is None else min(options.mail, roll)
            try:
                results = {}
                runs = [int(count) for count in options.processes.split(",")]
                for processes in runs:
                    expected = prepare(last, mail, roll)
                    until, rate = run_workers(uri, port, sink, expected, processes)
                    results[processes] = rate
                    print(
                        f"{processes} worker process{'es' if processes > 1 else ''}: "
                        f"{expected:,} messages, the last accepted {until:.1f} s after the "
                        f"workers started; {rate:.0f} messages/s from the first to the last"
                    )
                if options.consumer:
                    expected = prepare(last, mail, roll)
                    until, rate = run_workers(
                        uri, port, sink, expected, options.consumer, options.queue
                    )
                    print(
                        f"flask worker --kind process --workers {options.consumer} on Redis: "
                        f"{expected:,} messages, the last accepted {until:.1f} s after its "
                        f"start; {rate:.0f} messages/s from the first to the last"
                    )
                    if 1 in results:
                        print(f"  its rate / one --once worker's: {rate / results[1]:.2f}x")
                if 1 in results and 2 in results:
                    print(f"two workers / one: {results[2] / results[1]:.2f}x (target >= 1.6)")
                if mail < roll and 2 in results:
                    print(
                        f"the last of {roll:,} messages, at two workers' rate: about "
                        f"{roll / results[2]:.0f} s after the expansion"
                    )
            finally:
                sink.stop()
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    asyncio.set_event_loop(asyncio.new_event_loop())
    main()
