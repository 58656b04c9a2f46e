"""The `close-due` command: cron opens and closes votes on time, once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deliberate.accounts.models import MemberRole
from deliberate.database import utcnow
from deliberate.extensions import db
from deliberate.voting import results, services
from deliberate.voting.counting import RulesError
from deliberate.voting.rules import Settings
from deliberate.voting.vocabulary import VoteState
from tests.factories import make_member, make_tendency

MAJORITY = Settings(method="majority", threshold="simple")


@pytest.fixture
def convener(session):
    return make_member("Cron Convener", role=MemberRole.CONVENER)


def close_due(app):
    # What the test made is committed first, as a cron run would find it.
    db.session.commit()
    return app.test_cli_runner().invoke(args=["close-due"])


def make_vote(convener, title, *, made, settings=MAJORITY, **times):
    return services.create_vote(convener, title=title, settings=settings, now=made, **times)


def test_close_due_opens_and_closes_what_is_due_and_a_second_run_does_nothing(app, convener):
    now = utcnow()
    before = now - timedelta(hours=2)
    voters = [make_member() for _ in range(3)]
    scheduled = make_vote(
        convener,
        "Open the spring school?",
        made=before,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(hours=1),
    )
    both = make_vote(
        convener,
        "Rename the bulletin?",
        made=before,
        opens_at=now - timedelta(hours=1),
        closes_at=now - timedelta(minutes=30),
    )
    past = make_vote(
        convener, "Adopt the spring plan?", made=before, closes_at=now - timedelta(hours=1)
    )
    for voter, choice in zip(voters, ["yes", "yes", "no"], strict=True):
        services.cast_ballot(voter, past, {"choice": choice}, now=before + timedelta(minutes=5))
    running = make_vote(convener, "Still open", made=before, closes_at=now + timedelta(hours=1))
    later = make_vote(convener, "Not yet", made=now, opens_at=now + timedelta(hours=1))
    assert (scheduled.state, both.state, past.state) == (
        VoteState.SCHEDULED,
        VoteState.SCHEDULED,
        VoteState.OPEN,
    )

    run = close_due(app)
    assert run.exit_code == 0, run.output
    assert run.output.splitlines() == [
        f"opened vote {scheduled.id} “Open the spring school?”",
        f"opened vote {both.id} “Rename the bulletin?”",
        f"closed vote {both.id} “Rename the bulletin?”: Rejected: 0 for, 0 against.",
        f"closed vote {past.id} “Adopt the spring plan?”: Adopted by 2 to 1.",
    ]
    for vote in (scheduled, both, past, running, later):
        db.session.refresh(vote)
    assert scheduled.state == VoteState.OPEN
    assert scheduled.roll_size == 4  # the convener and the three voters
    assert both.state == VoteState.CLOSED
    assert past.state == VoteState.CLOSED
    assert past.closed_by_id is None
    assert running.state == VoteState.OPEN
    assert later.state == VoteState.SCHEDULED
    result = past.result_json

    again = close_due(app)
    assert again.exit_code == 0, again.output
    assert again.output == ""
    db.session.refresh(past)
    assert past.result_json == result


@pytest.mark.parametrize(
    ("breakdown_min", "shown"),
    [(2, [("Big", 2), ("others", 2)]), (None, [])],
)
def test_close_due_applies_the_secret_breakdown_minimum(
    app, convener, monkeypatch, breakdown_min, shown
):
    if breakdown_min is None:
        monkeypatch.delitem(app.config, "SECRET_BREAKDOWN_MIN")  # the default is 10
    else:
        monkeypatch.setitem(app.config, "SECRET_BREAKDOWN_MIN", breakdown_min)
    big, small = make_tendency("Big"), make_tendency("Small")
    members = [make_member(tendency=big) for _ in range(2)]
    members += [make_member(tendency=small), make_member()]
    now = utcnow()
    settings = Settings(method="majority", threshold="simple", breakdown_by_tendency=True)
    vote = make_vote(
        convener,
        "Move the office?",
        made=now - timedelta(hours=1),
        settings=settings,
        closes_at=now - timedelta(minutes=1),
    )
    for member in members:
        services.cast_ballot(member, vote, {"choice": "yes"}, now=now - timedelta(minutes=30))
    run = close_due(app)
    assert run.exit_code == 0, run.output
    db.session.refresh(vote)
    assert [(g["tendency"], g["voters"]) for g in vote.result["by_tendency"]] == shown
    assert ("by_tendency_withheld" in vote.result) == (not shown)


def test_close_due_changes_nothing_when_a_vote_cannot_be_closed(app, convener, monkeypatch):
    now = utcnow()
    scheduled = make_vote(
        convener, "Open me", made=now - timedelta(hours=2), opens_at=now - timedelta(hours=1)
    )
    due = make_vote(
        convener, "Close me", made=now - timedelta(hours=2), closes_at=now - timedelta(hours=1)
    )

    def broken(*args, **kwargs):
        raise RulesError("Scottish STV uses the Droop quota")

    monkeypatch.setattr(results, "compute", broken)
    run = close_due(app)
    assert run.exit_code == 1
    assert run.output == (
        "Error: nothing was opened or closed: Scottish STV uses the Droop quota\n"
    )
    db.session.refresh(scheduled)
    db.session.refresh(due)
    assert (scheduled.state, due.state) == (VoteState.SCHEDULED, VoteState.OPEN)
