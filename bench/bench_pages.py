"""Application CPU per request of every main page, as a ratio to the login page, in process.

Builds the demo organization, or with --large a generated one of 90,000 members (see
bench/world.py), on a temporary SQLite file, and reads every page with a test client logged
in as an ordinary member of a tendency, as a delegate would (the login page anonymously, the
admins' pages as an admin), in alternation. For each page prints the CPU
time of this process per request (time.process_time, so waiting on a loaded machine is not
counted) at the median and p95, its ratio to the login page's median, the wall-clock p50 and
p99, the SQL statements and the size of the HTML. With --profile NAME, the top of a cProfile
of that page.

Targets (issue 12), CPU as a ratio to the login page: demo draft page <= 6, 300-amendment
draft <= 15, amendment page <= 5, thread page <= 4, home <= 3; with 90,000 members no page
above 10 and every page under 200 KiB.

Run: python bench/bench_pages.py [--large] [--members 90000] [--rounds 30] [--profile NAME]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench.common import bench_app, percentile
from bench.world import LOGIN_PAGE, MAX_KIB, demo_world, large_world, target_of
from deliberate.extensions import db


def statements_of(client, url: str) -> int:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return len(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true")
    parser.add_argument("--members", type=int, default=90_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--profile", default="")
    parser.add_argument("--sort", default="cumulative")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(tmp)
        app.config["TENDENCY_SIZES_SECONDS"] = 30  # as in production
        with app.app_context():
            world = large_world(options.members) if options.large else demo_world()
            db.session.remove()
        readers = {}
        for who in {world.reader_of(name) for name in world.pages}:
            readers[who] = app.test_client()
            with readers[who].session_transaction() as session:
                session["_user_id"] = f"{who[0]}:{who[1]}"
                session["_fresh"] = True
        anonymous = app.test_client()

        def client_of(name: str):
            return anonymous if name == LOGIN_PAGE else readers[world.reader_of(name)]

        # Counted first: a listener added after connections were made may not see them.
        # (Outside an app context of its own: requests would share its `g`, and so the
        # anonymous reader of the login page.)
        with app.app_context():
            db.engine.dispose()
        statements = {
            name: statements_of(client_of(name), url) for name, url in world.pages.items()
        }
        cpu: dict[str, list[float]] = {name: [] for name in world.pages}
        wall: dict[str, list[float]] = {name: [] for name in world.pages}
        sizes: dict[str, int] = {}
        for round_number in range(options.rounds + 3):
            for name, url in world.pages.items():
                client = client_of(name)
                started_cpu, started = time.process_time(), time.perf_counter()
                response = client.get(url)
                spent_cpu, spent = time.process_time() - started_cpu, time.perf_counter() - started
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code}")
                sizes[name] = len(response.data)
                if round_number >= 3:  # the first rounds warm caches up
                    cpu[name].append(spent_cpu * 1000)
                    wall[name].append(spent * 1000)
        if options.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(10):
                client_of(options.profile).get(world.pages[options.profile])
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(options.sort).print_stats(80)
            print(out.getvalue())
    baseline = statistics.median(cpu[LOGIN_PAGE])
    print(
        f"{'large organization' if options.large else 'demo'}: {options.rounds} requests per "
        f"page (SQLite, in process, Python {sys.version.split()[0]})"
    )
    header = f"{'page':<32} {'CPU ms':>7} {'p95':>7} {'÷ login':>8} {'p50 ms':>7} {'p99 ms':>7}"
    print(f"{header} {'SQL':>4} {'KiB':>6}  target")
    for name in world.pages:
        median = statistics.median(cpu[name])
        ratio = median / baseline
        target = target_of(name, options.large)
        verdict = ""
        if target is not None:
            verdict = f"<= {target:g}: {'met' if ratio <= target else 'NOT met'}"
        if options.large and sizes[name] > MAX_KIB * 1024:
            verdict += f"; over {MAX_KIB} KiB"
        print(
            f"{name:<32} {median:7.1f} {percentile(cpu[name], 0.95):7.1f} {ratio:7.1f}x "
            f"{statistics.median(wall[name]):7.1f} {percentile(wall[name], 0.99):7.1f} "
            f"{statements[name]:4d} {sizes[name] / 1024:6.0f}  {verdict}"
        )


if __name__ == "__main__":
    main()
