"""The demo's members each find something waiting for them on the home page: a ballot, a
commitment, an amendment to second or to update, a request to answer, a reply."""

from __future__ import annotations

import re

from sqlalchemy import select

from deliberate.accounts.models import Member
from deliberate.database import utcnow
from deliberate.demo import load_demo
from deliberate.demo.people import demo_email
from deliberate.extensions import db
from deliberate.main import needs
from tests.conftest import login


def test_the_demo_members_find_what_waits_for_them(app, client, session):
    load_demo()
    members = list(db.session.scalars(select(Member).where(Member.email.like("%@demo.%"))))
    with app.test_request_context():
        kinds = {m.email: {s.key for s in needs.sections(m, utcnow())} for m in members}
    waiting = [email for email, found in kinds.items() if found]
    assert len(waiting) >= len(members) - 2, kinds
    every_kind = set().union(*kinds.values())
    assert {"votes", "records", "updates", "seconding", "sponsorship", "join_requests"} <= (
        every_kind
    )
    assert "replies" in every_kind
    assert {"records", "seconding"} <= kinds[demo_email("Mei Lin")]
    assert {"join_requests", "replies"} <= kinds[demo_email("Rosa Keller")]

    mei = db.session.scalar(select(Member).where(Member.email == demo_email("Mei Lin")))
    login(client, mei)
    page = client.get("/").get_data(as_text=True)
    assert "Decisions awaiting your commitment" in page
    assert re.search(r'class="needs-link">Needs you <span class="badge">\d+</span>', page)
