"""Never more voices than the roll: paper ballots are marked against the roll, counts are
bounded before anything is expanded or written, and a meeting's counts are stored as counts."""

from __future__ import annotations

import io
import tracemalloc
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from deliberate.accounts.models import MemberRole
from deliberate.database import utcnow
from deliberate.errors import ValidationError
from deliberate.extensions import db
from deliberate.voting import services
from deliberate.voting.models import Ballot, Participation, Vote
from deliberate.voting.rules import Settings
from deliberate.voting.vocabulary import BallotSource
from tests.factories import make_member

MAJORITY = Settings(method="majority", threshold="simple")
NAMES = ("Ana", "Ben")


@pytest.fixture
def convener(session):
    return make_member("Rita Convener", role=MemberRole.CONVENER)


@pytest.fixture
def two(session, convener):
    """Two more members: with the convener, a roll of three."""
    return [make_member(), make_member()]


def ranked(convener):
    return services.create_vote(
        convener,
        title="Chair",
        settings=Settings(method="irv"),
        options=[services.OptionSpec(name) for name in NAMES],
    )


def blt(*lines: str) -> bytes:
    return ("2 1\n" + "\n".join(lines) + '\n0\n"Ana"\n"Ben"\n"Chair"\n').encode()


def ballot_rows(vote):
    return db.session.execute(
        select(Ballot.content, Ballot.weight, Ballot.source)
        .where(Ballot.vote_id == vote.id)
        .order_by(Ballot.content)
    ).all()


def participations(vote):
    return db.session.execute(
        select(Participation.member_id, Participation.on_paper)
        .where(Participation.vote_id == vote.id)
        .order_by(Participation.member_id)
    ).all()


# --- paper ballots into an online vote ---------------------------------------------------------


def test_paper_ballots_cannot_outnumber_the_members_marked_on_the_register(convener, two):
    vote = ranked(convener)
    assert vote.roll_size == 3
    with pytest.raises(ValidationError, match=r"6 ballots.*2 members"):
        services.import_paper_ballots(
            convener, vote, "paper.blt", blt("6 1 2 0"), register=[m.email for m in two]
        )
    with pytest.raises(ValidationError, match="Mark who voted on paper"):
        services.import_paper_ballots(convener, vote, "paper.blt", blt("2 1 0"), register=[])
    assert ballot_rows(vote) == []
    assert participations(vote) == []


def test_marked_members_take_part_on_paper_and_cannot_vote_online(convener, two):
    vote = ranked(convener)
    services.cast_ballot(convener, vote, {"ranking": ["Ben"]})
    added = services.import_paper_ballots(
        convener, vote, "paper.blt", blt("2 1 2 0"), register=[m.email.upper() for m in two]
    )
    assert added == 2
    assert participations(vote) == [
        (convener.id, False),
        *sorted((m.id, True) for m in two),
    ]
    with pytest.raises(services.AlreadyVoted, match="voted on paper"):
        services.cast_ballot(two[0], vote, {"ranking": ["Ana"]})
    result = services.close_vote(convener, vote).result
    assert result["participation"]["voted"] == 3
    assert result["participation"]["roll"] == 3
    assert result["count"]["winners"] == ["Ana"]


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("nobody@example.org", "no member has this address"),
        ("stranger", "no member has this address"),
        ("{late}", "not on the roll"),
        ("{online}", "already voted online"),
        ("{paper}", "already marked as voting on paper"),
        ("{twice}", "already marked as voting on paper"),
    ],
)
def test_each_refused_line_of_the_register_is_named(convener, two, line, why):
    vote = ranked(convener)
    services.cast_ballot(two[0], vote, {"ranking": ["Ben"]})
    services.import_paper_ballots(
        convener, vote, "paper.blt", blt("1 1 0"), register=[convener.email]
    )
    late = make_member()  # joined after the roll was taken
    emails = {"late": late.email, "online": two[0].email, "paper": convener.email}
    register = [two[1].email, line.format(**emails, twice=two[1].email)]
    before = (ballot_rows(vote), participations(vote))
    with pytest.raises(ValidationError) as refused:
        services.import_paper_ballots(convener, vote, "paper.blt", blt("2 2 0"), register=register)
    assert f"line 2 ({register[1]}): {why}" in refused.value.message
    assert (ballot_rows(vote), participations(vote)) == before


def test_identical_paper_rankings_are_stored_once_with_their_weight(convener, session):
    voters = [make_member() for _ in range(5)]
    vote = ranked(convener)
    services.import_paper_ballots(
        convener,
        vote,
        "paper.blt",
        blt("2 1 2 0", "1 2 0", "1 1 2 0", "1 2 2 0"),
        register=[m.email for m in voters],
    )
    rows = ballot_rows(vote)
    assert [(json_ranking(c), w) for c, w, _s in rows] == [(["Ana", "Ben"], 3), (["Ben"], 2)]
    assert services.close_vote(convener, vote).result["participation"]["voted"] == 5


def json_ranking(content: str) -> list[str]:
    import json

    return json.loads(content)["ranking"]


def test_a_huge_weight_is_refused_before_anything_is_expanded(convener, two):
    vote = ranked(convener)
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError, match="at most 200000 ballots"):
            services.import_paper_ballots(
                convener, vote, "paper.blt", blt("50000000 1 2 0"), register=[two[0].email]
            )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000, f"{peak} bytes were allocated to refuse a 34-byte line"
    for weight in ("1" * 31, str(10**18)):
        with pytest.raises(ValidationError, match="at most"):
            services.read_paper_ballots(list(NAMES), "x.blt", blt(f"{weight} 1 0"))


