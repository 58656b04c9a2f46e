"""The demo's decision records: what the organization decided, who committed to act on it and
who registered their disagreement, and how it judged an objective whose time had come.

- Five weeks ago the members adopted a short objective, to keep the Millstone library open until
  the council's budget vote. Three members registered their disagreement (one without
  committing); the evaluation, opened when its date came and sealed since, found one of them
  borne out.
- Four weeks ago they adopted the Northgate by-election objective. Members of every tendency
  and of none recorded their commitment; five registered disagreements (two members revised
  their entries, one does not commit) and the Rank-and-File Caucus's minority report stand
  beside them. Polling day has passed: its evaluation is due.
- The committee election's record is sealed, with a few commitments; the record of the venue
  question is still being written by the conveners.
"""

from __future__ import annotations

import heapq
from collections.abc import Generator, Mapping, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select

from deliberate.accounts.models import Member
from deliberate.debate.services import post_comment
from deliberate.decisions import services
from deliberate.decisions.models import DecisionRecord, Verdict
from deliberate.demo.people import CONVENER, MODERATOR, joining_days
from deliberate.demo.texts import (
    BY_ELECTION,
    BY_ELECTION_DEBATE,
    BY_ELECTION_DISSENTS,
    BY_ELECTION_MINORITY_REPORT,
    COMMITTEE_STATEMENTS,
    LIBRARY,
    LIBRARY_ASSESSMENTS,
    LIBRARY_DISSENTS,
    LIBRARY_EVALUATION,
    LIBRARY_EVALUATION_DEBATE,
    VENUE_REVISIONS,
    ObjectiveText,
)
from deliberate.demo.votes import COMMITTEE_VOTE, MAJORITY, VENUE_QUESTION
from deliberate.demo.world import DemoWorld, Storyline
from deliberate.drafts import services as drafts
from deliberate.drafts.models import DraftKind
from deliberate.drafts.voting import put_draft_to_adoption
from deliberate.extensions import db
from deliberate.papers import services as papers
from deliberate.subjects import Subject, resolve
from deliberate.tendencies.models import Tendency
from deliberate.voting import services as voting
from deliberate.voting.models import Vote

SECOND_CONVENER = "Tomasz Nowak"
RANK_AND_FILE = "Rank-and-File Caucus"

# How the members voted on each objective (everyone else on the roll says yes).
LIBRARY_BALLOTS = {
    "Rosa Keller": "no",
    "Samir Haddad": "no",
    "Viktor Petrov": "no",
    "Aoife Byrne": "abstain",
    "Clara Dubois": "abstain",
    "Tomasz Nowak": None,  # did not vote
    "Nadia Rahman": None,
}
BY_ELECTION_BALLOTS = {
    "Rosa Keller": "no",
    "Samir Haddad": "no",
    "Grace Mwangi": "no",
    "Viktor Petrov": "no",
    "Aoife Byrne": "no",
    "Nadia Rahman": "no",
    "Luis Ortega": "abstain",
    "Clara Dubois": "no",
    "Ben Carter": "abstain",
    "Emma Schulz": "no",
    "Ravi Iyer": "no",
    "Julia Novak": "abstain",
}

# Who recorded a plain commitment (the dissenters' entries are in texts), in about the order
# they did. Mei Lin, Emma Schulz and Kofi Asante have made no entry on the by-election yet.
LIBRARY_COMMITTED = [
    CONVENER,
    "Priya Raman",
    "Rosa Keller",
    "Yusuf Demir",
    MODERATOR,
    "Jonah Feld",
    "Mei Lin",
    "Diego Morales",
    "Clara Dubois",
    "Hannah Okafor",
    "Grace Mwangi",
    "Oskar Lindqvist",
    "Viktor Petrov",
    "Fatima Zahra Bennani",
    "Luis Ortega",
    "Ben Carter",
    "Aoife Byrne",
    SECOND_CONVENER,
    "Nadia Rahman",
    "Mateo Silva",
    "Zainab Sesay",
]
BY_ELECTION_COMMITTED = [
    CONVENER,
    "Priya Raman",
    "Hannah Okafor",
    "Jonah Feld",
    MODERATOR,
    "Yusuf Demir",
    "Sofia Rossi",
    "Diego Morales",
    "Ana Ribeiro",
    "Oskar Lindqvist",
    "Fatima Zahra Bennani",
    "Ingrid Solberg",
    "Grace Mwangi",
    "Pavel Horák",
    SECOND_CONVENER,
    "Mateo Silva",
    "Aoife Byrne",
    "Luis Ortega",
    "Ravi Iyer",
    "Nadia Rahman",
    "Ben Carter",
    "Julia Novak",
]
COMMITTEE_COMMITTED = [CONVENER, "Samir Haddad", "Ben Carter", "Hannah Okafor", "Zainab Sesay"]

