"""Votes, invitations and resets reach members by mail through a real SMTP server, once each,
with the right headers and parts; what rolled back sends nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from sqlalchemy import func, select

from deliberate.accounts.models import MemberRole, MemberStatus
from deliberate.database import utcnow
from deliberate.extensions import db
from deliberate.notifications import schedule, worker
from deliberate.notifications.models import Channel, Delivery, DeliveryState, OutboxEvent
from deliberate.voting import services
from deliberate.voting.rules import Settings
from tests.factories import make_member
from tests.notifications.smtp import html_of, text_of

MAJORITY = Settings(method="majority", threshold="simple")


@pytest.fixture
def convener(session):
    return make_member("Vote Convener", role=MemberRole.CONVENER)


def open_vote(
    convener, title="Adopt the spring plan?", secret=False, closes_in=timedelta(hours=12)
):
    vote = services.create_vote(
        convener,
        title=title,
        settings=Settings(method="majority", threshold="simple", secret=secret),
        opens_at=None,
        closes_at=utcnow() + closes_in,
    )
    if vote.state != "open":
        services.open_vote(convener, vote)
    return vote


def test_a_vote_opening_writes_one_outbox_row_and_mails_its_roll_once(app, convener, smtp):
    members = [make_member(f"Roll {n}") for n in range(5)]
    make_member("Suspended One", status=MemberStatus.SUSPENDED)
    vote = open_vote(convener)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OutboxEvent)) == 1
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0

    worker.deliver_all()
    worker.deliver_all()  # a second pass (another worker, a repeated task) sends nothing more

    roll = {m.email for m in [*members, convener]}
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp.sink.messages) == sorted(roll)
    message = smtp.sink.to(members[0].email)[0]
    assert message["Subject"] == f"[{app.config['ORGANIZATION_NAME']}] Vote open: {vote.title}"
    assert message["From"].addresses[0].display_name == app.config["ORGANIZATION_NAME"]
    assert message["Message-ID"].startswith("<deliberate.")
    assert (
        str(message["List-Unsubscribe"]).strip().startswith("<http://deliberate.test/unsubscribe/")
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/votes/{vote.id}" in text_of(message)
    assert f"/votes/{vote.id}" in html_of(message)
    assert len(set(smtp.sink.ids())) == len(smtp.sink.messages)
    in_app = db.session.scalar(
        select(func.count()).select_from(Delivery).where(Delivery.channel == Channel.APP)
    )
    assert in_app == len(roll)


def test_each_mail_names_the_closing_time_in_its_recipients_zone(convener, smtp):
    tokyo = make_member("In Tokyo")
    tokyo.time_zone = "Asia/Tokyo"
    default = make_member("In The Organization Zone")
    open_vote(convener, closes_in=datetime(2031, 1, 15, 18, 30, tzinfo=UTC) - utcnow())
    db.session.commit()

    worker.deliver_all()

    text = " ".join(text_of(smtp.sink.to(tokyo.email)[0]).split())
    assert "It closes on 16 January 2031 at 03:30 JST." in text
    text = " ".join(text_of(smtp.sink.to(default.email)[0]).split())
    assert "It closes on 15 January 2031 at 18:30 UTC." in text


def test_a_rolled_back_change_writes_and_sends_nothing(convener, smtp):
    make_member("Roll")

    def fail_after_opening() -> None:
        with db.session.begin_nested():
            open_vote(convener)
            raise RuntimeError("the request failed after opening")

    with pytest.raises(RuntimeError):
        fail_after_opening()
    db.session.commit()
    worker.deliver_all()
    assert db.session.scalar(select(func.count()).select_from(OutboxEvent)) == 0
    assert smtp.sink.messages == []


def test_an_invitation_from_the_admin_page_arrives_and_the_page_still_offers_the_link(
    client, login_as, smtp
):
    admin = make_member("Admin", role=MemberRole.ADMIN)
    login_as(admin)
    page = client.post(
        "/admin/invitations/new", data={"email": "new@example.org", "tendency_id": 0}
    )
    assert page.status_code == 200
    assert "sent by email to new@example.org" in page.text
    worker.deliver_all()
    [message] = smtp.sink.to("new@example.org")
    assert "/invitations/" in text_of(message)
    assert message["List-Unsubscribe"] is None  # an invitation is no subscription
    link = text_of(message).split("Accept the invitation: ")[1].split()[0]
    assert link.split("/invitations/")[1] in page.text  # the same link, offered on the page
    assert client.get(link.split("deliberate.test")[-1]).status_code == 200
    event = db.session.scalar(select(OutboxEvent))
    assert event is not None
    assert event.secret is None  # the token left with its mail


def test_a_csv_import_sends_each_invitation_once(client, login_as, smtp):
    admin = make_member("Admin", role=MemberRole.ADMIN)
    login_as(admin)
    data = (
        b"name,email\nAda,ada@example.org\nBo,bo@example.org\n"
        b"Ada again,ada@example.org\nCy,cy@example.org\n"
    )

    page = client.post("/admin/invitations/import", data={"file": (BytesIO(data), "people.csv")})
    assert page.status_code == 200
    worker.deliver_all()
    worker.deliver_all()
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp.sink.messages) == [
        "ada@example.org",
        "bo@example.org",
        "cy@example.org",
    ]


def test_a_password_reset_is_mailed_but_never_to_a_suspended_member(client, login_as, smtp):
    admin = make_member("Admin", role=MemberRole.ADMIN)
    active = make_member("Active")
    suspended = make_member("Away", status=MemberStatus.SUSPENDED)
    login_as(admin)
    page = client.post(f"/admin/members/{active.id}/password-reset")
    assert f'sent by email to <span class="email">{active.email}</span>' in page.text
    client.post(f"/admin/members/{suspended.id}/password-reset")
    worker.deliver_all()
    [message] = smtp.sink.messages
    assert message["To"].addresses[0].addr_spec == active.email
    assert "/password-reset/" in text_of(message)


def test_a_member_suspended_before_the_send_gets_nothing(convener, smtp):
    member = make_member("Soon Away")
    open_vote(convener)
    db.session.commit()
    worker.expand_batch(100)
    member.status = MemberStatus.SUSPENDED
    db.session.commit()
    worker.deliver_all()
    assert smtp.sink.to(member.email) == []
    assert smtp.sink.to(convener.email)


def test_closing_soon_reminders_and_closes_are_sent_once_by_the_schedule(convener, smtp):
    member = make_member("Roll")
    vote = open_vote(convener)
    db.session.commit()
    schedule.remind_closing()
    schedule.remind_closing()  # the schedule runs again, or on another worker
    schedule.close_due(utcnow() + timedelta(hours=13))
    worker.deliver_all()
    subjects = sorted(str(m["Subject"]).split("] ")[1] for m in smtp.sink.to(member.email))
    assert subjects == [f"Closing soon: {vote.title}", f"Vote open: {vote.title}"]
    # The close goes to the digest by default.
    waiting = db.session.scalars(
        select(Delivery.state).where(Delivery.member_id == member.id, Delivery.channel == "mail")
    ).all()
    assert DeliveryState.DIGEST in waiting
    assert schedule.daily_digests() >= 1
    worker.deliver_all()
    [digest] = [m for m in smtp.sink.to(member.email) if "digest" in str(m["Subject"])]
    assert f"“{vote.title}” has closed" in text_of(digest)
    assert schedule.daily_digests() == 0  # nothing left to gather


def test_an_evaluation_coming_due_is_told_to_the_conveners_once(convener, smtp):
    from tests.decisions.factories import sealed_record

    voters = [make_member(f"Voter {n}") for n in range(3)]
    record = sealed_record(convener, voters, evaluation_date=utcnow().date() + timedelta(days=3))
    db.session.commit()
    worker.deliver_all()  # the vote's own news
    smtp.sink.messages.clear()
    assert schedule.evaluations_coming_due() == 1
    assert schedule.evaluations_coming_due() == 0  # once
    worker.expand_all()
    schedule.daily_digests()  # evaluations come in the digest by default
    worker.deliver_all()
    [digest] = smtp.sink.to(convener.email)
    assert f"“{record.title}” is due for evaluation" in text_of(digest)
    assert all("evaluation" not in text_of(m) for m in smtp.sink.to(voters[0].email))
    assert f"/decisions/{record.id}" in text_of(digest)