def test_the_database_keeps_weights_to_paper_ballots(convener):
    vote = ranked(convener)
    for source, weight in ((BallotSource.ONLINE, 2), (BallotSource.PAPER, 0)):
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.execute(
                insert(Ballot).values(
                    id=f"{source}{weight}".ljust(32, "0"),
                    vote_id=vote.id,
                    receipt_hash="f" * 64 if source == BallotSource.ONLINE else None,
                    source=source,
                    weight=weight,
                    content='{"ranking":["Ana"]}',
                )
            )


# --- a meeting's count --------------------------------------------------------------------------


def meeting(convener, counted, present, **kwargs):
    now = utcnow()
    return services.record_in_person_vote(
        convener,
        title="At the assembly",
        settings=kwargs.pop("settings", MAJORITY),
        counted=counted,
        present=present,
        held_at=now - timedelta(hours=3),
        now=now,
        **kwargs,
    )


def test_a_meeting_s_count_is_stored_as_at_most_three_weighted_rows(convener):
    vote = meeting(convener, services.MeetingCount(yes=200_001, no=5), present=200_010)
    rows = ballot_rows(vote)
    assert [(c, w) for c, w, _s in rows] == [('{"choice":"no"}', 5), ('{"choice":"yes"}', 200_001)]
    assert vote.result["participation"]["voted"] == 200_006
    assert vote.outcome == "Adopted by 200001 to 5."


@pytest.mark.parametrize(
    ("counted", "present", "message"),
    [
        (services.MeetingCount(yes=11), 10, "only 10 members"),
        (services.MeetingCount(yes=int("9" * 31)), 10, "at most"),
        (services.MeetingCount(no=10**18), 10**18, "at most"),
        (services.MeetingCount(yes=1), 10**9, "at most"),
        (services.MeetingCount(abstain=-1), 10, "negative"),
    ],
)
def test_a_meeting_s_counts_are_bounded_before_anything_is_written(
    convener, counted, present, message
):
    with pytest.raises(ValidationError, match=message):
        meeting(convener, counted, present)
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_a_ranked_meeting_count_is_bounded_by_those_present(convener):
    with pytest.raises(ValidationError, match=r"3 ballots.*only 2 members"):
        meeting(
            convener,
            services.MeetingCount(ballot_file=blt("3 1 0"), filename="count.blt"),
            2,
            settings=Settings(method="irv"),
            options=[services.OptionSpec(name) for name in NAMES],
        )
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_a_meeting_s_lot_is_drawn_once_its_counts_are_in(convener, monkeypatch):
    seen: list[int] = []
    draw = services.meetings._draw_lot

    def spy(options):
        seen.append(db.session.scalar(select(func.coalesce(func.sum(Ballot.weight), 0))) or 0)
        return draw(options)

    monkeypatch.setattr(services.meetings, "_draw_lot", spy)
    vote = meeting(
        convener,
        services.MeetingCount(ballot_file=blt("3 1 2 0", "2 2 1 0"), filename="count.blt"),
        9,
        settings=Settings(method="irv"),
        options=[services.OptionSpec(name) for name in NAMES],
    )
    assert seen == [5]
    assert sorted(vote.lot_order) == ["Ana", "Ben"]


# --- pages ---------------------------------------------------------------------------------------


def test_the_import_page_refuses_a_file_beyond_the_register_and_keeps_the_input(
    client, login_as, convener, two
):
    vote = ranked(convener)
    login_as(convener)
    register = f"{two[0].email}\nnobody@example.org"
    response = client.post(
        f"/votes/{vote.id}/import",
        data={
            "ballot_file": (io.BytesIO(blt("6 1 2 0")), "paper.blt"),
            "register": register,
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "line 2 (nobody@example.org): no member has this address" in page
    assert two[0].email in page  # the register is given back as typed
    assert ballot_rows(vote) == []
    response = client.post(
        f"/votes/{vote.id}/import",
        data={"ballot_file": (io.BytesIO(blt("1 1 2 0")), "paper.blt"), "register": two[0].email},
    )
    assert response.status_code == 303
    login_as(two[0])
    assert "You voted on paper" in client.get(f"/votes/{vote.id}").get_data(as_text=True)
    refused = client.post(f"/votes/{vote.id}/cast", data={"rank_1": "1", "confirm": "1"}).get_data(
        as_text=True
    )
    assert "voted on paper" in refused
    assert participations(vote) == [(two[0].id, True)]


def test_published_ballots_carry_the_weights(client, login_as, convener):
    vote = meeting(convener, services.MeetingCount(yes=200_001, no=5), present=200_010)
    login_as(convener)
    csv = client.get(f"/votes/{vote.id}/ballots.csv").get_data(as_text=True)
    assert csv == "count,choice\n200001,yes\n5,no\n"
    ranked_vote = meeting(
        convener,
        services.MeetingCount(ballot_file=blt("150000 1 2 0", "3 2 0"), filename="count.blt"),
        150_003,
        settings=Settings(method="irv"),
        options=[services.OptionSpec(name) for name in NAMES],
    )
    text = client.get(f"/votes/{ranked_vote.id}/ballots.blt").get_data(as_text=True)
    assert text.splitlines()[1:3] == ["150000 1 2 0", "3 2 0"]