# A member's entry with a registered disagreement (or revised): how many days ago, who,
# whether they commit, their reasons (None: a plain commitment, since revised).
Entry = tuple[float, str, bool, str | None]
# When the dissenters recorded their entries, in days ago.
LIBRARY_DISSENT_DAYS = {"Samir Haddad": 36.0, "Ingrid Solberg": 32.5, "Pavel Horák": 33.1}
BY_ELECTION_DISSENT_DAYS = {
    "Samir Haddad": (27.9, 23.2),
    "Rosa Keller": (27.2,),
    "Zainab Sesay": (26.6, 20.1),
    "Clara Dubois": (25.8,),
    "Viktor Petrov": (25.1,),
}


def decision_storylines(world: DemoWorld) -> list[Storyline]:
    return [_library(world), _by_election(world), _committee(world), _venue(world)]


def _day(moment: date) -> str:
    return f"{moment:%d %B %Y}".lstrip("0")


def _dates(record: DecisionRecord) -> dict[str, str]:
    """What a record's statements are written with: the vote's outcome, the period's dates."""
    days = {
        "start": record.valid_from,
        "end": record.valid_until,
        "evaluation": record.evaluation_date,
    }
    named = {key: _day(day) for key, day in days.items() if day is not None}
    return {"summary": record.outcome_summary, **named}


def _write(
    world: DemoWorld, convener: str, record: DecisionRecord, outcome: str, unity: str
) -> None:
    services.revise_statements(
        world.members[convener],
        record,
        services.Statements(
            outcome=outcome,
            unity=unity,
            valid_from=record.valid_from,
            valid_until=record.valid_until,
            evaluation_date=record.evaluation_date,
        ),
        seen_revision=record.revision,
    )


def _record(world: DemoWorld, title: str) -> DecisionRecord:
    record = db.session.scalar(select(DecisionRecord).where(DecisionRecord.title == title))
    if record is None:
        raise RuntimeError(f"the demo's vote “{title}” decided nothing")
    world.records[record.title] = record
    return record


def _adopt(
    world: DemoWorld,
    text: ObjectiveText,
    ballots: Mapping[str, str | None],
    *,
    written: float,
    period: tuple[float, float, float],
    voting_days: tuple[float, float],
) -> Generator[datetime, None, DecisionRecord]:
    """The objective drafted `written` days ago for the period (start, end, evaluation, in
    days ago), opened to amendments for a day or two, then put to an adoption vote that is
    open between `voting_days` (days ago) and closes with the record of its adoption."""
    clock = world.clock
    yield clock.ago(written)
    convener = world.members[CONVENER]
    start, end, evaluation = ((clock.now - timedelta(days=d)).date() for d in period)
    dates = {"start": _day(start), "end": _day(end), "evaluation": _day(evaluation)}
    draft = drafts.create_draft(
        convener,
        title=text.title,
        kind=DraftKind.SITUATIONAL_OBJECTIVE,
        body="\n\n".join(text.paragraphs).format(**dates),
        valid_from=start,
        valid_until=end,
        evaluation_date=evaluation,
    )
    yield clock.after(clock.current, 2)
    window = clock.current + timedelta(days=(written - voting_days[0]) * 0.6)
    drafts.open_amendment_window(convener, draft, window, now=clock.current)
    yield window
    drafts.close_amendment_window(convener, draft, now=clock.current)
    yield clock.ago(voting_days[0])
    vote = put_draft_to_adoption(convener, draft, MAJORITY)
    voters = [m for _name, m in sorted(world.members.items()) if m.is_active]
    cast = [(m, ballots.get(m.display_name, "yes")) for m in voters]
    opened = clock.current
    moments = clock.spread(opened, opened + timedelta(hours=30), len(cast))
    for moment, (member, choice) in zip(moments, cast, strict=True):
        yield moment
        if choice is not None:
            voting.cast_ballot(member, vote, {"choice": choice})
    yield clock.ago(voting_days[1])
    voting.close_vote(convener, vote, now=clock.current)
    return _record(world, vote.title)


