"""The deployment of deploy/ behaves as one system through nginx: nginx (the shipped site file,
TLS included) in front of two app instances (the shipped systemd unit, gunicorn.conf.py) and
the task worker, on a PostgreSQL database of their own and the shared Redis
(deploy/topology.py starts them all).

On PostgreSQL only: the server comes from DELIBERATE_TEST_DB, else TEST_DATABASE_URL (so
`make test` runs these once, on its PostgreSQL pass; with neither, they skip). Needs nginx
(Debian's, /usr/sbin/nginx) and Redis (DELIBERATE_TEST_REDIS); with REQUIRE_SERVICES set, as
in CI, a missing one fails rather than skips.
"""

from __future__ import annotations

import os
import random
import re
import secrets
import signal
import threading
import time
from collections.abc import Iterator
from multiprocessing import get_context
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from redis import Redis
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from bench.bench_voting import add_members, cast_request, ranked_vote, ranking, session_cookie
from config import database_url
from deliberate import create_app
from deliberate.accounts.models import Member
from deliberate.demo import ADMIN, CONVENER, DEMO_PASSWORD, demo_email
from deliberate.extensions import db
from deliberate.tendencies.models import Tendency
from deliberate.voting import services
from deliberate.voting.models import Ballot, Participation, Vote
from deploy import topology as topology_module
from deploy.topology import NGINX, ROOT, Topology, database, free_port, get
from tests.conftest import limiter_kept
from tests.deploy.client import CSRF, Cast, Sent, Visitor, cast_all

pytestmark = pytest.mark.topology


def postgres_server() -> str | None:
    for name in ("DELIBERATE_TEST_DB", "TEST_DATABASE_URL"):
        url = os.environ.get(name) or ""
        if url.startswith(("postgres://", "postgresql")):
            return url
    return None


