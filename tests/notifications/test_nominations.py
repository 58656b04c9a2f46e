"""Nominations reach the members they concern: the nominee when another member nominates her,
the one who nominated her when she answers; nobody else, and nothing for standing oneself."""

from __future__ import annotations

import pytest

from deliberate.accounts.models import MemberRole
from deliberate.extensions import db
from deliberate.notifications import worker
from deliberate.voting import services
from deliberate.voting.rules import Settings
from tests.factories import make_member
from tests.notifications.smtp import text_of


@pytest.fixture
def election(session):
    convener = make_member("Election Convener", role=MemberRole.CONVENER)
    return services.create_vote(
        convener,
        title="Elect the treasurer",
        settings=Settings(method="irv"),
        purpose="election",
        by_nomination=True,
    )


def subjects(smtp, member) -> list[str]:
    return [str(message["Subject"]) for message in smtp.sink.to(member.email)]


def test_a_nominee_is_told_and_her_answer_reaches_whoever_nominated_her(app, election, smtp):
    nominator, nominee, bystander = (make_member(name) for name in ("Ines", "Omar", "Paula"))
    db.session.commit()
    smtp.sink.messages.clear()  # nothing before the nominations is under test

    nomination = services.nominate(nominator, election, nominee)
    db.session.commit()
    worker.deliver_all()
    name = app.config["ORGANIZATION_NAME"]
    assert subjects(smtp, nominee) == [f"[{name}] Nominated: Elect the treasurer"]
    text = " ".join(text_of(smtp.sink.to(nominee.email)[0]).split())
    assert "Ines nominated you as a candidate in the election “Elect the treasurer”" in text
    assert f"/votes/{election.id}/nominations" in text
    assert subjects(smtp, nominator) == []

    services.accept_nomination(nominee, nomination, statement="I keep the books.")
    db.session.commit()
    worker.deliver_all()
    assert subjects(smtp, nominator) == [f"[{name}] Nomination accepted: Elect the treasurer"]
    assert subjects(smtp, nominee) == [f"[{name}] Nominated: Elect the treasurer"]
    assert subjects(smtp, bystander) == []


def test_a_declined_nomination_is_told_and_standing_oneself_tells_no_one(app, election, smtp):
    nominator, nominee, candidate = (make_member(name) for name in ("Ruth", "Sami", "Tara"))
    db.session.commit()
    smtp.sink.messages.clear()

    services.nominate(candidate, election, candidate, statement="I stand.")
    nomination = services.nominate(nominator, election, nominee)
    services.decline_nomination(nominee, nomination)
    db.session.commit()
    worker.deliver_all()
    name = app.config["ORGANIZATION_NAME"]
    assert subjects(smtp, nominator) == [f"[{name}] Nomination declined: Elect the treasurer"]
    assert subjects(smtp, candidate) == []
    assert len(smtp.sink.messages) == 2  # the nomination, and its answer
