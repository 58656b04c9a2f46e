"""Application CPU per request with the instrumentation (Prometheus metrics, request ids,
JSON log lines) against the same app without the metrics, in the same process and run; and
the CPU of one scrape of /metrics as the mail table grows.

Loads the demo organization on a temporary SQLite file and reads the same pages through two
apps on that file, one with METRICS_ENABLED, one without, in alternation (request ids are
always on, and log lines go through the JSON formatter, in both; pages log nothing unless
refused). Each round reads every page `--requests` times through
each app; a round's ratio is the instrumented app's median CPU per request over the plain
one's. Prints each page's median CPU (time.process_time: waiting on a loaded machine is not
counted) and the ratio's median, least and greatest over the rounds.

With --multiprocess the instrumented app counts as it does under gunicorn with several
workers (PROMETHEUS_MULTIPROC_DIR: every count written to a shared memory-mapped file).
With --deliveries N, N mail deliveries marked sent are added before the scrape is timed.

Run: python bench/bench_metrics.py [--rounds 5] [--requests 40] [--multiprocess]
     [--deliveries 1000000]
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--multiprocess", action="store_true")
    parser.add_argument("--deliveries", type=int, default=0)
    return parser.parse_args()


def main() -> None:
    options = arguments()
    if options.multiprocess and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Chosen by prometheus_client when first imported: set before anything imports it.
        folder = tempfile.mkdtemp(prefix="bench-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
        try:
            measure(options)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    measure(options)


def measure(options: argparse.Namespace) -> None:
    from flask import Flask
    from sqlalchemy import text

    from bench.common import bench_app
    from bench.world import demo_world
    from deliberate import create_app
    from deliberate.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        instrumented = bench_app(tmp)
        instrumented.config["TENDENCY_SIZES_SECONDS"] = 30
        with instrumented.app_context():
            world = demo_world()
            db.session.remove()
        plain = create_app(
            {
                "ENV_NAME": "testing",
                "SQLALCHEMY_DATABASE_URI": instrumented.config["SQLALCHEMY_DATABASE_URI"],
                "WTF_CSRF_ENABLED": False,
                "METRICS_ENABLED": False,
                "TENDENCY_SIZES_SECONDS": 30,
            }
        )
        # The JSON lines go to a buffer: what is measured is making them, not a terminal.
        from deliberate import logs

        logs.install(logs.json_handler(io.StringIO()))
        logging.getLogger("deliberate").setLevel(logging.INFO)
        pages = {
            "login page": "/login",
            "help page": "/help",
            "home": "/",
            "demo draft page": world.pages["demo draft page"],
            "ballot page": world.pages["ballot page (open vote, on its roll)"],
        }
        reader = world.reader_of("demo draft page")

        def client_of(app: Flask):
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = f"{reader[0]}:{reader[1]}"
                session["_fresh"] = True
            return client

        clients = {"plain": client_of(plain), "instrumented": client_of(instrumented)}
        for client in clients.values():  # warm up: templates, kept page parts, connections
            for url in pages.values():
                for _ in range(3):
                    answered(client.get(url), url)
        cpu: dict[tuple[str, str], list[float]] = {}
        ratios: dict[str, list[float]] = {name: [] for name in pages}
        for _round in range(options.rounds):
            for name, url in pages.items():
                spent: dict[str, list[float]] = {"plain": [], "instrumented": []}
                for _ in range(options.requests):
                    for which, client in clients.items():
                        started = time.process_time()
                        response = client.get(url, headers={"X-Request-ID": "bench-1"})
                        spent[which].append((time.process_time() - started) * 1000)
                        answered(response, url)
                for which, samples in spent.items():
                    cpu.setdefault((name, which), []).extend(samples)
                ratios[name].append(
                    statistics.median(spent["instrumented"]) / statistics.median(spent["plain"])
                )
        mode = "multiprocess files" if options.multiprocess else "one process"
        print(
            f"demo, SQLite, in process, {options.rounds} rounds x {options.requests} requests "
            f"per page and app; metrics counted in {mode} (Python {sys.version.split()[0]})"
        )
        print(
            f"{'page':<18} {'plain ms':>9} {'instr. ms':>9} {'added ms':>9} "
            f"{'ratio':>7} {'least':>7} {'most':>7}"
        )
        for name in pages:
            bare = statistics.median(cpu[(name, "plain")])
            measured = statistics.median(cpu[(name, "instrumented")])
            print(
                f"{name:<18} {bare:9.2f} {measured:9.2f} {measured - bare:9.3f} "
                f"{statistics.median(ratios[name]):7.3f} {min(ratios[name]):7.3f} "
                f"{max(ratios[name]):7.3f}"
            )

        if options.deliveries:
            with instrumented.app_context():
                add_sent_mail(db, text, options.deliveries)
        scraper = instrumented.test_client()
        scrapes = []
        for _ in range(max(5, options.rounds)):
            started = time.process_time()
            answered(scraper.get("/metrics"), "/metrics")
            scrapes.append((time.process_time() - started) * 1000)
        with instrumented.app_context():
            mail = db.session.execute(text("SELECT count(*) FROM deliveries")).scalar_one()
        print(
            f"one scrape of /metrics with {mail:,} deliveries stored: "
            f"{statistics.median(scrapes):.1f} ms CPU (least {min(scrapes):.1f}, most "
            f"{max(scrapes):.1f}; the login page: "
            f"{statistics.median(cpu[('login page', 'instrumented')]):.2f} ms)"
        )


def answered(response, url: str) -> None:
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")


def add_sent_mail(db, text, count: int) -> None:
    """`count` mail deliveries marked sent, one per (event, member), in bulk."""
    members = db.session.execute(text("SELECT count(*) FROM members")).scalar_one()
    events = -(-count // members)
    db.session.execute(
        text(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :events) "
            "INSERT INTO outbox (kind, payload, created_at, cursor, expanded_at) "
            "SELECT 'vote_opened', '{}', '2026-01-01 00:00:00', 0, '2026-01-01 00:00:00' FROM n"
        ),
        {"events": events},
    )
    db.session.execute(
        text(
            "INSERT INTO deliveries (event_id, member_id, channel, state, attempts, created_at, "
            "sent_at) SELECT o.id, m.id, 'mail', 'sent', 1, o.created_at, o.created_at "
            "FROM (SELECT id, created_at FROM outbox WHERE payload = '{}' ORDER BY id DESC "
            "LIMIT :events) AS o CROSS JOIN members AS m LIMIT :count"
        ),
        {"events": events, "count": count},
    )
    db.session.commit()


if __name__ == "__main__":
    main()
