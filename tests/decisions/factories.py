"""Decision records made the way the application makes them: a vote closes and decides."""

from __future__ import annotations

from collections.abc import Sequence

from deliberate.accounts.models import Member
from deliberate.decisions import services
from deliberate.decisions.models import DecisionRecord
from deliberate.voting import services as voting
from deliberate.voting.rules import Settings

OUTCOME = "The members adopted the *spring campaign* plan."
UNITY = "Every member **distributes** the leaflet in their neighbourhood before May."


def decided_record(
    convener: Member,
    voters: Sequence[Member],
    *,
    title: str = "Run the spring campaign?",
    yes: int | None = None,
) -> DecisionRecord:
    """A closed majority question whose yes carried (the first `yes` voters say yes, the rest
    no; by default all say yes), and the record its close made."""
    vote = voting.create_vote(
        convener, title=title, settings=Settings(method="majority", threshold="simple")
    )
    for index, voter in enumerate(voters):
        choice = "yes" if yes is None or index < yes else "no"
        voting.cast_ballot(voter, vote, {"choice": choice})
    voting.close_vote(convener, vote)
    record = services.record_of_vote(vote.id)
    assert record is not None
    return record


def write(convener: Member, record: DecisionRecord, **dates) -> DecisionRecord:
    return services.revise_statements(
        convener,
        record,
        services.Statements(outcome=OUTCOME, unity=UNITY, **dates),
        seen_revision=record.revision,
    )


def sealed_record(convener: Member, voters: Sequence[Member], **dates) -> DecisionRecord:
    record = write(convener, decided_record(convener, voters), **dates)
    services.seal_record(convener, record)
    return record