def _joined(world: DemoWorld, name: str) -> datetime:
    """About when `name` joined (the clock's jitter adds up to an hour)."""
    return world.clock.now - timedelta(days=joining_days()[name]) + timedelta(hours=2)


def _entries(
    world: DemoWorld, record: DecisionRecord, names: Sequence[str], start: float, end: float
) -> Storyline:
    """Plain commitments recorded one after another between `start` and `end` days ago, none
    before its member joined."""
    clock = world.clock
    spread = clock.spread(clock.ago(start), clock.ago(end), len(names))
    joined = [max(moment, _joined(world, name)) for moment, name in zip(spread, names, strict=True)]
    for moment, name in sorted(zip(joined, names, strict=True)):
        yield moment
        services.record_commitment(
            world.members[name], record, commits=True, disagreement=None, now=clock.current
        )


def _dissents(world: DemoWorld, record: DecisionRecord, entries: Sequence[Entry]) -> Storyline:
    """Registered disagreements (and entries revised), each `days` ago."""
    clock = world.clock
    for days, name, commits, reasons in sorted(entries, key=lambda entry: -entry[0]):
        yield clock.ago(days)
        services.record_commitment(
            world.members[name], record, commits=commits, disagreement=reasons, now=clock.current
        )


def _library(world: DemoWorld) -> Storyline:
    clock = world.clock
    record = yield from _adopt(
        world,
        LIBRARY,
        LIBRARY_BALLOTS,
        written=40,
        period=(34, 20, 16),
        voting_days=(38.3, 36.8),
    )
    yield clock.ago(36.6)
    convener = world.members[CONVENER]
    dates = _dates(record)
    _write(world, CONVENER, record, LIBRARY.outcome.format(**dates), LIBRARY.unity.format(**dates))
    yield clock.after(clock.current, 3)
    services.seal_record(convener, record, now=clock.current)
    dissents: list[Entry] = [
        (LIBRARY_DISSENT_DAYS[name], name, commits, reasons)
        for name, (commits, reasons) in LIBRARY_DISSENTS.items()
    ]
    yield from _merge(
        _entries(world, record, LIBRARY_COMMITTED, 35.5, 29),
        _dissents(world, record, dissents),
    )
    # The evaluation, opened the day after its date.
    yield clock.ago(15.2)
    evaluation = services.open_evaluation(convener, record, today=clock.current.date())
    yield from _thread(
        world, resolve("evaluation", evaluation.id), LIBRARY_EVALUATION_DEBATE, hours=5
    )
    yield clock.ago(14)
    assessed = {
        services.DissentKey(member_id=world.members[name].id): assessment
        for name, assessment in LIBRARY_ASSESSMENTS.items()
    }
    services.revise_evaluation(
        convener,
        evaluation,
        services.EvaluationText(
            verdict=Verdict.PARTLY, assessment=LIBRARY_EVALUATION, dissents=assessed
        ),
    )
    yield clock.after(clock.current, 20)
    services.seal_evaluation(convener, evaluation, now=clock.current)


def _thread(
    world: DemoWorld, subject: Subject, exchange: Sequence[tuple[str, str]], *, hours: float
) -> Storyline:
    """An exchange posted about `hours` apart, each comment answering the one before."""
    parent = None
    for author, text in exchange:
        yield world.clock.after(world.clock.current, hours)
        parent = post_comment(world.members[author], subject, text, parent=parent)