def missing(reason: str) -> None:
    if os.environ.get("REQUIRE_SERVICES"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def topology(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    server = postgres_server()
    if server is None:
        pytest.skip("the topology runs on PostgreSQL: DELIBERATE_TEST_DB or TEST_DATABASE_URL")
    if not NGINX.exists():
        missing(f"no nginx at {NGINX} (Debian's package `nginx`)")
    with topology_module.running(
        server, redis_url, workers=2, demo=True, workdir=tmp_path_factory.mktemp("topology")
    ) as started:
        yield started


@pytest.fixture(scope="module")
def engine(topology: Topology) -> Iterator[Engine]:
    made = create_engine(database_url(topology.database_url), poolclass=NullPool)
    yield made
    made.dispose()


def words(page: str) -> str:
    """A page's text, tags dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def convener(topology: Topology, on: str = "a") -> Visitor:
    visitor = Visitor(topology)
    assert visitor.log_in(demo_email(CONVENER), DEMO_PASSWORD, on=on).status == 303
    return visitor


# --- nginx, as shipped --------------------------------------------------------------------------


def test_nginx_serves_static_files_itself_and_names_no_version(topology):
    visitor = Visitor(topology)
    page = visitor.get("/static/style.css")
    assert page.status == 200
    assert page.instance == ""  # no upstream: nginx read the file
    assert page.headers["Server"] == "nginx"
    assert page.headers["X-Request-ID"] == page.request_id
    assert visitor.get("/login").headers["Server"] == "nginx"


def test_the_request_id_goes_from_nginx_to_the_instance_that_answered(topology):
    visitor = Visitor(topology)
    answer = visitor.request("GET", "/login", headers={"X-Request-ID": "not an id"})
    generated = answer.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)  # a malformed one is replaced
    chosen = visitor.get("/login", on="b")
    log = topology.processes["b"].log
    deadline = time.monotonic() + 5  # the worker logs the request once it has answered
    while f"request_id={chosen.request_id}" not in log.read_text():
        assert time.monotonic() < deadline, "the request id is not in instance b's log"
        time.sleep(0.05)


def test_a_body_over_max_content_length_is_refused_by_nginx(topology):
    token = Visitor(topology).token("/login")
    answer = Visitor(topology).post(
        "/login", {"csrf_token": token, "email": "x" * (3 << 20), "password": "x"}
    )
    assert answer.status == 413
    assert answer.instance == ""  # refused before any instance saw it


# --- one session, one set of counters -----------------------------------------------------------


def test_a_login_on_one_instance_is_a_session_and_a_csrf_token_on_the_other(topology):
    mei = Visitor(topology)
    assert mei.log_in(demo_email("Mei Lin"), DEMO_PASSWORD, on="a", then="a").status == 303
    assert "Mei Lin" in words(mei.get("/account/name", on="b").body)
    token = mei.token("/account/name", on="a")
    renamed = mei.post("/account/name", {"csrf_token": token, "display_name": "Mei Lin"}, on="b")
    assert renamed.status == 303


def test_logging_out_on_one_instance_ends_the_session_on_both(topology):
    phone, laptop = Visitor(topology), Visitor(topology)
    email = demo_email("Rosa Keller")
    assert phone.log_in(email, DEMO_PASSWORD, on="a").status == 303
    assert laptop.log_in(email, DEMO_PASSWORD, on="b").status == 303
    token = phone.token("/account/name", on="b")
    assert phone.post("/logout", {"csrf_token": token}, on="a").status == 303
    for visitor, instance in ((phone, "b"), (laptop, "a"), (laptop, "b")):
        answer = visitor.get("/account/name", on=instance)
        assert answer.status == 302
        assert answer.headers["Location"].startswith("/login")


def test_the_login_limit_per_account_holds_at_five_across_both_instances(topology):
    guesser = Visitor(topology)
    victim = demo_email("Zainab Sesay")
    statuses = []
    for attempt in range(7):
        instance = "ab"[attempt % 2]
        token = guesser.token("/login", on="ba"[attempt % 2])
        answer = guesser.post(
            "/login", {"csrf_token": token, "email": victim, "password": f"guess {attempt}"},
            on=instance,
        )  # fmt: skip
        statuses.append(answer.status)
    assert statuses == [401] * 5 + [429, 429]
    token = guesser.token("/login")
    right = guesser.post(
        "/login", {"csrf_token": token, "email": victim, "password": DEMO_PASSWORD}
    )
    assert right.status == 429  # the account's limit, not a wrong password


def test_forged_forwarded_headers_beyond_nginx_change_nothing(topology):
    visitor = Visitor(topology)
    email = demo_email("Tomasz Nowak")
    token = visitor.token("/login")
    forged = {"X-Forwarded-For": "198.51.100.23", "X-Forwarded-Proto": "http",
              "X-Forwarded-Ssl": "off", "Forwarded": "for=198.51.100.23;proto=http"}  # fmt: skip
    failed = visitor.request(
        "POST", "/login", {"csrf_token": token, "email": email, "password": "wrong"},
        headers=forged,
    )  # fmt: skip
    assert failed.status == 401
    # The per-address counters are keyed on the address nginx saw, not the forged one.
    client = Redis.from_url(topology.redis_url)
    try:
        keys = [k.decode() for k in client.scan_iter(match=f"*{topology.name}*", count=1000)]
    finally:
        client.close()
    assert any("login-failures:127.0.0.1" in key for key in keys), keys
    assert not any("198.51.100" in key for key in keys)
    # The app still knows the request came over HTTPS: its CSRF check wants a Referer.
    token = visitor.token("/login")
    no_referer = visitor.request(
        "POST", "/login", {"csrf_token": token, "email": email, "password": "wrong"},
        headers=forged, referer=False,
    )  # fmt: skip
    assert no_referer.status == 400
    assert "referrer" in no_referer.body.lower()


# --- the worker -------------------------------------------------------------------------------


def test_mail_asked_for_through_an_instance_is_sent_by_the_worker_on_the_shared_queue(topology):
    address = f"newcomer.{secrets.token_hex(4)}@example.org"
    ana = Visitor(topology)
    assert ana.log_in(demo_email(ADMIN), DEMO_PASSWORD).status == 303
    token = ana.token("/admin/invitations/new", on="b")
    invited = ana.post(
        "/admin/invitations/new", {"csrf_token": token, "email": address, "tendency_id": "0"},
        on="b",
    )  # fmt: skip
    assert invited.status == 200
    letters = topology.workdir / "mail"
    deadline = time.monotonic() + 90  # woken at once through Redis; the minute's run at worst
    while not any(address in letter.read_text() for letter in letters.glob("*.eml")):
        assert time.monotonic() < deadline, topology.processes["worker"].tail()
        time.sleep(0.2)


# --- kept page parts ----------------------------------------------------------------------------


def read_often(visitor: Visitor, path: str, on: str) -> str:
    """The page read enough times on one instance that each of its workers keeps its parts."""
    for _ in range(5):
        page = visitor.get(path, on=on)
        assert page.status == 200
    return words(page.body)


def test_a_comment_posted_through_one_instance_is_on_the_others_next_page(topology):
    kwame = convener(topology)
    thread = "/debate/draft/3?order=newest"
    said = f"Seen from the other instance {secrets.token_hex(4)}."
    assert said not in read_often(kwame, thread, on="b")
    token = kwame.token("/debate/draft/3", on="a")
    posted = kwame.post("/debate/draft/3/comments/new", {"csrf_token": token, "body": said}, on="a")
    assert posted.status == 303
    assert said in words(kwame.get(thread, on="b").body)


def test_an_amendment_proposed_through_one_instance_is_on_the_others_draft_page(topology):
    kwame = convener(topology)
    title = f"Meet weekly {secrets.token_hex(3)}"
    assert title not in read_often(kwame, "/drafts/3", on="b")
    form = kwame.get("/drafts/3/amendments/new?kind=replace&first=1&last=1", on="a").body
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form)
    token = CSRF.search(form)
    assert version, "no version field"
    assert token, "no CSRF token"
    proposed = kwame.post(
        "/drafts/3/amendments/new",
        {"csrf_token": token.group(1) or token.group(2), "version": version.group(1),
         "kind": "replace", "first": "1", "last": "1", "new_text": "We meet every week.",
         "title": title, "rationale": "Momentum."},
        on="a",
    )  # fmt: skip
    assert proposed.status == 303, words(proposed.body)[:500]
    assert title in words(kwame.get("/drafts/3", on="b").body)


def test_a_vote_closed_and_a_record_sealed_through_one_instance_show_so_on_the_other(
    topology, engine
):
    kwame = convener(topology)
    with engine.connect() as connection:
        vote_id = connection.scalar(
            text("SELECT id FROM votes WHERE state = 'open' AND title LIKE 'Send two delegates%'")
        )
        record_id = connection.scalar(
            text("SELECT id FROM decision_records WHERE state = 'drafting'")
        )
    vote_page, record_page = f"/votes/{vote_id}", f"/decisions/{record_id}"
    assert "Close the vote and count it" in read_often(kwame, vote_page, on="b")
    assert "Seal the record" in read_often(kwame, record_page, on="b")
    token = kwame.token(vote_page, on="a")
    closed = kwame.post(f"{vote_page}/close", {"csrf_token": token, "confirm_early": "y"}, on="a")
    assert closed.status == 303
    shown = words(kwame.get(vote_page, on="b").body)
    assert "Close the vote and count it" not in shown
    assert "closed" in shown
    token = kwame.token(record_page, on="a")
    sealed = kwame.post(f"{record_page}/seal", {"csrf_token": token, "confirm": "1"}, on="a")
    assert sealed.status == 303
    shown = words(kwame.get(record_page, on="b").body)
    assert "Seal the record" not in shown
    assert "sealed" in shown


# --- a vote under load while an instance restarts ---------------------------------------------


MEMBERS = 400
CLIENTS = 12
STOP_AFTER = 80  # ballots stored before instance b is stopped
PAUSE_AT = 240  # casts sent before the load waits for b to be back


def test_a_vote_under_load_loses_and_doubles_no_ballot_while_an_instance_restarts(topology, engine):
    with limiter_kept():
        app = create_app(
            {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url(topology.database_url),
             "SECRET_KEY": topology.secret_key, "TENDENCY_SIZES_SECONDS": 30}
        )  # fmt: skip
    rng = random.Random(25)
    with app.app_context():
        chair = db.session.scalar(select(Member).where(Member.email == demo_email(CONVENER)))
        members = add_members(MEMBERS, db.session.scalars(select(Tendency.id)).all()[:3])
        vote = ranked_vote(chair, f"Who chairs the convention {secrets.token_hex(3)}?")
        vote_id = vote.id
        db.session.commit()
        casts = []
        for member_id, session_token in members:
            cookie, csrf_token = session_cookie(app, member_id, session_token)
            request = cast_request(vote_id, cookie, csrf_token, ranking(rng))
            casts.append(Cast(member_id, cookie, request.body))
        db.session.remove()
        db.engine.dispose()

    path = f"/votes/{vote_id}/cast"
    spawn = get_context("spawn")
    resume, results = spawn.Event(), spawn.Queue()
    load = spawn.Process(
        target=cast_all,
        args=(topology.ports.https, str(topology.certificate), topology.url, path, casts,
              CLIENTS, PAUSE_AT, resume, results),
    )  # fmt: skip
    load.start()
    try:
        stored = wait_for_ballots(engine, vote_id, STOP_AFTER, load)
        stopping = time.time()
        topology.stop_instance("b")  # SIGTERM, as systemctl stop: graceful
        stopped = time.time()
        topology.start_instance("b")
        while get(topology.ports.b, "/readyz") != 200:
            time.sleep(0.1)
        # nginx tries an instance that failed again after fail_timeout (deploy/nginx): the
        # rest of the load goes out once it has.
        back = time.time()
        while Visitor(topology).get("/healthz").instance != "b":
            assert time.time() < back + 30, "nginx never went back to instance b"
            time.sleep(0.2)
        resume.set()
        # Meanwhile instance a reloads (a deploy's `systemctl reload`: new workers, the same
        # socket): no request fails for it.
        time.sleep(0.5)
        os.kill(topology.processes["a"].pid, signal.SIGHUP)
        sent: list[Sent] = results.get(timeout=180)
    finally:
        resume.set()
        load.join(timeout=30)
        if load.is_alive():
            load.kill()
    assert stored >= STOP_AFTER
    assert len(sent) == MEMBERS

    entries = {e["request_id"]: e for e in topology.nginx_log() if e.get("request_id")}
    failed = [s for s in sent if s.status != 200 or s.receipt is None]
    for failure in failed:
        entry = entries[failure.request_id]
        # Only requests that were in flight on the stopped instance failed.
        assert topology.instance_of(entry["upstream"]) == "b", (failure, entry)
        assert failure.finished >= stopping - 1, failure
        assert failure.started <= stopped + 1, failure
    assert len(failed) <= CLIENTS
    assert "Handling signal: hup" in topology.processes["a"].log.read_text()
    served_after = [
        s for s in sent
        if s.started > back and topology.instance_of(entries[s.request_id]["upstream"]) == "b"
    ]  # fmt: skip
    assert served_after, "instance b took no request after its restart"

    # A delegate whose request failed presses again.
    retried = [send_again(topology, casts, path, failure.member_id) for failure in failed]
    assert all(status in (200, 303, 409) for status in retried), retried

    receipts = [s.receipt for s in sent if s.status == 200 and s.receipt]
    with app.app_context():
        hashes = {services.receipt_hash(vote_id, code) for code in receipts}
        ballots = set(
            db.session.scalars(select(Ballot.receipt_hash).where(Ballot.vote_id == vote_id))
        )
        participations = db.session.scalar(
            select(func.count()).select_from(Participation).where(Participation.vote_id == vote_id)
        )
        db.session.remove()
        db.engine.dispose()
    assert hashes <= ballots  # no answered ballot lost
    assert len(ballots) == participations == MEMBERS  # none doubled, none missing after retry

    # Closing, through both instances at once: one result, stored once, shown alike.
    kwame = convener(topology)
    tokens = {instance: kwame.token(f"/votes/{vote_id}", on=instance) for instance in "ab"}
    answers: dict[str, int] = {}

    def close(instance: str) -> None:
        visitor = Visitor(topology, dict(kwame.cookies))
        answer = visitor.post(
            f"/votes/{vote_id}/close",
            {"csrf_token": tokens[instance], "confirm_early": "y"},
        )
        answers[answer.instance] = answer.status

    threads = [threading.Thread(target=close, args=(i,)) for i in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == ["a", "b"], answers
    assert set(answers.values()) <= {303, 409}, answers
    with engine.connect() as connection:
        closed = connection.execute(
            select(Vote.state, Vote.result_json, Vote.closed_at).where(Vote.id == vote_id)
        ).one()
    assert closed.state == "closed"
    results_on = {i: result_words(kwame.get(f"/votes/{vote_id}", on=i).body) for i in "ab"}
    assert results_on["a"] == results_on["b"]
    assert f"{MEMBERS}" in results_on["a"]


def wait_for_ballots(engine: Engine, vote_id: int, count: int, load) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and load.is_alive():
        with engine.connect() as connection:
            stored = connection.scalar(
                select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote_id)
            )
        if stored >= count:
            return int(stored)
        time.sleep(0.05)
    raise AssertionError("the load did not start casting")


def send_again(topology: Topology, casts: list[Cast], path: str, member_id: int) -> int:
    cast = next(c for c in casts if c.member_id == member_id)
    visitor = Visitor(topology, {"session": cast.cookie})
    from urllib.parse import parse_qsl

    return visitor.request("POST", path, dict(parse_qsl(cast.body.decode()))).status


def result_words(page: str) -> str:
    """The result part of a closed vote's page, as words."""
    shown = words(page)
    start = shown.find("Result")
    return shown[start : start + 2000]


# --- migrations on deploy -------------------------------------------------------------------


def test_an_instance_is_not_ready_until_its_database_is_at_the_head_revision(topology):
    scripts = ScriptDirectory(str(ROOT / "migrations"))
    (head,) = scripts.get_heads()
    behind = scripts.get_revision(head).down_revision
    assert isinstance(behind, str)
    server = postgres_server()
    assert server
    name = f"deliberate_behind_{os.getpid()}_{secrets.token_hex(3)}"
    with database(server, name) as uri:
        settings = {"DATABASE_URL": uri}
        topology.run_flask("db", "upgrade", behind, settings=settings)
        port = free_port()
        topology.start_instance("new", port, **settings)
        try:
            assert get(port, "/healthz") == 200  # the process answers...
            assert get(port, "/readyz") == 503  # ...but is not ready
            topology.run_flask("db", "upgrade", settings=settings)
            assert get(port, "/readyz") == 200
        finally:
            topology.stop_instance("new")
            topology.processes.pop("new")


def test_the_shipped_files_are_what_the_topology_runs(topology):
    site = (topology.workdir / "nginx" / "sites" / "deliberate.conf").read_text()
    shipped = (ROOT / "deploy" / "nginx" / "deliberate.conf").read_text()
    assert topology_module.fill(shipped, topology.site_values()) == site
    assert Path(topology.processes["a"].popen.args[0]) == ROOT / ".venv" / "bin" / "gunicorn"
