"""Bounces that come after the mail server accepted a message: each mail's envelope sender
names its delivery, signed; `flask bounce` reads what comes back; a permanent failure marks
the delivery failed and counts against the member's address, and at the limit their mail
stops until they resume it. Nothing else that arrives there changes anything."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from deliberate.accounts.models import MemberRole
from deliberate.audit.models import AuditEntry
from deliberate.extensions import db
from deliberate.notifications import bounces, worker
from deliberate.notifications.models import Channel, Delivery, DeliveryState, MailStop
from tests.factories import make_member
from tests.notifications.test_delivery import open_vote
from tests.security.snapshot import database_snapshot

BOUNCES = "bounces@lists.example.org"
USER_UNKNOWN = "smtp; 550 5.1.1 <mia@example.org>: Recipient address rejected: User unknown"


def report(to: str, *, action: str = "failed", status: str = "5.1.1") -> bytes:
    """A delivery status notification as a mail server writes one (RFC 3464)."""
    return (
        "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\n"
        f"To: {to}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b0"\r\n'
        "\r\n"
        "--b0\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "\r\n"
        "Your message could not be delivered to one or more recipients.\r\n"
        "\r\n"
        "--b0\r\n"
        "Content-Type: message/delivery-status\r\n"
        "\r\n"
        "Reporting-MTA: dns; mx.example.net\r\n"
        "\r\n"
        "Final-Recipient: rfc822; mia@example.org\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        f"Diagnostic-Code: {USER_UNKNOWN}\r\n"
        "\r\n"
        "--b0\r\n"
        "Content-Type: text/rfc822-headers\r\n"
        "\r\n"
        "Subject: [Deliberate] Vote open\r\n"
        "\r\n"
        "--b0--\r\n"
    ).encode()


@pytest.fixture
def mailed(app, session, smtp, monkeypatch):
    """Mia on the roll of three votes, their opening mailed with signed envelope senders."""
    monkeypatch.setitem(app.config, "MAIL_BOUNCE_ADDRESS", BOUNCES)
    convener = make_member("Vote Convener", role=MemberRole.CONVENER)
    mia = make_member("Mia Member", email="mia@example.org")
    for n in range(4):
        open_vote(convener, f"Question {n}?")
    db.session.commit()
    worker.deliver_all()
    return mia


def mia_s_deliveries(mia) -> list[Delivery]:
    return list(
        db.session.scalars(
            select(Delivery)
            .where(Delivery.member_id == mia.id, Delivery.channel == Channel.MAIL)
            .order_by(Delivery.id)
        )
    )


def test_each_mail_s_envelope_sender_names_its_delivery_signed(smtp, mailed):
    senders = dict(zip(smtp.sink.ids(), smtp.sink.senders, strict=True))
    for delivery in mia_s_deliveries(mailed):
        sender = senders[f"<deliberate.{delivery.event_id}.{delivery.id}@127.0.0.1>"]
        assert re.fullmatch(rf"bounces\+{delivery.id}\.[0-9a-f]{{16}}@lists\.example\.org", sender)
        assert bounces.delivery_of(sender) == delivery.id
    # The From that members read is the organization's, not the envelope's.
    assert {str(m["From"].addresses[0].addr_spec) for m in smtp.sink.messages} == {
        "deliberate@localhost"
    }


def test_a_permanent_failure_fails_its_delivery_and_counts_against_the_address(
    app, client, login_as, smtp, mailed
):
    first = mia_s_deliveries(mailed)[0]
    said = bounces.read(report(bounces.envelope_sender(first.id) or ""))
    db.session.commit()
    assert said == f"delivery {first.id}: failed (5.1.1); 1 of 3"
    db.session.refresh(first)
    assert first.state == DeliveryState.FAILED
    assert first.last_error == f"Bounced after it was accepted: 5.1.1 {USER_UNKNOWN}"
    stop = db.session.get_one(MailStop, mailed.id)
    assert (stop.bounces, stop.stopped_at, stop.address) == (1, None, "mia@example.org")
    # The same report again (a mail server retrying its pipe) counts once.
    assert "already counted" in bounces.read(report(bounces.envelope_sender(first.id) or ""))
    assert db.session.get_one(MailStop, mailed.id).bounces == 1
    # The admins' mail page shows the failure.
    login_as(make_member("Ada Admin", role=MemberRole.ADMIN))
    page = client.get("/admin/mail/").get_data(as_text=True)
    assert "Bounced after it was accepted: 5.1.1" in page
    assert "No address's mail is stopped." in page


def test_at_the_limit_mail_stops_until_the_member_resumes_it(app, client, login_as, smtp, mailed):
    deliveries = mia_s_deliveries(mailed)
    for delivery in deliveries[:3]:
        said = bounces.read(report("x@example.net"), recipient=bounces.envelope_sender(delivery.id))
    db.session.commit()
    assert said.endswith(f"mail to member {mailed.id} stopped")
    assert db.session.get_one(MailStop, mailed.id).stopped_at is not None
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == (
        "mail.stopped"
    )
    # The next vote's mail goes to everyone on the roll but her; her app still shows it.
    before = len(smtp.sink.to("mia@example.org"))
    other = make_member("Other Convener", role=MemberRole.CONVENER, email="other@example.org")
    open_vote(other, "After the stop?")
    db.session.commit()
    worker.deliver_all()
    assert len(smtp.sink.to("mia@example.org")) == before
    assert len(smtp.sink.to("other@example.org")) == 1
    latest = mia_s_deliveries(mailed)[-1]
    assert latest.state == DeliveryState.SKIPPED
    # She sees why on her mail settings page, and resumes it.
    login_as(mailed)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "No mail is sent to you" in page
    assert "3 messages to mia@example.org came back undelivered" in page
    assert "User unknown" in page
    answer = client.post("/notifications/settings/resume-mail")
    assert answer.status_code == 303
    assert db.session.get(MailStop, mailed.id) is None
    assert "No mail is sent to you" not in client.get("/notifications/settings").get_data(
        as_text=True
    )
    open_vote(make_member("Third Convener", role=MemberRole.CONVENER), "Resumed?")
    db.session.commit()
    worker.deliver_all()
    assert len(smtp.sink.to("mia@example.org")) == before + 1


def test_resuming_mail_that_is_not_stopped_is_refused_and_changes_nothing(client, login_as, mailed):
    login_as(mailed)
    before = database_snapshot()
    answer = client.post("/notifications/settings/resume-mail", follow_redirects=True)
    assert answer.status_code == 400
    assert "Mail to your address is not stopped." in answer.get_data(as_text=True)
    assert database_snapshot() == before


@pytest.mark.parametrize(
    "case",
    [
        "no signature",
        "forged signature",
        "another delivery's signature",
        "other domain",
        "a delay",
        "a temporary failure",
        "not a report",
        "unknown delivery",
    ],
)
def test_what_is_not_a_signed_permanent_failure_changes_nothing(app, mailed, case):
    delivery = mia_s_deliveries(mailed)[0]
    signed = bounces.envelope_sender(delivery.id) or ""
    signature = signed.split(".")[1].split("@")[0]
    other = mia_s_deliveries(mailed)[1]
    to, raw = signed, None
    if case == "no signature":
        to = f"bounces+{delivery.id}@lists.example.org"
    elif case == "forged signature":
        to = f"bounces+{delivery.id}.{'0' * 16}@lists.example.org"
    elif case == "another delivery's signature":
        to = f"bounces+{other.id}.{signature}@lists.example.org"
    elif case == "other domain":
        to = signed.replace("lists.example.org", "example.net")
    elif case == "unknown delivery":
        to = bounces.envelope_sender(10**9) or ""
    elif case == "a delay":
        raw = report(to, action="delayed", status="4.4.1")
    elif case == "a temporary failure":
        raw = report(to, status="4.2.2")
    elif case == "not a report":
        raw = f"To: {to}\r\nSubject: Out of office\r\n\r\nI am away until Monday.\r\n".encode()
    before = database_snapshot()
    said = bounces.read(raw or report(to))
    assert "failed" not in said
    assert database_snapshot() == before


def test_flask_bounce_reads_the_mail_server_s_pipe(app, mailed):
    delivery = mia_s_deliveries(mailed)[0]
    runner = app.test_cli_runner()
    address = bounces.envelope_sender(delivery.id) or ""
    result = runner.invoke(args=["bounce", "--recipient", address], input=report("x@y.example"))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"delivery {delivery.id}: failed (5.1.1); 1 of 3"
    db.session.refresh(delivery)
    assert delivery.state == DeliveryState.FAILED
    # Whatever else comes down the pipe is ignored, and never bounced back (exit 0).
    result = runner.invoke(args=["bounce"], input=b"\x00\xff garbage")
    assert (result.exit_code, result.output.strip()) == (0, "not a bounce of ours: ignored")


FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_hostile_messages_to_the_bounce_address_change_nothing(app, mailed):
    delivery = mia_s_deliveries(mailed)[0]
    unsigned = f"bounces+{delivery.id}.{'f' * 16}@lists.example.org"
    genuine = report(unsigned)

    @FUZZ
    @given(
        raw=st.one_of(
            st.binary(max_size=2000),
            st.builds(
                lambda cut, junk: genuine[:cut] + junk + genuine[cut:],
                st.integers(0, len(genuine)),
                st.binary(max_size=200),
            ),
        ),
        recipient=st.one_of(st.none(), st.text(max_size=120), st.just(unsigned)),
    )
    def fuzz(raw: bytes, recipient: str | None) -> None:
        before = database_snapshot()
        assert isinstance(bounces.read(raw, recipient), str)
        assert database_snapshot() == before

    fuzz()
