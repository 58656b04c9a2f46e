"""The notifications page, the mail settings, one-click unsubscribe and the admins' mail page."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from deliberate.accounts.models import MemberRole
from deliberate.extensions import db
from deliberate.notifications import mail, worker
from deliberate.notifications.models import Delivery, DeliveryState, NotificationSetting
from tests.factories import make_member
from tests.notifications.smtp import text_of
from tests.notifications.test_delivery import open_vote


@pytest.fixture
def convener(session):
    return make_member("Vote Convener", role=MemberRole.CONVENER)


def test_the_notifications_page_lists_newest_first_and_marks_read(client, login_as, convener):
    member = make_member("Reader")
    first = open_vote(convener, "First question?")
    second = open_vote(convener, "Second question?")
    db.session.commit()
    worker.expand_batch(100)
    worker.expand_batch(100)
    login_as(member)
    page = client.get("/notifications/").text
    assert "2 unread" in page
    assert page.index("Second question?") < page.index("First question?")
    assert f"/votes/{second.id}" in page
    assert f"/votes/{first.id}" in page
    assert client.post("/notifications/read").status_code == 303
    assert "Nothing unread" in client.get("/notifications/").text


def test_another_members_notification_cannot_be_marked(client, login_as, convener):
    member, other = make_member("Reader"), make_member("Other")
    open_vote(convener)
    db.session.commit()
    worker.expand_batch(100)
    mine = db.session.scalar(
        select(Delivery.id).where(Delivery.member_id == member.id, Delivery.channel == "app")
    )
    login_as(other)
    assert client.post(f"/notifications/{mine}/read").status_code == 404
    assert db.session.get_one(Delivery, mine).read_at is None


def test_a_member_who_chooses_never_gets_no_mail_but_still_sees_it(
    client, login_as, convener, smtp
):
    member = make_member("Quiet")
    login_as(member)
    data = {
        "vote_opened": "never",
        "vote_closing": "immediately",
        "vote_closed": "digest",
        "evaluation_due": "never",
    }
    assert client.post("/notifications/settings", data=data).status_code == 303
    open_vote(convener)
    db.session.commit()
    worker.deliver_all()
    assert smtp.sink.to(member.email) == []
    assert smtp.sink.to(convener.email)
    assert "Vote open" not in client.get("/notifications/").text  # the sentence, not the subject
    assert "is open and you are on its roll" in client.get("/notifications/").text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("vote_opened", "sometimes", "Not a valid choice"),
        ("ballots_cast", "immediately", "There is no category"),
    ],
)
def test_the_settings_form_refuses_unknown_categories_and_values(
    client, login_as, field, value, message
):
    member = make_member("Careful")
    login_as(member)
    data = {
        "vote_opened": "digest",
        "vote_closing": "digest",
        "vote_closed": "digest",
        "evaluation_due": "digest",
        field: value,
    }
    page = client.post("/notifications/settings", data=data)
    assert page.status_code == 400
    assert message in page.text
    assert 'selected value="digest"' in page.text  # the member's input is kept
    assert db.session.scalars(select(NotificationSetting)).all() == []


def test_one_click_unsubscribe_from_the_mail_stops_that_category(client, convener, smtp):
    member = make_member("Leaver")
    open_vote(convener, "First?")
    db.session.commit()
    worker.deliver_all()
    [message] = smtp.sink.to(member.email)
    url = str(message["List-Unsubscribe"]).strip()[1:-1]
    path = url.split("deliberate.test")[1]
    assert url in text_of(message)
    page = client.get(path)  # looking changes nothing
    assert "Stop the emails about" in page.text
    assert db.session.scalars(select(NotificationSetting)).all() == []
    page = client.post(path, data={"List-Unsubscribe": "One-Click"})  # RFC 8058, no session
    assert page.status_code == 200
    setting = db.session.scalar(select(NotificationSetting))
    assert setting is not None
    assert (setting.member_id, setting.category, setting.mode) == (
        member.id,
        "vote_opened",
        "never",
    )
    open_vote(convener, "Second?")
    db.session.commit()
    worker.deliver_all()
    assert len(smtp.sink.to(member.email)) == 1


@pytest.mark.parametrize("kind", ["altered", "foreign", "expired", "other purpose"])
def test_a_bad_unsubscribe_link_changes_nothing_and_says_so(app, client, kind, monkeypatch):
    member = make_member("Target")
    token = mail.unsubscribe_token(member.id, "vote_opened")
    if kind == "altered":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif kind == "foreign":
        token = URLSafeTimedSerializer("another site's key", salt=mail.UNSUBSCRIBE_SALT).dumps(
            {"m": member.id, "c": "vote_opened"}
        )
    elif kind == "other purpose":
        token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="elsewhere").dumps(
            {"m": member.id, "c": "vote_opened"}
        )
    else:
        from datetime import timedelta

        monkeypatch.setitem(app.config, "UNSUBSCRIBE_VALID_FOR", timedelta(seconds=-1))
    page = client.post(f"/unsubscribe/{token}")
    assert page.status_code == 400
    assert "Nothing was changed" in page.text
    assert db.session.scalars(select(NotificationSetting)).all() == []


def test_an_address_that_keeps_refusing_is_given_up_and_admins_see_it(
    app, client, login_as, convener, smtp, monkeypatch
):
    bouncing = make_member("Bouncing", email="gone@example.org")
    smtp.sink.refused.add("gone@example.org")
    monkeypatch.setitem(app.config, "MAIL_RETRY_SECONDS", 0)
    open_vote(convener)
    db.session.commit()
    for _ in range(app.config["MAIL_MAX_ATTEMPTS"] + 2):
        worker.deliver_all()
    row = db.session.scalar(
        select(Delivery).where(Delivery.member_id == bouncing.id, Delivery.channel == "mail")
    )
    assert row is not None
    assert (row.state, row.attempts) == (DeliveryState.FAILED, app.config["MAIL_MAX_ATTEMPTS"])
    assert len(smtp.sink.to(convener.email)) == 1
    login_as(make_member("Admin", role=MemberRole.ADMIN))
    page = client.get("/admin/mail/").text
    assert "gone@example.org" in page
    assert "No such mailbox" in page


def test_without_a_mail_server_the_letter_box_holds_the_mail_for_admins(
    app, client, login_as, convener, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    monkeypatch.setitem(app.config, "MAIL_LETTERBOX", str(tmp_path))
    make_member("Roll")
    open_vote(convener, "Letter box question?")
    db.session.commit()
    worker.deliver_all()
    assert len(list(tmp_path.glob("*.eml"))) == 2
    login_as(make_member("Admin", role=MemberRole.ADMIN))
    page = client.get("/admin/mail/").text
    assert "Vote open: Letter box question?" in page
    login_as(make_member("Not Admin"))
    assert client.get("/admin/mail/").status_code == 403


def test_a_message_that_cannot_be_written_is_given_up_not_retried_forever(
    app, convener, smtp, monkeypatch
):
    from deliberate.notifications import mail as mail_module

    member = make_member("Unlucky")
    monkeypatch.setitem(app.config, "MAIL_RETRY_SECONDS", 0)
    original = mail_module.compose

    def compose(delivery, event, whom):
        if whom is not None and whom.id == member.id:
            raise ValueError("Header values may not contain linefeed or carriage return")
        return original(delivery, event, whom)

    monkeypatch.setattr(mail_module, "compose", compose)
    open_vote(convener)
    db.session.commit()
    for _ in range(app.config["MAIL_MAX_ATTEMPTS"] + 1):
        worker.deliver_all()
    row = db.session.scalar(
        select(Delivery).where(Delivery.member_id == member.id, Delivery.channel == "mail")
    )
    assert row is not None
    assert row.state == DeliveryState.FAILED
    assert len(smtp.sink.to(convener.email)) == 1
