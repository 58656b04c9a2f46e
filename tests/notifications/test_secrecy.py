"""A secret vote's whole life (opening, the closing-soon reminder, the close and the digest)
sends nothing that tells who voted: voters and non-voters get the same messages, word for
word but for their name and their own unsubscribe link, and nothing of any ballot."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from deliberate.accounts.models import MemberRole
from deliberate.database import utcnow
from deliberate.extensions import db
from deliberate.notifications import schedule, worker
from deliberate.notifications.models import Delivery, OutboxEvent
from deliberate.voting import services
from tests.factories import make_member
from tests.notifications.smtp import html_of, text_of
from tests.notifications.test_delivery import open_vote


def normalized(text: str, name: str) -> str:
    text = text.replace(name, "NAME")
    return re.sub(r"/unsubscribe/[\w.-]+", "/unsubscribe/TOKEN", text)


def test_a_secret_votes_life_tells_no_one_who_voted(session, smtp):
    convener = make_member("Convener", role=MemberRole.CONVENER)
    voters = [make_member(f"Voter {n}") for n in range(3)]
    abstainers = [make_member(f"Stayer {n}") for n in range(3)]
    vote = open_vote(convener, "Secret question?", secret=True)
    db.session.commit()
    worker.deliver_all()
    schedule.remind_closing()
    for n, member in enumerate(voters):
        services.cast_ballot(member, vote, {"choice": "yes" if n else "no"})
    db.session.commit()
    worker.deliver_all()
    schedule.close_due(utcnow() + timedelta(hours=13))
    worker.expand_all()
    schedule.daily_digests()
    worker.deliver_all()

    everyone = [*voters, *abstainers]
    seen: dict[int, list[tuple[str, str, str]]] = {}
    for member in everyone:
        messages = sorted(smtp.sink.to(member.email), key=lambda m: str(m["Subject"]))
        seen[member.id] = [
            (
                str(m["Subject"]),
                normalized(text_of(m), member.display_name),
                normalized(html_of(m), member.display_name),
            )
            for m in messages
        ]
    subjects = [subject.split("] ")[1] for subject, _t, _h in seen[voters[0].id]]
    assert subjects == [
        "Closing soon: Secret question?",
        "Vote open: Secret question?",
        "Your daily digest: 1 thing",
    ]
    assert all(seen[m.id] == seen[voters[0].id] for m in everyone)
    for message in smtp.sink.messages:
        words = text_of(message).lower()
        assert "you voted" not in words
        assert "receipt" not in words
        assert "have not voted" not in words
    # In the app too: the same notifications for everyone on the roll.
    kinds = {
        member.id: sorted(
            db.session.scalars(
                select(OutboxEvent.kind)
                .join(Delivery, Delivery.event_id == OutboxEvent.id)
                .where(Delivery.member_id == member.id, Delivery.channel == "app")
            )
        )
        for member in everyone
    }
    assert all(k == ["vote_closed", "vote_closing", "vote_opened"] for k in kinds.values())
