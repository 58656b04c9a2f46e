"""Benchmark of the draft page at 200 paragraphs and 300 amendments, and of a 100-amendment merge.

Builds its own app on a temporary SQLite file (the schema from the models): 60 members in
three tendencies, a small draft (5 paragraphs, 3 amendments) and a large one (200 paragraphs,
300 amendments proposed, seconded and sponsored through the services, so competing groups
form as they would). A logged-in convener's test client then requests, in alternation, the
password form (the minimal page of the same app: logged in, no query of its own), both draft
pages, an amendment page and the version comparison. Prints p50 and p95 of each, the ratio of
each median to the minimal page's median, and the SQL query count of both draft pages (they
must be equal).

Then, on fresh drafts of 200 paragraphs, merges 100 accepted, non-colliding amendments in
one step while 200 other open amendments are carried over, and reports the time in ms.

Run: python bench/bench_drafts.py [--rounds 100] [--merges 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event

from bench.common import bench_app, organization, percentile
from deliberate.accounts.models import Member
from deliberate.database import utcnow
from deliberate.drafts import services
from deliberate.drafts.models import Amendment, Draft
from deliberate.extensions import db

SEED = 2026
WORDS = [
    "tenants",
    "union",
    "branch",
    "rent",
    "strike",
    "assembly",
    "committee",
    "campaign",
    "landlord",
    "eviction",
    "members",
    "organize",
    "district",
    "building",
    "meeting",
    "demand",
    "council",
    "delegate",
    "training",
    "budget",
    "evaluation",
]


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def paragraphs(rng: random.Random, count: int) -> list[str]:
    return [
        f"**{n}.** " + " ".join(sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(2, 5)))
        for n in range(1, count + 1)
    ]


def new_draft(convener: Member, rng: random.Random, count: int, title: str) -> Draft:
    draft = services.create_draft(
        convener, title=title, kind="resolution", body="\n\n".join(paragraphs(rng, count))
    )
    services.open_amendment_window(convener, draft, utcnow() + timedelta(days=30))
    return draft


def propose(member: Member, draft: Draft, kind: str, first: int, last: int, text: str) -> Amendment:
    return services.propose_amendment(
        member,
        draft,
        version_number=draft.current_version_number,
        kind=kind,
        first=first,
        last=last,
        new_text="" if kind == "delete" else text,
        title=text[:60],
        rationale="Because the campaign needs it: " + text,
    )


def busy_draft(convener: Member, members: list[Member], rng: random.Random, size: int,
               amendments: int) -> Draft:  # fmt: skip
    """A draft with `amendments` amendments of every kind, seconds, sponsors, groups."""
    draft = new_draft(convener, rng, size, f"Draft of {size} paragraphs")
    coordinators = {0: members[0], 1: members[1], 2: members[2]}
    made: list[Amendment] = []
    for _ in range(amendments):
        proposer = rng.choice(members[3:])
        kind = rng.choices(["replace", "insert_after", "delete", "substitute"], [70, 18, 10, 2])[0]
        first = rng.randint(1, size)
        last = min(size, first + rng.randint(0, 2))
        made.append(propose(proposer, draft, kind, first, last, sentence(rng, 14)))
        amendment = made[-1]
        for seconder in rng.sample(members, rng.randint(0, 3)):
            if seconder.id != proposer.id:
                services.second_amendment(seconder, amendment)
        index = members.index(proposer)
        if 3 <= index < 45 and rng.random() < 0.3:
            services.request_sponsorship(proposer, amendment)
            services.confirm_sponsorship(coordinators[index % 3], amendment)
    for amendment in rng.sample(made, len(made) // 10):
        if amendment.state in ("proposed", "tabled"):
            services.rule_out_amendment(convener, amendment, "Out of order for the benchmark.")
    return draft


def count_queries(client, url: str) -> int:
    statements: list[str] = []

    def before(_conn, _cursor, statement, _params, _context, _executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def time_merges(
    convener: Member, members: list[Member], rng: random.Random, runs: int
) -> list[float]:
    """Merge 100 accepted amendments on even paragraphs; 200 open ones on odd paragraphs are
    carried over to the new version."""
    timings = []
    for run in range(runs):
        draft = new_draft(convener, rng, 200, f"Merge run {run}")
        accepted = []
        for number in range(2, 201, 2):
            amendment = propose(
                rng.choice(members), draft, "replace", number, number, sentence(rng, 12)
            )
            services.accept_amendment(convener, amendment, merge=False)
            accepted.append(amendment)
        for number in range(1, 200, 2):
            for _ in range(2):
                propose(rng.choice(members), draft, "replace", number, number, sentence(rng, 12))
        db.session.commit()
        start = time.perf_counter()
        version = services.merge_amendments(convener, draft, accepted)
        db.session.commit()
        timings.append((time.perf_counter() - start) * 1000)
        if version.number != 2:
            raise SystemExit(f"the merge made version {version.number}, not 2")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--merges", type=int, default=5)
    options = parser.parse_args()
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(tmp)
        with app.app_context():
            convener, members, _tendencies = organization()
            built = time.perf_counter()
            small = busy_draft(convener, members, rng, 5, 3)
            large = busy_draft(convener, members, rng, 200, 300)
            db.session.commit()
            build_seconds = time.perf_counter() - built
            ids = {"small": small.id, "large": large.id, "convener": convener.get_id()}
            db.session.remove()
        pages = {
            "minimal page (password form)": "/account/password",
            "draft page, 5 ¶, 3 amendments": f"/drafts/{ids['small']}",
            "draft page, 200 ¶, 300 amendments": f"/drafts/{ids['large']}",
            "amendment page (large draft)": f"/drafts/{ids['large']}/amendments/150",
            "draft list": "/drafts/",
        }
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = ids["convener"]
            session["_fresh"] = True
        with app.app_context():
            queries = {name: count_queries(client, url) for name, url in pages.items()}
        timings: dict[str, list[float]] = {name: [] for name in pages}
        for round_number in range(options.rounds + 10):
            for name, url in pages.items():
                start = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - start) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code}")
                if round_number >= 10:  # the first rounds warm caches up
                    timings[name].append(elapsed)
        size = len(client.get(pages["draft page, 200 ¶, 300 amendments"]).data)
        with app.app_context():
            convener = db.session.get(Member, int(ids["convener"].split(":")[0]))
            members = list(db.session.query(Member).filter(Member.id != convener.id))
            merges = time_merges(convener, members, rng, options.merges)
            db.session.remove()
    baseline = statistics.median(timings["minimal page (password form)"])
    print(
        f"{options.rounds} timed requests per page as a convener (SQLite, Python "
        f"{sys.version.split()[0]}); building the drafts through the services took "
        f"{build_seconds:.1f} s"
    )
    print(f"{'page':<36} {'p50 ms':>8} {'p95 ms':>8} {'p50 / minimal':>14} {'queries':>8}")
    for name, samples in timings.items():
        p50, p95 = statistics.median(samples), percentile(samples, 0.95)
        print(f"{name:<36} {p50:8.2f} {p95:8.2f} {p50 / baseline:13.2f}x {queries[name]:8d}")
    print(f"Large draft page HTML: {size / 1024:.0f} KiB.")
    same = queries["draft page, 5 ¶, 3 amendments"] == queries["draft page, 200 ¶, 300 amendments"]
    print(f"Draft page query count independent of size: {'yes' if same else 'NO'}.")
    print(
        f"Merging 100 non-colliding amendments into a 200-paragraph draft (200 others carried "
        f"over), {len(merges)} runs: median {statistics.median(merges):.0f} ms, "
        f"max {max(merges):.0f} ms."
    )


if __name__ == "__main__":
    main()
