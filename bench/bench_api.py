"""Benchmark of the API beside the pages: casting ranked ballots, and reading a closed vote's
results with and without If-None-Match.

The voting benchmark's load (bench/bench_voting.py, whose machinery this reuses): a throwaway
PostgreSQL database, members in three tendencies, secret ranked votes (instant runoff, six
candidates), the app served by gunicorn (sync workers, production settings) on 127.0.0.1, and
concurrent clients from a separate process. Each member has a personal access token (made in
bulk, its use already stamped within the hour, as a token in steady use is).

In each round, every member casts one ranked ballot on a vote through its page
(`POST /votes/<id>/cast`, session cookie and CSRF token, as bench_voting does) and one on
another vote through the API (`POST /api/v1/votes/<id>/ballots`, bearer token, JSON); then a
closed vote's results are read through the API (`GET /api/v1/votes/<id>/results`) once per
member without If-None-Match, and once per member with the ETag the first answer gave
(each answered 304 Not Modified). Printed per round, and the median and spread over the
rounds: the application CPU per request (user + system time of gunicorn's processes, from
/proc) and the ratios API / page and 304 / 200.

Run: python bench/bench_api.py [--database postgresql://user@host/db] [--members 500]
     [--rounds 3] [--clients 16] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bench.bench_voting import (
    DEFAULT_SERVER,
    SEED,
    USER_AGENT,
    Server,
    add_members,
    bench_convener,
    cast_request,
    cpu_seconds,
    gunicorn,
    make_tendencies,
    production_app,
    ranked_vote,
    ranking,
    run_phase,
    session_cookie,
    spent,
    throwaway_database,
)
from bench.common import concurrently
from deliberate.accounts.models import Member
from deliberate.api.models import ApiToken
from deliberate.database import utcnow
from deliberate.extensions import db
from deliberate.tokens import token_hash
from deliberate.voting import services
from deliberate.voting.models import Vote


@dataclass(frozen=True)
class ApiRequest:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""


def api_send(port: int, request: ApiRequest) -> tuple[int, str | None]:
    """Send one API request; its status and ETag. Runs in the load process."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(
            request.method,
            request.path,
            body=request.body,
            headers={"User-Agent": USER_AGENT, **dict(request.headers)},
        )
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("ETag")
    except OSError:
        return 0, None
    finally:
        connection.close()


def api_drive(
    port: int, requests: Sequence[ApiRequest], clients: int
) -> tuple[list[tuple[int, str | None]], float]:
    return concurrently(requests, clients, lambda request: api_send(port, request))


@dataclass
class Measured:
    name: str
    count: int
    seconds: float
    cpu: float
    statuses: Counter[int]

    @property
    def cpu_ms(self) -> float:
        return self.cpu * 1000 / self.count


def run_api(
    load: ProcessPoolExecutor,
    name: str,
    server: Server,
    requests: list[ApiRequest],
    clients: int,
) -> tuple[Measured, list[tuple[int, str | None]]]:
    pids = server.app_pids()
    before = cpu_seconds(pids)
    answers, seconds = load.submit(api_drive, server.port, requests, clients).result()
    used = spent(before, cpu_seconds(pids)) or 0.0
    return Measured(name, len(requests), seconds, used, Counter(s for s, _ in answers)), answers


def bearer(secret: str, **more: str) -> tuple[tuple[str, str], ...]:
    return (("Authorization", f"Bearer {secret}"), *more.items())


def api_cast(vote_id: int, secret: str, chosen: Sequence[str]) -> ApiRequest:
    return ApiRequest(
        "POST",
        f"/api/v1/votes/{vote_id}/ballots",
        bearer(secret, **{"Content-Type": "application/json"}),
        json.dumps({"ranking": list(chosen)}).encode(),
    )


def add_tokens(member_ids: Sequence[int]) -> list[str]:
    """A read and vote token for each member, in bulk (its use stamped just now)."""
    now = utcnow()
    secrets_made = [f"dlb_{secrets.token_urlsafe(32)}" for _ in member_ids]
    db.session.execute(
        insert(ApiToken),
        [
            {
                "member_id": member_id,
                "name": "bench",
                "token_hash": token_hash(secret),
                "prefix": secret[:10],
                "scopes": "read vote",
                "created_at": now,
                "expires_at": now + timedelta(days=1),
                "last_used_at": now,
            }
            for member_id, secret in zip(member_ids, secrets_made, strict=True)
        ],
    )
    return secrets_made


def spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.median(values):.2f} (min {min(values):.2f}, max {max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("DELIBERATE_TEST_DB", DEFAULT_SERVER))
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    rng = random.Random(SEED)
    secret_key = secrets.token_urlsafe(32)
    warmup = 50
    with throwaway_database(options.database) as uri, tempfile.TemporaryDirectory() as tmp:
        app = production_app(uri, secret_key)
        with app.app_context():
            db.create_all()
            convener = bench_convener()
            members = add_members(options.members + warmup, make_tendencies(convener))
            tokens = add_tokens([member_id for member_id, _ in members])
            votes = [
                (
                    ranked_vote(convener, f"Page vote {r}").id,
                    ranked_vote(convener, f"API vote {r}").id,
                )
                for r in range(options.rounds + 1)  # the first pair warms up
            ]
            convener_id = convener.id
            db.session.commit()
            logins = [session_cookie(app, m, token) for m, token in members]
            db.session.remove()
        spawn = get_context("spawn")
        rows: list[tuple[Measured, Measured, Measured, Measured]] = []
        with (
            gunicorn(uri, secret_key, options.workers, Path(tmp) / "gunicorn.log") as server,
            ProcessPoolExecutor(max_workers=1, mp_context=spawn) as load,
        ):
            page_vote, api_vote = votes[0]
            run_phase(
                load,
                "warm-up",
                server,
                [cast_request(page_vote, c, t, ranking(rng)) for c, t in logins[:warmup]],
                options.clients,
            )
            run_api(
                load,
                "warm-up",
                server,
                [api_cast(api_vote, s, ranking(rng)) for s in tokens[:warmup]],
                options.clients,
            )
            for page_vote, api_vote in votes[1:]:
                pages = run_phase(
                    load,
                    "cast (page)",
                    server,
                    [cast_request(page_vote, c, t, ranking(rng)) for c, t in logins[warmup:]],
                    options.clients,
                )
                page = Measured(
                    "cast (page)",
                    len(pages.answers),
                    pages.seconds,
                    pages.cpu or 0.0,
                    Counter(a.status for a in pages.answers),
                )
                api, _ = run_api(
                    load,
                    "cast (API)",
                    server,
                    [api_cast(api_vote, s, ranking(rng)) for s in tokens[warmup:]],
                    options.clients,
                )
                with app.app_context():
                    closing = db.session.get_one(Member, convener_id)
                    services.close_vote(closing, db.session.get_one(Vote, api_vote))
                    db.session.commit()
                    db.session.remove()
                path = f"/api/v1/votes/{api_vote}/results"
                full, answers = run_api(
                    load,
                    "results, 200",
                    server,
                    [ApiRequest("GET", path, bearer(s)) for s in tokens[warmup:]],
                    options.clients,
                )
                tags = [tag or "" for _status, tag in answers]
                cached, _ = run_api(
                    load,
                    "results, 304",
                    server,
                    [
                        ApiRequest("GET", path, bearer(s, **{"If-None-Match": tag}))
                        for s, tag in zip(tokens[warmup:], tags, strict=True)
                    ],
                    options.clients,
                )
                rows.append((page, api, full, cached))
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    report(options, rows)


def report(options: argparse.Namespace, rows: list[tuple[Measured, ...]]) -> None:
    print(
        f"{options.members:,} members, {options.rounds} rounds, {options.clients} concurrent "
        f"clients from a separate process; gunicorn {options.workers} sync workers, PostgreSQL, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores. App CPU ms per request "
        "(user + system time of gunicorn's processes over the phase):"
    )
    print(
        f"{'round':>5} {'cast page':>10} {'cast API':>9} {'API/page':>9} "
        f"{'results 200':>12} {'results 304':>12} {'304/200':>8}  statuses"
    )
    cast_ratios, read_ratios = [], []
    for number, (page, api, full, cached) in enumerate(rows, start=1):
        cast_ratios.append(api.cpu_ms / page.cpu_ms)
        read_ratios.append(cached.cpu_ms / full.cpu_ms)
        statuses = "; ".join(f"{m.name}: {dict(m.statuses)}" for m in (page, api, full, cached))
        print(
            f"{number:>5} {page.cpu_ms:10.2f} {api.cpu_ms:9.2f} {cast_ratios[-1]:8.2f}x "
            f"{full.cpu_ms:12.2f} {cached.cpu_ms:12.2f} {read_ratios[-1]:7.2f}x  {statuses}"
        )
    print(f"Casting through the API / through the page: {spread(cast_ratios)}")
    print(f"Reading results with If-None-Match (304) / without (200): {spread(read_ratios)}")


if __name__ == "__main__":
    main()
