"""What "Needs you" costs: the navigation's count on every page, and the home page's list.

For the demo organization (30 members), then a generated one of `--members` members (90,000
by default, bench/world.py) in which the reader has something of every kind waiting, each in a
throwaway PostgreSQL database of its own:

- the SQL statements of the home page and of a page with the navigation's count, at both
  sizes (they must be equal);
- in process, with a test client: the application CPU per request of a few pages read by a
  member with the count in the navigation and without it (NEEDS_IN_NAVIGATION off), read in
  alternation, each as a ratio to the login page's measured in the same run, and what the
  count adds;
- under gunicorn (production settings, `--workers` sync workers), read from a separate load
  process: the same pages from two servers on the same database, one with the count and one
  without, with the login page of each as its baseline.

Run: python bench/bench_needs.py [--database postgresql://user@host/db] [--members 90000]
     [--rounds 60] [--requests 300] [--clients 4] [--workers 2] [--skip-large]
The database server comes from --database, else DELIBERATE_TEST_DB, else the local default.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from bench.bench_serve import measure, read_pages, settle
from bench.bench_voting import (
    DEFAULT_SERVER,
    Request,
    gunicorn,
    production_app,
    session_cookie,
    throwaway_database,
)
from bench.world import LOGIN_PAGE, World, demo_world, large_world
from deliberate.accounts.models import Member, MemberRole
from deliberate.database import utcnow
from deliberate.debate import services as debate
from deliberate.decisions import services as decisions
from deliberate.drafts import services as drafts
from deliberate.drafts.models import Draft
from deliberate.extensions import db
from deliberate.main import needs
from deliberate.subjects import resolve
from deliberate.tendencies.models import Tendency, TendencyMembership
from deliberate.voting import services as voting
from deliberate.voting.rules import Settings

PAGES = ("home", "draft list", "tendency page", "members directory")


def page_path(world: World, name: str) -> str:
    """The path of a page by its name, or of the page whose name begins with it (the large
    organization's pages say their sizes: "tendency page (30,000 members)")."""
    if name in world.pages:
        return world.pages[name]
    return next(path for found, path in world.pages.items() if found.startswith(name))


def something_of_every_kind(reader_id: int) -> None:
    """Give the reader a vote to cast, a record to commit to, an evaluation to debate, a
    seconding request, a reply, and (as their tendency's coordinator) a sponsorship and a
    join request: the count then has rows to find in every kind."""
    reader = db.session.get_one(Member, reader_id)
    convener = db.session.scalars(
        select(Member).where(Member.role == MemberRole.CONVENER).limit(1)
    ).one()
    membership = db.session.scalars(
        select(TendencyMembership).where(
            TendencyMembership.member_id == reader.id, TendencyMembership.left_at.is_(None)
        )
    ).one()
    membership.role = "coordinator"
    comrades = list(
        db.session.scalars(
            select(Member)
            .join(TendencyMembership, TendencyMembership.member_id == Member.id)
            .where(
                TendencyMembership.tendency_id == membership.tendency_id,
                TendencyMembership.left_at.is_(None),
                Member.id != reader.id,
            )
            .limit(3)
        )
    )
    outsider = Member(
        display_name="An applicant",
        email=f"applicant-{secrets.token_hex(4)}@bench.example",
        password_hash="-",  # noqa: S106 (no password: this member never logs in)
        role=MemberRole.MEMBER,
    )
    db.session.add(outsider)
    db.session.flush()
    from deliberate.tendencies.services import request_to_join

    request_to_join(outsider, db.session.get_one(Tendency, membership.tendency_id))
    majority = Settings(method="majority", threshold="simple")
    voting.create_vote(
        convener, title="Bench question", settings=majority, closes_at=utcnow() + timedelta(2)
    )
    today = utcnow().date()
    for evaluated in (True, False):
        decided = voting.create_vote(convener, title="Bench decision", settings=majority)
        voting.cast_ballot(comrades[0], decided, {"choice": "yes"})
        voting.close_vote(convener, decided)
        record = decisions.record_of_vote(decided.id)
        if record is None:
            raise SystemExit("the closed vote made no record")
        decisions.revise_statements(
            convener,
            record,
            decisions.Statements(outcome="Done.", unity="Act.", evaluation_date=today),
            seen_revision=record.revision,
        )
        decisions.seal_record(convener, record)
        if evaluated:
            decisions.open_evaluation(convener, record, today=today)
    draft = db.session.scalars(
        select(Draft).where(Draft.state == "amendments_open").order_by(Draft.id).limit(1)
    ).first()
    if draft is not None:
        version = draft.current_version_number
        asked = drafts.propose_amendment(
            comrades[1], draft, version_number=version, kind="replace", first=1, last=1,
            new_text="A comrade's text.", title="A comrade asks for seconds", rationale="Why.",
        )  # fmt: skip
        drafts.request_sponsorship(comrades[1], asked)
        subject = resolve("draft", draft.id)
        mine = debate.post_comment(reader, subject, "The reader's view.")
        debate.post_comment(comrades[2], subject, "A reply to the reader.", parent=mine)
    db.session.commit()


def statements(client, url: str) -> int:
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        response = client.get(url)
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return len(seen)


@contextmanager
def logged_in(app: Flask, world: World) -> Iterator[object]:
    client = app.test_client()
    member = db.session.get_one(Member, world.reader_id)
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = member.get_id()
        flask_session["_fresh"] = True
    yield client


def in_process(app: Flask, world: World, rounds: int) -> dict[str, object]:
    """CPU per request of each page with and without the count, in alternation, and the
    login page's; the statements of the home page and of the draft list."""
    anonymous = app.test_client()
    cpu: dict[str, list[float]] = {}
    with logged_in(app, world) as client:
        found = {
            "home statements": statements(client, page_path(world, "home")),
            "page statements": statements(client, page_path(world, "draft list")),
        }
        with app.test_request_context():
            member = db.session.get_one(Member, world.reader_id)
            found["waiting"] = needs.count(member, utcnow()).total
        for _ in range(rounds):
            for name in (LOGIN_PAGE, *PAGES):
                for counted in (True, False):
                    if name == LOGIN_PAGE and not counted:
                        continue
                    app.config["NEEDS_IN_NAVIGATION"] = counted
                    reader = anonymous if name == LOGIN_PAGE else client
                    start = time.process_time()
                    response = reader.get(page_path(world, name))  # type: ignore[attr-defined]
                    spent = time.process_time() - start
                    if response.status_code != 200:
                        raise SystemExit(f"{name} answered {response.status_code}")
                    key = name if name == LOGIN_PAGE else f"{name}|{counted}"
                    cpu.setdefault(key, []).append(spent * 1000)
                    db.session.remove()
        app.config["NEEDS_IN_NAVIGATION"] = True
    found["cpu"] = {key: statistics.median(samples) for key, samples in cpu.items()}
    return found


def under_gunicorn(
    uri: str, secret: str, world: World, options: argparse.Namespace, load: ProcessPoolExecutor
) -> dict[str, dict[str, float]]:
    """CPU ms per request of each page from a server with the count and one without."""
    app = production_app(uri, secret)
    cookie = session_cookie(app, world.reader_id, world.reader_token)[0]
    found: dict[str, dict[str, float]] = {}
    log = Path(tempfile.mkdtemp()) / "gunicorn.log"
    for counted in (True, False):
        os.environ["NEEDS_IN_NAVIGATION"] = "1" if counted else "0"
        try:
            with gunicorn(uri, secret, options.workers, log) as server:
                for name in (LOGIN_PAGE, *PAGES):
                    sent = "" if name == LOGIN_PAGE else cookie
                    path = page_path(world, name)
                    warm = [Request("GET", path, sent)] * (options.workers * 5)
                    load.submit(read_pages, server.port, warm, options.clients).result()
                    requests = [Request("GET", path, sent)] * options.requests
                    result = measure(load, server, name, requests, options.clients)
                    failures = sum(1 for r in result.replies if r.status != 200)
                    if failures:
                        raise SystemExit(f"{path} failed {failures} times; see {log}")
                    found.setdefault(name, {})[str(counted)] = result.cpu_ms
        finally:
            os.environ.pop("NEEDS_IN_NAVIGATION", None)
    return found


def report(title: str, found: dict[str, object], served: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}: {found['waiting']} things wait for the reader")
    print(
        f"statements: home {found['home statements']}, a page with the count "
        f"{found['page statements']}"
    )
    cpu: dict[str, float] = found["cpu"]  # type: ignore[assignment]
    login = cpu[LOGIN_PAGE]
    print(f"\nin process (test client), login page {login:.2f} ms CPU/request")
    print("| page | with count ms | ÷ login | without ms | ÷ login | count adds ms | ÷ login |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in PAGES:
        on, off = cpu[f"{name}|True"], cpu[f"{name}|False"]
        print(
            f"| {name} | {on:.2f} | {on / login:.2f} | {off:.2f} | {off / login:.2f} | "
            f"{on - off:.2f} | {(on - off) / login:.2f} |"
        )
    if not served:
        return
    print("\nunder gunicorn on PostgreSQL (app CPU ms/request; each server's login page)")
    print("| page | with count | ÷ its login | without | ÷ its login | count adds ÷ login |")
    print("|---|---:|---:|---:|---:|---:|")
    login_on, login_off = served[LOGIN_PAGE]["True"], served[LOGIN_PAGE]["False"]
    for name in PAGES:
        on, off = served[name]["True"], served[name]["False"]
        r_on, r_off = on / login_on, off / login_off
        print(f"| {name} | {on:.2f} | {r_on:.2f} | {off:.2f} | {r_off:.2f} | {r_on - r_off:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", default=os.environ.get("DELIBERATE_TEST_DB") or DEFAULT_SERVER
    )
    parser.add_argument("--members", type=int, default=90_000)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--skip-gunicorn", action="store_true")
    options = parser.parse_args()
    secret = secrets.token_hex(32)
    statements_at: dict[str, tuple[object, object]] = {}
    worlds: list[tuple[str, Callable[[], World]]] = []
    worlds += [] if options.skip_demo else [("demo organization (30 members)", demo_world)]
    if not options.skip_large:
        worlds.append(
            (f"{options.members:,} members", lambda: large_world(options.members, 200, 50))
        )
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as load:
        for title, build in worlds:
            with throwaway_database(options.database) as uri:
                app = production_app(uri, secret)
                # The test client speaks plain HTTP: its session cookie may not be Secure.
                app.config.update(WTF_CSRF_ENABLED=False, SESSION_COOKIE_SECURE=False)
                with app.app_context():
                    db.create_all()
                    world = build()
                    something_of_every_kind(world.reader_id)
                    settle()
                    found = in_process(app, world, options.rounds)
                    db.session.remove()
                    served = (
                        {}
                        if options.skip_gunicorn
                        else under_gunicorn(uri, secret, world, options, load)
                    )
                    report(title, found, served)
                    statements_at[title] = (found["home statements"], found["page statements"])
                    db.session.remove()
                    db.engine.dispose()
    print("\nstatements (home, a page) by size:", statements_at)
    if len(set(statements_at.values())) > 1:
        raise SystemExit("the statements differ with the organization's size")


if __name__ == "__main__":
    main()
