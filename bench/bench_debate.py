"""Benchmark of the debate's thread page on a thread of 2,000 comments nested up to 8 deep.

Builds its own app on a temporary SQLite file (the schema from the models), 60 members in
three tendencies and one draft, and loads a 2,000-comment thread (a third of the top-level
comments point to a paragraph). A logged-in test client then requests, in alternation, the
thread page (first page, newest first, a later page, filtered by tendency), the same draft's
empty-thread twin, and the password form (a logged-in page with no query of its own) as the
minimal page of the same app. Prints p50 and p95 of each and the ratio of each p95 to the
minimal page's p95.

Targets: thread page p95 within 150 ms and within 5x the minimal page.

Run: python bench/bench_debate.py [--comments 2000] [--rounds 200]
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

from bench.common import bench_app, organization, percentile
from deliberate.database import utcnow
from deliberate.debate.bulk import insert_thread, plan_thread
from deliberate.demo.comments import comment_texts
from deliberate.drafts.services import create_draft
from deliberate.extensions import db
from deliberate.subjects import resolve

SEED = 2026
TARGET_P95_MS = 150.0
TARGET_RATIO = 5.0
PARAGRAPHS = [f"Paragraph {n}: what the organization will do, and how." for n in range(1, 13)]


def build(comments: int) -> dict[str, object]:
    rng = random.Random(SEED)
    convener, members, tendencies = organization()
    body = "\n\n".join(PARAGRAPHS)
    draft = create_draft(convener, title="The long debate", kind="resolution", body=body)
    quiet = create_draft(convener, title="The quiet draft", kind="resolution", body=body)
    subject = resolve("draft", draft.id)
    plan = plan_thread(
        comments, members, comment_texts(rng, 400), rng, max_depth=8, paragraphs=len(PARAGRAPHS)
    )
    insert_thread(
        subject,
        plan,
        start=utcnow() - timedelta(days=10),
        spacing=timedelta(minutes=5),
        anchor_version=1,
    )
    db.session.commit()
    return {
        "reader": members[50],
        "draft": draft.id,
        "quiet": quiet.id,
        "tendency": tendencies[1].id,
        "depth": max(p.depth for p in plan),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=200)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(tmp)
        with app.app_context():
            built = build(options.comments)
            reader_id = built["reader"].get_id()  # type: ignore[attr-defined]
            draft_id, quiet_id, tendency_id = built["draft"], built["quiet"], built["tendency"]
            db.session.remove()
        pages = {
            "minimal page (password form)": "/account/password",
            "empty thread (same layout)": f"/debate/draft/{quiet_id}",
            "thread page, 2,000 comments": f"/debate/draft/{draft_id}",
            "thread page, newest first": f"/debate/draft/{draft_id}?order=newest",
            "thread page, page 5": f"/debate/draft/{draft_id}?page=5",
            "thread page, one tendency": f"/debate/draft/{draft_id}?tendency={tendency_id}",
        }
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = reader_id
            session["_fresh"] = True
        timings: dict[str, list[float]] = {name: [] for name in pages}
        for round_number in range(options.rounds + 20):
            for name, url in pages.items():
                start = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - start) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code}")
                if round_number >= 20:  # the first rounds warm caches up
                    timings[name].append(elapsed)
        size = len(client.get(pages["thread page, 2,000 comments"]).data)
    baseline = percentile(timings["minimal page (password form)"], 0.95)
    print(
        f"Thread of {options.comments:,} comments, nested up to {built['depth']} deep; "
        f"{options.rounds} timed requests per page (SQLite, Python {sys.version.split()[0]})"
    )
    print(f"{'page':<34} {'p50 ms':>8} {'p95 ms':>8} {'p95 / minimal':>14}")
    for name, samples in timings.items():
        p50, p95 = statistics.median(samples), percentile(samples, 0.95)
        print(f"{name:<34} {p50:8.2f} {p95:8.2f} {p95 / baseline:13.2f}x")
    main_p95 = percentile(timings["thread page, 2,000 comments"], 0.95)
    ratio = main_p95 / baseline
    print(f"Thread page HTML: {size / 1024:.0f} KiB (one page of the thread).")
    verdict = "met" if main_p95 <= TARGET_P95_MS and ratio <= TARGET_RATIO else "NOT met"
    print(
        f"Target p95 <= {TARGET_P95_MS:.0f} ms and <= {TARGET_RATIO:.0f}x the minimal page: "
        f"{verdict} ({main_p95:.1f} ms, {ratio:.2f}x)."
    )


if __name__ == "__main__":
    main()
