"""The demo's letter box: the admins' mail page holds the invitations, the open vote's
message and a digest, and nothing of the demo's weeks of history."""

from __future__ import annotations

from deliberate.accounts.models import Member
from deliberate.demo import load_demo
from deliberate.demo.mail import deliver_demo_mail
from deliberate.demo.people import ADMIN, demo_email
from deliberate.extensions import db


def test_the_demo_mail_page_holds_invitations_a_vote_opening_and_a_digest(
    app, session, client, login_as, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    monkeypatch.setitem(app.config, "MAIL_LETTERBOX", str(tmp_path))
    load_demo()
    db.session.commit()
    deliver_demo_mail()
    login_as(db.session.query(Member).filter_by(email=demo_email(ADMIN)).one())
    pages = ""
    for page in (1, 2, 3):
        pages += client.get(f"/admin/mail/?page={page}").text
    assert pages.count("<h3>[Deliberate] You are invited to join Deliberate</h3>") == 2
    assert "To new.comrade@demo.deliberate.example" in pages
    assert "To ines.ferreira@demo.deliberate.example" in pages
    assert "Vote open: Competing amendments" in pages
    assert "Your daily digest" in pages
    assert "has closed" in pages
    assert "Vote open: Adoption of" not in pages  # the history told nobody
    # Pavel's mailbox is full: the admins see his mail stopped, and none was sent to him.
    assert "Pavel Horák" in pages.split("<h2>Mail stopped</h2>")[1].split("<h2>Messages")[0]
    assert "552 5.2.2 Mailbox full" in pages
    assert f"To {demo_email('Pavel Horák')}" not in pages
