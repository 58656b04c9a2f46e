"""`/metrics`: what it counts, labelled by endpoint and never by path, read from the database
where the worker did the work, and only for the listed addresses (404 for any other)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from config import from_environment
from deliberate import create_app
from deliberate.accounts.models import MemberRole
from deliberate.errors import InvalidTransition
from deliberate.extensions import db
from deliberate.metrics.instruments import REGISTRY
from deliberate.metrics.views import allowed_networks, is_allowed
from deliberate.notifications import outbox
from deliberate.voting import services
from deliberate.voting.rules import Settings
from tests.factories import make_member

SAMPLES = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client, **kwargs) -> SAMPLES:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert response.headers["Cache-Control"] == "no-store"
    return samples(response.get_data(as_text=True))


def samples(text: str) -> SAMPLES:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scraped: SAMPLES, name: str, **labels: str) -> float:
    return scraped.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_are_measured_by_endpoint_and_never_by_path(client):
    before = scrape(client)
    client.get("/help")
    client.get("/help")
    client.get("/no/such/page/4f1c9e")
    client.get("/members/123456789")  # a real route's path, for an id that does not exist
    after = scrape(client)
    text = client.get("/metrics").get_data(as_text=True)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    count = "deliberate_request_duration_seconds_count"
    assert grew(count, endpoint="main.help_page", method="GET") == 2
    assert grew("deliberate_responses_total", endpoint="main.help_page", status="200") == 2
    assert grew("deliberate_responses_total", endpoint="unmatched", status="404") == 1
    assert "4f1c9e" not in text
    assert "123456789" not in text
    assert "/help" not in text


def test_an_unknown_method_is_one_label_not_the_word_sent(client):
    client.open("/help", method="BREW")
    scraped = scrape(client)
    methods = {dict(labels).get("method") for (_name, labels) in scraped}
    assert "BREW" not in methods
    assert "other" in methods


def test_every_label_is_from_a_bounded_set(client):
    client.get("/help")
    client.get("/x" * 40)
    scraped = scrape(client)
    # The counters are the process's: other tests' apps may have added endpoints of their own,
    # but each is an endpoint's name (a blueprint's may hold a hyphen), never a path.
    endpoint_name = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
    for _name, labels in scraped:
        for label, label_value in labels:
            assert label in {"endpoint", "method", "status", "state", "le"}
            if label == "endpoint":
                assert endpoint_name.fullmatch(label_value)
            if label == "status":
                assert len(label_value) == 3
                assert label_value.isdigit()


@pytest.fixture
def open_vote(session):
    convener = make_member("Metrics Convener", role=MemberRole.CONVENER)
    voters = [make_member() for _ in range(3)]
    vote = services.create_vote(
        convener,
        title="Count the ballots?",
        settings=Settings(method="majority", threshold="simple"),
    )
    db.session.commit()
    return convener, voters, vote


def test_ballots_cast_are_counted_once_committed_and_refusals_not(client, open_vote):
    _convener, voters, vote = open_vote

    def counted() -> float:
        # Read in the process, not through a request (the test client commits first).
        return REGISTRY.get_sample_value("deliberate_ballots_cast_total") or 0.0

    before = counted()
    services.cast_ballot(voters[0], vote, {"choice": "yes"})
    assert counted() == before  # not committed yet
    db.session.commit()
    assert counted() == before + 1
    services.cast_ballot(voters[1], vote, {"choice": "no"})
    db.session.rollback()
    with pytest.raises(InvalidTransition):
        services.cast_ballot(voters[0], vote, {"choice": "no"})
    db.session.rollback()
    assert counted() == before + 1
    assert value(scrape(client), "deliberate_ballots_cast_total") == before + 1


def test_votes_outbox_and_mail_are_read_from_the_database(client, open_vote):
    convener, _voters, vote = open_vote
    before = scrape(client)
    outbox.add("test_event", {})
    db.session.commit()
    services.close_vote(convener, vote)
    db.session.commit()
    after = scrape(client)
    waiting = "deliberate_outbox_waiting"
    assert value(after, waiting) == value(before, waiting) + 2  # the event, and the close's
    assert value(after, "deliberate_votes", state="closed") == (
        value(before, "deliberate_votes", state="closed") + 1
    )
    assert value(after, "deliberate_votes", state="open") == (
        value(before, "deliberate_votes", state="open") - 1
    )
    for state in ("pending", "sent", "failed"):
        assert ("deliberate_mail", (("state", state),)) in after
    assert value(after, "deliberate_queue_reachable") == 1
    assert ("deliberate_queue_tasks", ()) in after


def test_the_worker_s_mail_is_counted_whichever_process_sent_it(client, session):
    from deliberate.notifications import worker

    before = scrape(client)
    convener = make_member("Mail Convener", role=MemberRole.CONVENER)
    make_member()
    services.create_vote(
        convener, title="Tell everyone?", settings=Settings(method="majority", threshold="simple")
    )
    db.session.commit()
    report = worker.deliver_all()  # what a worker process does (to the letter box here)
    after = scrape(client)
    assert report.sent >= 2
    assert value(after, "deliberate_mail", state="sent") == (
        value(before, "deliberate_mail", state="sent") + report.sent
    )


# --- who may read them ---------------------------------------------------------------------


def metrics_app(**settings) -> Flask:
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://", **settings})
    with app.app_context():
        db.create_all()
    return app


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "OPTIONS", "PUT"])
def test_an_unlisted_address_meets_the_ordinary_not_found_page(method):
    client = metrics_app().test_client()
    outsider = {"REMOTE_ADDR": "203.0.113.9"}
    refused = client.open("/metrics", method=method, environ_base=outsider)
    nothing = client.open("/no-such-page", method=method, environ_base=outsider)
    assert refused.status_code == nothing.status_code == 404
    assert refused.get_data() == nothing.get_data()
    assert "Allow" not in refused.headers
    assert refused.headers["Content-Type"] == nothing.headers["Content-Type"]


def test_the_loopback_addresses_read_them_by_default():
    client = metrics_app().test_client()
    for address in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": address}).status_code == 200
    for address in ("127.0.0.2", "10.0.0.1", "", "not-an-address"):
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": address}).status_code == 404


@pytest.mark.parametrize(
    ("trusted", "forwarded", "status"),
    [
        (0, "127.0.0.1", 404),  # no proxy believed: the header is the client's own word
        (1, "127.0.0.1, 203.0.113.9", 404),  # a client's forged hop before nginx's own
        (1, "203.0.113.9", 404),
        (2, "127.0.0.1, 203.0.113.9, 10.0.0.5", 404),  # two proxies: the first named the client
    ],
)
def test_forged_forwarded_addresses_do_not_open_them(trusted, forwarded, status):
    client = metrics_app(TRUSTED_PROXIES=trusted).test_client()
    answer = client.get(
        "/metrics",
        headers={"X-Forwarded-For": forwarded},
        environ_base={"REMOTE_ADDR": "203.0.113.9" if trusted == 0 else "127.0.0.1"},
    )
    assert answer.status_code == status


def test_a_scraper_on_the_proxy_s_host_reads_them_through_it():
    client = metrics_app(TRUSTED_PROXIES=1).test_client()
    answer = client.get(
        "/metrics",
        headers={"X-Forwarded-For": "127.0.0.1"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert answer.status_code == 200


def test_networks_may_be_listed_and_an_empty_list_opens_them_to_nobody():
    client = metrics_app(METRICS_ALLOWED_ADDRESSES=("10.0.0.0/8", "2001:db8::/32")).test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.2.3.4"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "2001:db8::5"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 404
    closed = metrics_app(METRICS_ALLOWED_ADDRESSES=()).test_client()
    assert closed.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 404


def test_a_bad_address_in_the_list_stops_the_app_at_start():
    with pytest.raises(RuntimeError, match="'localhost' is not an IP address or network"):
        metrics_app(METRICS_ALLOWED_ADDRESSES=("127.0.0.1", "localhost"))


def test_metrics_can_be_turned_off():
    app = metrics_app(METRICS_ENABLED=False)
    assert "metrics.index" not in {rule.endpoint for rule in app.url_map.iter_rules()}
    assert app.test_client().get("/metrics").status_code == 404


def test_the_settings_come_from_the_environment():
    assert from_environment({"METRICS_ALLOWED_ADDRESSES": "127.0.0.1, 10.0.0.0/8 ::1"})[
        "METRICS_ALLOWED_ADDRESSES"
    ] == ("127.0.0.1", "10.0.0.0/8", "::1")
    assert from_environment({"METRICS_ALLOWED_ADDRESSES": ""})["METRICS_ALLOWED_ADDRESSES"] == ()
    assert from_environment({"METRICS_ENABLED": "0"})["METRICS_ENABLED"] is False
    assert "METRICS_ALLOWED_ADDRESSES" not in from_environment({})


def test_address_matching():
    networks = allowed_networks(("127.0.0.1", "fd00::/8"))
    assert is_allowed("127.0.0.1", networks)
    assert is_allowed("fd12::1", networks)
    assert not is_allowed(None, networks)
    assert not is_allowed("fe80::1%eth0", networks)


# --- several processes ---------------------------------------------------------------------


def test_a_worker_that_imported_prometheus_client_before_the_folder_was_named_refuses_to_start(
    monkeypatch, tmp_path
):
    # This process imported prometheus_client without PROMETHEUS_MULTIPROC_DIR: naming the
    # folder now would leave its counts its own, so the app says so rather than serve them.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    with pytest.raises(RuntimeError, match="set after prometheus_client was imported"):
        metrics_app()


def test_gunicorn_s_starting_hook_empties_the_folder_and_refuses_a_preloaded_app(
    monkeypatch, tmp_path
):
    from deliberate.metrics import on_exit, on_starting

    (tmp_path / "counter_123.db").write_bytes(b"an earlier run")
    (tmp_path / "notes.txt").write_text("the operator's")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    with pytest.raises(RuntimeError, match="do not preload the app"):
        on_starting()
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]
    on_exit()
    assert (tmp_path / "notes.txt").exists()  # a folder the operator named stays
