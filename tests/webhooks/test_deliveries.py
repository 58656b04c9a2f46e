"""Webhook deliveries: each event a subscribed endpoint asked for reaches it once, signed, in
order, even when the worker runs twice or the receiver fails first; nothing in them says who
voted or how."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from deliberate.accounts.models import MemberRole
from deliberate.database import utcnow
from deliberate.errors import ValidationError
from deliberate.extensions import db
from deliberate.voting import services as voting
from deliberate.webhooks import worker
from deliberate.webhooks.models import WebhookDelivery, WebhookState
from deliberate.webhooks.services import create_endpoint
from tests.factories import make_member
from tests.notifications.test_delivery import open_vote
from tests.webhooks.receiver import Receiver

ALL_EVENTS = [
    "vote.opened",
    "vote.closed",
    "record.sealed",
    "evaluation.sealed",
    "amendment.tabled",
]


@pytest.fixture
def admin(session):
    return make_member("Webhook Admin", role=MemberRole.ADMIN)


@pytest.fixture
def convener(session):
    return make_member("Convener", role=MemberRole.CONVENER)


@pytest.fixture
def receiver(admin):
    started = Receiver().start()
    _endpoint, secret = create_endpoint(admin, started.url, ALL_EVENTS, "Test receiver")
    started.secret = secret
    db.session.commit()
    yield started
    started.stop()


def test_a_vote_s_opening_and_closing_arrive_signed_in_order_and_once(receiver, convener):
    voters = [make_member(f"Voter {n}") for n in range(3)]
    vote = open_vote(convener, "Secret question?", secret=True)
    db.session.commit()
    for n, member in enumerate(voters):
        voting.cast_ballot(member, vote, {"choice": "yes" if n else "no"})
    db.session.commit()
    voting.close_vote(convener, vote)
    db.session.commit()
    assert worker.send_due() == 2
    assert worker.send_due() == 0  # the worker again: nothing is sent twice
    got = receiver.accepted()
    assert [r.event for r in got] == ["vote.opened", "vote.closed"]
    assert all(r.signed for r in got)
    closed = got[1].body
    assert closed["data"]["vote_id"] == vote.id
    assert closed["data"]["result_url"].endswith(f"/api/v1/votes/{vote.id}/results")
    assert len({r.delivery for r in got}) == 2
    # No name, id or choice of any voter travels in a delivery of a secret vote.
    for r in got:
        text = r.raw.decode()
        for member in voters:
            assert member.display_name not in text
        assert set(r.body["data"]) <= {
            "vote_id",
            "title",
            "url",
            "closes_at",
            "summary",
            "result_url",
        }
        assert "ballot" not in text.lower()
        assert "choice" not in text.lower()
    states = db.session.scalars(select(WebhookDelivery.state)).all()
    assert states == [WebhookState.SENT, WebhookState.SENT]


def test_a_receiver_answering_500_gets_the_event_once_after_the_backoff(receiver, convener):
    receiver.answers = [500]
    open_vote(convener, "Open the hall?")
    db.session.commit()
    assert worker.send_due() == 1
    assert receiver.accepted()[0].event == "vote.opened"  # it came, the receiver said 500
    assert worker.send_due() == 0  # not yet: the backoff
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    assert worker.send_due(utcnow() + timedelta(minutes=5)) == 1
    assert worker.send_due(utcnow() + timedelta(hours=5)) == 0
    assert [r.delivery for r in receiver.received] == [str(delivery.id)] * 2
    db.session.refresh(delivery)
    assert (delivery.state, delivery.attempts) == ("sent", 2)


def test_a_delivery_refused_every_time_fails_after_its_last_attempt(
    app, monkeypatch, receiver, convener
):
    monkeypatch.setitem(app.config, "WEBHOOKS_MAX_ATTEMPTS", 3)
    receiver.answers = [503] * 10
    open_vote(convener, "Open the hall?")
    db.session.commit()
    later = utcnow()
    for _ in range(5):
        later += timedelta(days=1)
        worker.send_due(later)
    assert len(receiver.received) == 3
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert (delivery.state, delivery.attempts) == ("failed", 3)


def test_an_event_queued_twice_is_delivered_once(receiver, convener):
    from deliberate.webhooks.models import WebhookEvent
    from deliberate.webhooks.outbox import emit

    emit(WebhookEvent.RECORD_SEALED, "7", {"record_id": 7})
    emit(WebhookEvent.RECORD_SEALED, "7", {"record_id": 7})
    db.session.commit()
    worker.send_due()
    worker.send_due()
    assert [r.event for r in receiver.accepted()] == ["record.sealed"]


def test_a_forged_or_stale_signature_does_not_verify():
    from deliberate.webhooks.signing import signature, verify

    header = signature("whsec_a", 1_000_000, b"{}")
    assert verify("whsec_a", header, b"{}", now=1_000_010)
    assert not verify("whsec_b", header, b"{}", now=1_000_010)
    assert not verify("whsec_a", header, b'{"x":1}', now=1_000_010)
    assert not verify("whsec_a", header, b"{}", now=1_000_000 + 3600)


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.org/x",
        "https://10.0.0.5/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest",
        "https://[::1]/hook",
        "https://127.0.0.1/hook",
        "ftp://example.org/",
        "https://user:pw@example.org/",
    ],
)
def test_private_plain_or_loopback_addresses_are_refused(app, monkeypatch, admin, url):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_LOOPBACK", False)
    with pytest.raises(ValidationError):
        create_endpoint(admin, url, ["vote.opened"])


def test_a_member_who_is_not_an_admin_registers_nothing(session):
    from deliberate.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        create_endpoint(make_member(), "http://127.0.0.1:9/x", ["vote.opened"])


def test_a_tabled_amendment_and_a_sealed_record_are_told(receiver, convener):
    from tests.decisions.factories import sealed_record
    from tests.drafts.factories import make_draft, propose, table

    draft = make_draft(paragraphs=3)
    amendment = propose(make_member(), draft)
    table(amendment, count=draft.seconds_required)
    record = sealed_record(convener, [make_member() for _ in range(2)])
    db.session.commit()
    worker.send_due()
    got = {r.event: r.body["data"] for r in receiver.accepted()}
    assert got["amendment.tabled"]["amendment"] == amendment.number
    assert got["amendment.tabled"]["url"].endswith(
        f"/drafts/{draft.id}/amendments/{amendment.number}"
    )
    assert got["record.sealed"]["record_id"] == record.id
    assert list(got) == ["amendment.tabled", "vote.opened", "vote.closed", "record.sealed"]


def test_the_readme_s_verification_snippet_accepts_ours_and_refuses_a_forgery():
    from tests.api.test_readme import example

    scope: dict = {}
    exec(example("verify-webhook", "python"), scope)  # noqa: S102 - the README's own code
    from deliberate.webhooks.signing import signature

    now = int(time.time())
    body = b'{"event": "vote.opened"}'
    assert scope["verified"]("whsec_x", signature("whsec_x", now, body), body)
    assert not scope["verified"]("whsec_y", signature("whsec_x", now, body), body)
    assert not scope["verified"]("whsec_x", signature("whsec_x", now - 3600, body), body)