def _by_election(world: DemoWorld) -> Storyline:
    clock = world.clock
    record = yield from _adopt(
        world,
        BY_ELECTION,
        BY_ELECTION_BALLOTS,
        written=33,
        period=(26, 5, 2),
        voting_days=(30.5, 28.8),
    )
    # A first text, then the second convener's, which says who voted against and why.
    yield clock.ago(28.6)
    convener = world.members[CONVENER]
    dates = _dates(record)
    outcome = BY_ELECTION.outcome.format(**dates)
    unity = BY_ELECTION.unity.format(**dates)
    _write(world, CONVENER, record, outcome.split("\n\n")[0], unity)
    yield clock.after(clock.current, 4)
    _write(world, SECOND_CONVENER, record, outcome, unity)
    yield clock.after(clock.current, 2)
    services.seal_record(convener, record, now=clock.current)
    yield from _minority_report_and_entries(world, record)
    # Polling day has passed; the members talk of the result before the evaluation.
    yield clock.ago(4.6)
    yield from _thread(world, resolve("decision", record.id), BY_ELECTION_DEBATE, hours=16)


def _minority_report_and_entries(world: DemoWorld, record: DecisionRecord) -> Storyline:
    """The Caucus's minority report, written and attached in the days after the seal while
    members record their entries (two revise theirs)."""
    coordinator, title, text = BY_ELECTION_MINORITY_REPORT
    writer, caucus = world.members[coordinator], world.tendencies[RANK_AND_FILE]
    dissents: list[Entry] = [
        (days, name, commits, reasons)
        for name, versions in BY_ELECTION_DISSENTS.items()
        for days, (commits, reasons) in zip(BY_ELECTION_DISSENT_DAYS[name], versions, strict=True)
    ]
    yield from _merge(
        _entries(world, record, BY_ELECTION_COMMITTED, 28.0, 10.5),
        _dissents(world, record, dissents),
        _paper(world, record, writer, caucus, title, text),
    )


def _paper(
    world: DemoWorld,
    record: DecisionRecord,
    writer: Member,
    caucus: Tendency,
    title: str,
    text: str,
) -> Storyline:
    """The Caucus's paper on the record, published, attached as its minority report and
    signed. It stays out of `world.papers`, the papers on the draft and its amendments that
    other parts (and the benchmarks) pick from."""
    clock = world.clock
    yield clock.ago(27.6)
    paper = papers.create_paper(writer, caucus, resolve("decision", record.id), title, text)
    yield clock.after(clock.current, 5)
    papers.publish_paper(writer, paper)
    yield clock.after(clock.current, 1)
    services.attach_minority_report(writer, record, paper)
    signers = ["Rosa Keller", "Grace Mwangi", "Viktor Petrov", "Nadia Rahman", "Aoife Byrne"]
    for moment, name in zip(
        clock.spread(clock.current, clock.current + timedelta(days=2), len(signers)),
        signers,
        strict=True,
    ):
        yield moment
        papers.sign_paper(world.members[name], paper)


def _merge(*storylines: Storyline) -> Storyline:
    """Several storylines told as one, their steps in time order."""
    queue: list[tuple[datetime, int, Storyline]] = []
    for index, storyline in enumerate(storylines):
        first = next(storyline, None)
        if first is not None:
            heapq.heappush(queue, (first, index, storyline))
    while queue:
        moment, index, storyline = heapq.heappop(queue)
        yield moment
        following = next(storyline, None)
        if following is not None:
            heapq.heappush(queue, (max(following, moment), index, storyline))


def _committee(world: DemoWorld) -> Storyline:
    """The conveners write and seal the election's record; a few members commit."""
    clock = world.clock
    yield clock.ago(7.3)
    convener = world.members[CONVENER]
    record = _record(world, COMMITTEE_VOTE)
    outcome, unity = COMMITTEE_STATEMENTS
    _write(world, CONVENER, record, outcome.format(summary=record.outcome_summary), unity)
    yield clock.after(clock.current, 3)
    services.seal_record(convener, record, now=clock.current)
    result = db.session.get_one(Vote, record.vote_id).result or {}
    names = [*result["outcome"]["winners"], *COMMITTEE_COMMITTED]
    yield from _entries(world, record, list(dict.fromkeys(names)), 6.8, 1.5)


def _venue(world: DemoWorld) -> Storyline:
    """Two conveners write the venue question's record in turn; it is not sealed yet."""
    yield world.clock.ago(2.6)
    record = _record(world, VENUE_QUESTION)
    for index, (convener, outcome, unity) in enumerate(VENUE_REVISIONS):
        if index:
            yield world.clock.ago(1.3)
        _write(world, convener, record, outcome.format(summary=record.outcome_summary), unity)
