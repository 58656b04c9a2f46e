"""Draft and amendment services: the rules, the refusals, the merge and the carry-over."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from deliberate.accounts.models import Member, MemberRole, MemberStatus
from deliberate.audit.models import AuditEntry
from deliberate.database import utcnow
from deliberate.drafts import services
from deliberate.drafts.models import (
    Amendment,
    AmendmentCosponsor,
    AmendmentEvent,
    AmendmentSecond,
    AmendmentState,
    CompetitionGroup,
    Draft,
    DraftParagraph,
    DraftState,
    DraftVersion,
)
from deliberate.drafts.permissions import can_convene
from deliberate.drafts.queries import current_version, paragraphs_of
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from tests.concurrency import run_concurrently
from tests.drafts.factories import make_draft, paragraph_text, propose, table
from tests.factories import make_member, make_tendency

DRAFT_TABLES = (
    Draft,
    DraftVersion,
    DraftParagraph,
    Amendment,
    AmendmentSecond,
    AmendmentCosponsor,
    AmendmentEvent,
    CompetitionGroup,
)


def snapshot(session) -> dict:
    """Row counts of every draft table and each amendment's state and range."""
    counts = {
        model.__tablename__: session.scalar(select(func.count()).select_from(model))
        for model in DRAFT_TABLES
    }
    counts["amendments"] = sorted(
        session.execute(
            select(
                Amendment.id,
                Amendment.state,
                Amendment.first_paragraph,
                Amendment.last_paragraph,
                Amendment.new_text,
                Amendment.title,
                Amendment.version_id,
            )
        ).all()
    )
    counts["drafts"] = sorted(
        session.execute(select(Draft.id, Draft.state, Draft.current_version_number)).all()
    )
    return counts


def refused(session, error_type, message, action):
    """Run `action`, expect `error_type` with `message`, and check nothing was stored."""
    before = snapshot(session)
    savepoint = session.begin_nested()
    with pytest.raises(error_type) as caught:
        action()
    savepoint.rollback()
    assert message in caught.value.message
    assert snapshot(session) == before
    return caught.value


def convener() -> Member:
    return make_member(role=MemberRole.CONVENER)


# --- drafts -----------------------------------------------------------------------------------


def test_create_draft_stores_the_first_version_with_numbered_paragraphs(session):
    chair = convener()
    named = make_member("Named Convener")
    draft = services.create_draft(
        chair,
        title="  Six months of   tenant organizing ",
        kind="situational_objective",
        body="First **aim**.\r\n\r\nSecond aim, " + "with many words " * 12 + "\n\n\n\nThird.",
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 6, 30),
        evaluation_date=date(2026, 7, 15),
        conveners=[named],
        line_width=40,
    )
    assert draft.title == "Six months of tenant organizing"
    version = current_version(draft)
    assert version.number == 1
    assert version.note == "first version"
    assert version.line_width == 40
    assert version.paragraphs[0].markdown == "First **aim**."
    assert "<strong>aim</strong>" in version.paragraphs[0].html
    second = version.paragraphs[1]
    assert second.line_count == 6  # 204 characters at 40 a line
    assert [p.first_line for p in version.paragraphs] == [1, 2, 8]
    assert version.line_count == 8
    assert can_convene(named, draft)
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.object_id == draft.id)) == (
        "draft.create"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": "  "}, "The title is empty"),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"title": "Bad\x01title"}, "control characters"),
        ({"body": " \n\n "}, "The text is empty"),
        ({"body": "ok\x00"}, None),
        ({"kind": "manifesto"}, "Unknown kind of draft"),
        ({"kind": "situational_objective"}, "needs a validity period"),
        (
            {"valid_from": date(2026, 5, 1), "valid_until": date(2026, 4, 1)},
            "ends before it starts",
        ),
    ],
)
def test_create_draft_refuses_bad_input(session, kwargs, message):
    chair = convener()
    arguments = {"title": "A title", "kind": "resolution", "body": "Some text."} | kwargs
    if message is None:  # NUL is stripped, not refused
        draft = services.create_draft(chair, **arguments)
        assert current_version(draft).body == "ok"
        return
    refused(session, ValidationError, message, lambda: services.create_draft(chair, **arguments))


def test_only_conveners_create_drafts(session):
    member = make_member()
    refused(
        session,
        PermissionDenied,
        "Only conveners and admins",
        lambda: services.create_draft(member, title="T", kind="resolution", body="B"),
    )


def test_a_version_is_immutable(session):
    draft = make_draft()
    version = current_version(draft)
    version.body = "rewritten"
    with pytest.raises(RuntimeError, match="immutable"):
        session.flush()
    session.rollback()


@pytest.mark.parametrize("change", ["update", "delete"])
def test_an_amendment_event_can_be_neither_changed_nor_deleted(session, change):
    draft = make_draft()
    amendment = propose(make_member(), draft)
    event = session.scalars(
        select(AmendmentEvent).where(AmendmentEvent.amendment_id == amendment.id)
    ).first()
    if change == "update":
        event.summary = "rewritten history"
    else:
        session.delete(event)
    with pytest.raises(RuntimeError, match="immutable"):
        session.flush()
    session.rollback()


def test_the_database_refuses_a_second_version_with_the_same_number(session):
    draft = make_draft()
    savepoint = session.begin_nested()
    session.add(
        DraftVersion(
            draft_id=draft.id,
            number=1,
            body="x",
            body_html="x",
            line_width=80,
            paragraph_count=1,
            line_count=1,
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()
    savepoint.rollback()


def test_revise_while_drafting_makes_the_next_version(session):
    chair = convener()
    draft = make_draft(chair, open_window=False)
    new = services.revise_draft(
        chair,
        draft,
        body="\n\n".join(paragraph_text(i) for i in (1, 2, 4, 5)) + "\n\nA closing line.",
        note="Dropped ¶3 after the working group met.",
        version_number=1,
    )
    assert new.number == 2
    assert draft.current_version_number == 2
    assert new.paragraph_count == 5
    refused(
        session,
        InvalidTransition,
        "now at version 2",
        lambda: services.revise_draft(chair, draft, body="x", note="n", version_number=1),
    )
    services.open_amendment_window(chair, draft, utcnow() + timedelta(days=1))
    refused(
        session,
        InvalidTransition,
        "only while drafting",
        lambda: services.revise_draft(chair, draft, body="x", note="n", version_number=2),
    )


def test_window_deadline_must_be_in_the_future(session):
    chair = convener()
    draft = make_draft(chair, open_window=False)
    refused(
        session,
        ValidationError,
        "must be in the future",
        lambda: services.open_amendment_window(chair, draft, utcnow() - timedelta(minutes=1)),
    )


# --- proposing ----------------------------------------------------------------------------------


def test_propose_numbers_amendments_per_draft_and_records_the_event(session):
    draft = make_draft()
    member = make_member()
    first = propose(member, draft)
    second = propose(member, draft, kind="insert_after", first=5, last=None)
    other = propose(member, make_draft())
    assert (first.number, second.number, other.number) == (1, 2, 1)
    assert first.label == "A1"
    assert first.state == AmendmentState.PROPOSED
    assert second.range_label == "after ¶5"
    assert first.rationale_html == "<p>Because it is <em>clearer</em>.</p>\n"
    events = session.scalars(select(AmendmentEvent).where(AmendmentEvent.amendment_id == first.id))
    assert [e.action for e in events] == ["proposed"]


def test_propose_each_kind(session):
    draft = make_draft()
    member = make_member()
    deletion = propose(member, draft, kind="delete", first=2, last=3)
    assert deletion.new_text == ""
    substitute = propose(member, draft, kind="substitute", first=None, last=None, new_text="A\n\nB")
    assert (substitute.first_paragraph, substitute.last_paragraph) == (1, 5)
    at_start = propose(member, draft, kind="insert_after", first=0, last=None)
    assert at_start.range_label == "at the beginning"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"first": 4, "last": 9}, ValidationError, "¶4–9 is not a paragraph range of version 1"),
        ({"first": 0, "last": 1}, ValidationError, "not a paragraph range"),
        ({"first": 3, "last": 2}, ValidationError, "must run forward"),
        ({"kind": "insert_after", "first": 6}, ValidationError, "after ¶0 (the beginning) to ¶5"),
        ({"new_text": "  \n\n "}, ValidationError, "Write the new text"),
        ({"new_text": paragraph_text(1)}, ValidationError, "the same as the current text"),
        ({"title": ""}, ValidationError, "The title is empty"),
        ({"rationale": " "}, ValidationError, "The rationale is empty"),
        ({"kind": "rewrite"}, ValidationError, "Unknown kind of amendment"),
        ({"first": None}, ValidationError, "Choose the first and last paragraph"),
        ({"new_text": "bell\x07"}, ValidationError, "control characters"),
    ],
)
def test_propose_refuses_bad_input_and_stores_nothing(session, kwargs, error, message):
    draft = make_draft()
    member = make_member()
    refused(session, error, message, lambda: propose(member, draft, **kwargs))


def test_propose_refuses_a_superseded_version(session):
    chair = convener()
    draft = make_draft(chair, seconds_required=0)
    member = make_member()
    services.accept_amendment(chair, propose(member, draft))
    refused(
        session,
        InvalidTransition,
        "Version 1 has been superseded: the draft is now at version 2",
        lambda: services.propose_amendment(
            member,
            draft,
            version_number=1,
            kind="replace",
            first=2,
            last=2,
            new_text="x",
            title="t",
            rationale="r",
        ),
    )


def test_propose_after_the_deadline_says_when_the_window_closed(session):
    draft = make_draft()
    member = make_member()
    deadline = draft.amendment_deadline_at
    refused(
        session,
        InvalidTransition,
        f"The amendment window closed on {services.format_utc(deadline)}.",
        lambda: services.propose_amendment(
            member,
            draft,
            version_number=1,
            kind="replace",
            first=1,
            last=1,
            new_text="x",
            title="t",
            rationale="r",
            now=deadline + timedelta(seconds=1),
        ),
    )


def test_propose_before_the_window_opens_or_after_it_is_closed(session):
    chair = convener()
    draft = make_draft(chair, open_window=False)
    member = make_member()
    refused(session, InvalidTransition, "has not opened yet", lambda: propose(member, draft))
    services.open_amendment_window(chair, draft, utcnow() + timedelta(days=3))
    services.close_amendment_window(chair, draft)
    assert draft.state == DraftState.DEBATE
    message = refused(
        session, InvalidTransition, "The amendment window closed on", lambda: propose(member, draft)
    )
    assert services.format_utc(draft.amendments_closed_at) in message.message


def test_suspended_members_can_do_nothing(session):
    chair = convener()
    draft = make_draft(chair)
    proposer = make_member()
    amendment = propose(proposer, draft)
    suspended = make_member(status=MemberStatus.SUSPENDED)
    suspended_convener = make_member(role=MemberRole.CONVENER, status=MemberStatus.SUSPENDED)
    refused(session, PermissionDenied, "Suspended", lambda: propose(suspended, draft))
    refused(
        session,
        PermissionDenied,
        "Suspended",
        lambda: services.second_amendment(suspended, amendment),
    )
    refused(
        session,
        PermissionDenied,
        "Only the draft's conveners",
        lambda: services.accept_amendment(suspended_convener, amendment),
    )
    proposer.status = MemberStatus.SUSPENDED
    refused(
        session,
        PermissionDenied,
        "Suspended",
        lambda: services.withdraw_amendment(proposer, amendment),
    )


# --- seconds, editing, withdrawing ----------------------------------------------------------


def test_seconds_table_the_amendment_at_the_required_number(session):
    draft = make_draft()
    proposer = make_member()
    amendment = propose(proposer, draft)
    first, second = make_member(), make_member()
    assert services.second_amendment(first, amendment) is False
    assert amendment.state == AmendmentState.PROPOSED
    assert services.second_amendment(second, amendment) is True
    assert amendment.state == AmendmentState.TABLED
    assert services.second_amendment(make_member(), amendment) is False
    refused(
        session,
        ValidationError,
        "You proposed this amendment",
        lambda: services.second_amendment(proposer, amendment),
    )
    refused(
        session,
        ValidationError,
        "You have already seconded A1",
        lambda: services.second_amendment(first, amendment),
    )


def test_the_proposer_edits_until_the_first_second(session):
    draft = make_draft()
    proposer = make_member()
    amendment = propose(proposer, draft)

    def edit(member, **changes):
        arguments = {
            "version_number": 1,
            "kind": "replace",
            "first": 1,
            "last": 2,
            "new_text": "Merged paragraphs one and two.",
            "title": "Merge the first two",
            "rationale": "Shorter.",
        } | changes
        return lambda: services.edit_amendment(member, amendment, **arguments)

    refused(session, PermissionDenied, "Only the proposer", edit(make_member()))
    edit(proposer)()
    assert (amendment.last_paragraph, amendment.title) == (2, "Merge the first two")
    services.second_amendment(make_member(), amendment)
    refused(session, InvalidTransition, "has been seconded", edit(proposer, title="Again"))


def test_withdraw_by_the_proposer_only_and_not_after_a_vote_opens(session):
    chair = convener()
    draft = make_draft(chair)
    proposer = make_member()
    amendment = propose(proposer, draft)
    refused(
        session,
        PermissionDenied,
        "Only the proposer",
        lambda: services.withdraw_amendment(make_member(), amendment),
    )
    other = propose(proposer, draft, first=3, last=3)
    table(other)
    services.put_amendments_to_vote(chair, [other])
    refused(
        session,
        InvalidTransition,
        "being voted on; it can no longer be withdrawn",
        lambda: services.withdraw_amendment(proposer, other),
    )
    services.withdraw_amendment(proposer, amendment, "Superseded by a better wording.")
    assert amendment.state == AmendmentState.WITHDRAWN
    event = session.scalars(
        select(AmendmentEvent)
        .where(AmendmentEvent.amendment_id == amendment.id)
        .order_by(AmendmentEvent.id.desc())
    ).first()
    assert (event.actor_id, event.to_state, event.reason) == (
        proposer.id,
        "withdrawn",
        "Superseded by a better wording.",
    )


# --- sponsorship ----------------------------------------------------------------------------


def test_tendency_sponsorship_confirmed_by_a_coordinator_and_cosponsored_by_others(session):
    caucus, network, platform = make_tendency("Caucus"), make_tendency("Network"), make_tendency()
    proposer = make_member(tendency=caucus)
    coordinator = make_member(tendency=caucus, coordinator=True)
    stranger_coordinator = make_member(tendency=network, coordinator=True)
    comrade = make_member(tendency=caucus)
    ally = make_member(tendency=network)
    amendment = propose(proposer, make_draft())
    refused(
        session,
        InvalidTransition,
        "No tendency has been asked",
        lambda: services.confirm_sponsorship(coordinator, amendment),
    )
    assert services.request_sponsorship(proposer, amendment) == caucus
    refused(
        session,
        PermissionDenied,
        "Only coordinators of Caucus",
        lambda: services.confirm_sponsorship(stranger_coordinator, amendment),
    )
    refused(
        session,
        InvalidTransition,
        "no confirmed tendency sponsor",
        lambda: services.cosponsor_amendment(ally, amendment),
    )
    services.confirm_sponsorship(coordinator, amendment)
    assert amendment.sponsor_confirmed_at is not None
    refused(
        session,
        InvalidTransition,
        "Your tendency already sponsors",
        lambda: services.cosponsor_amendment(comrade, amendment),
    )
    refused(
        session,
        InvalidTransition,
        "you belong to none",
        lambda: services.cosponsor_amendment(make_member(), amendment),
    )
    services.cosponsor_amendment(ally, amendment)
    services.cosponsor_amendment(make_member(tendency=platform), amendment)
    refused(
        session,
        ValidationError,
        "You already co-sponsor A1",
        lambda: services.cosponsor_amendment(ally, amendment),
    )
    services.decline_sponsorship(coordinator, amendment, "We changed our mind.")
    assert amendment.sponsor_tendency_id is None
    assert session.scalar(select(func.count()).select_from(AmendmentCosponsor)) == 0


def test_a_member_without_tendency_cannot_request_sponsorship(session):
    proposer = make_member()
    amendment = propose(proposer, make_draft())
    refused(
        session,
        InvalidTransition,
        "do not belong to a tendency",
        lambda: services.request_sponsorship(proposer, amendment),
    )


# --- conveners ------------------------------------------------------------------------------


def test_only_conveners_accept_rule_out_group_and_merge(session):
    draft = make_draft()
    member = make_member()
    amendment = propose(make_member(), draft)
    other = propose(make_member(), draft, first=2, last=2)
    for action in (
        lambda: services.accept_amendment(member, amendment),
        lambda: services.rule_out_amendment(member, amendment, "Off topic."),
        lambda: services.group_amendments(member, draft, [amendment, other]),
        lambda: services.merge_amendments(member, draft, [amendment]),
        lambda: services.open_amendment_window(member, draft, utcnow() + timedelta(days=1)),
        lambda: services.close_amendment_window(member, draft),
    ):
        refused(session, PermissionDenied, "Only the draft's conveners", action)


def test_a_named_convener_may_convene_only_their_draft(session):
    named = make_member()
    draft = make_draft()
    services.add_convener(convener(), draft, named)
    amendment = propose(make_member(), draft)
    services.rule_out_amendment(named, amendment, "Not about this resolution.")
    assert amendment.state == AmendmentState.RULED_OUT
    other_draft = make_draft()
    refused(
        session,
        PermissionDenied,
        "Only the draft's conveners",
        lambda: services.close_amendment_window(named, other_draft),
    )


def test_rule_out_needs_a_reason(session):
    chair = convener()
    amendment = propose(make_member(), make_draft(chair))
    refused(
        session,
        ValidationError,
        "The reason is required",
        lambda: services.rule_out_amendment(chair, amendment, "  "),
    )


def test_accept_as_friendly_merges_at_once_and_carries_others_over(session):
    chair = convener()
    draft = make_draft(chair)
    members = [make_member() for _ in range(4)]
    friendly = propose(members[0], draft, first=2, last=2, new_text="New two.\n\nNew two b.")
    below = propose(members[1], draft, first=4, last=5, new_text="Four and five together.")
    above = propose(members[2], draft, kind="insert_after", first=1, last=None)
    colliding = propose(members[3], draft, first=1, last=2, new_text="One and two.")
    version = services.accept_amendment(chair, friendly)
    assert version.number == 2
    assert version.note == "accepted friendly amendment A1"
    assert friendly.state == AmendmentState.MERGED
    assert friendly.merged_into_version_id == version.id
    texts = [p.markdown for p in paragraphs_of(version.id)]
    assert texts[1:3] == ["New two.", "New two b."]
    session.expire_all()
    below = session.get(Amendment, below.id)
    assert (below.version_id, below.first_paragraph, below.last_paragraph) == (version.id, 5, 6)
    above = session.get(Amendment, above.id)
    assert (above.version_id, above.first_paragraph) == (version.id, 1)
    colliding = session.get(Amendment, colliding.id)
    assert colliding.state == AmendmentState.NEEDS_UPDATE
    assert colliding.version_id != version.id
    actions = list(
        session.scalars(
            select(AmendmentEvent.action).where(AmendmentEvent.amendment_id == below.id)
        )
    )
    assert actions == ["proposed", "carried_over"]
    # The proposer updates it against version 2; it is proposed again.
    services.edit_amendment(
        members[3],
        colliding,
        version_number=2,
        kind="replace",
        first=1,
        last=1,
        new_text="Only paragraph one, reworded.",
        title="Reworded",
        rationale="After A1 was merged.",
    )
    assert colliding.state == AmendmentState.PROPOSED
    assert colliding.version_id == version.id


def test_updating_clears_seconds_given_to_the_old_text(session):
    chair = convener()
    draft = make_draft(chair)
    friendly = propose(make_member(), draft, first=2, last=2)
    proposer = make_member()
    stale = propose(proposer, draft, first=2, last=3, new_text="Two and three.")
    table(stale)
    services.accept_amendment(chair, friendly)
    session.refresh(stale)
    assert stale.state == AmendmentState.NEEDS_UPDATE
    services.edit_amendment(
        proposer,
        stale,
        version_number=2,
        kind="replace",
        first=3,
        last=3,
        new_text="Three, reworded.",
        title="t",
        rationale="r",
    )
    assert stale.state == AmendmentState.PROPOSED
    assert session.scalar(select(func.count()).where(AmendmentSecond.amendment_id == stale.id)) == 0


def test_merge_refuses_colliding_amendments_naming_the_paragraphs(session):
    chair = convener()
    draft = make_draft(chair)
    a = propose(make_member(), draft, first=2, last=4)
    b = propose(make_member(), draft, first=4, last=5)
    services.accept_amendment(chair, a, merge=False)
    refused(
        session,
        InvalidTransition,
        "A2 is awaiting seconders; only accepted or adopted amendments can be merged",
        lambda: services.merge_amendments(chair, draft, [a, b]),
    )
    refused(
        session,
        InvalidTransition,
        "A1 (accepted as friendly) also changes ¶4, which A2 changes",
        lambda: services.accept_amendment(chair, b),
    )
    # Accept without merging, then try to merge both.
    b_locked = session.get(Amendment, b.id)
    b_locked.state = AmendmentState.ACCEPTED
    session.flush()
    refused(
        session,
        InvalidTransition,
        "A1 and A2 both change ¶4",
        lambda: services.merge_amendments(chair, draft, [a, b]),
    )


def test_merge_several_in_one_step(session):
    chair = convener()
    draft = make_draft(chair, paragraphs=6)
    amendments = [
        propose(make_member(), draft, first=1, last=1, new_text="One."),
        propose(make_member(), draft, kind="delete", first=3, last=4),
        propose(make_member(), draft, kind="insert_after", first=6, last=None, new_text="End."),
    ]
    for amendment in amendments:
        services.accept_amendment(chair, amendment, merge=False)
    version = services.merge_amendments(chair, draft, list(reversed(amendments)))
    assert version.note == "merged amendments A1, A2, A3"
    texts = [p.markdown for p in paragraphs_of(version.id)]
    assert texts == ["One.", paragraph_text(2), paragraph_text(5), paragraph_text(6), "End."]
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "draft.merge")).one()
    assert audit.details["amendments"] == [1, 2, 3]


def test_merge_refuses_an_amendment_under_vote_in_the_way(session):
    chair = convener()
    draft = make_draft(chair)
    voting = propose(make_member(), draft, first=2, last=2)
    table(voting)
    services.put_amendments_to_vote(chair, [voting])
    friendly = propose(make_member(), draft, first=2, last=3)
    refused(
        session,
        InvalidTransition,
        "A1 (being voted on) also changes ¶2, which A2 changes; wait until its vote closes",
        lambda: services.accept_amendment(chair, friendly),
    )


def test_the_vote_outcome_path_merges_adopted_amendments(session):
    chair = convener()
    draft = make_draft(chair)
    amendment = propose(make_member(), draft, first=5, last=5, new_text="Five, as adopted.")
    table(amendment)
    services.put_amendments_to_vote(chair, [amendment])
    services.record_vote_outcome(None, amendment, adopted=True)
    assert amendment.state == AmendmentState.ADOPTED
    version = services.merge_amendments(None, draft, [amendment])
    assert version.author_id is None
    assert amendment.state == AmendmentState.MERGED


def test_competing_amendments_are_grouped_automatically(session):
    draft = make_draft()
    a = propose(make_member(), draft, first=1, last=2)
    b = propose(make_member(), draft, first=4, last=4)
    c = propose(make_member(), draft, first=2, last=3)
    assert a.competition_group_id == c.competition_group_id is not None
    assert b.competition_group_id is None
    d = propose(make_member(), draft, first=3, last=4)  # joins b and the a–c group
    assert {a.competition_group_id, b.competition_group_id, d.competition_group_id} == {
        c.competition_group_id
    }
    assert session.scalar(select(func.count()).select_from(CompetitionGroup)) == 1


def test_conveners_group_and_ungroup(session):
    chair = convener()
    draft = make_draft(chair)
    a = propose(make_member(), draft, first=1, last=1)
    b = propose(make_member(), draft, first=5, last=5)
    group = services.group_amendments(chair, draft, [a, b])
    assert a.competition_group_id == b.competition_group_id == group.id
    refused(
        session,
        ValidationError,
        "at least two amendments",
        lambda: services.group_amendments(chair, draft, [a]),
    )
    services.ungroup_amendment(chair, a)
    assert a.competition_group_id is None


def test_withdrawn_draft_takes_nothing_more(session):
    chair = convener()
    draft = make_draft(chair)
    amendment = propose(make_member(), draft)
    services.withdraw_draft(chair, draft, "The campaign was merged into the national one.")
    refused(
        session,
        InvalidTransition,
        "withdrawn; it takes no more",
        lambda: propose(make_member(), draft),
    )
    refused(
        session,
        InvalidTransition,
        "This draft is withdrawn",
        lambda: services.accept_amendment(chair, amendment),
    )


# --- concurrency ----------------------------------------------------------------------------


def test_two_conveners_merging_at_once_make_one_version(app, committed):
    chairs = [convener(), convener()]
    draft = make_draft(chairs[0])
    a = propose(make_member(), draft, first=1, last=1)
    b = propose(make_member(), draft, first=3, last=3)
    services.accept_amendment(chairs[0], a, merge=False)
    services.accept_amendment(chairs[0], b, merge=False)
    ids = (draft.id, a.id, b.id, chairs[0].id, chairs[1].id)
    db.session.commit()

    def merge(chair_id: int, amendment_id: int):
        def work():
            chair = db.session.get_one(Member, chair_id)
            draft = db.session.get_one(Draft, ids[0])
            return services.merge_amendments(
                chair, draft, [db.session.get_one(Amendment, amendment_id)]
            ).number

        return work

    results = run_concurrently(app, [merge(ids[3], ids[1]), merge(ids[4], ids[2])])
    # One makes version 2; the other, having waited for the lock, either refuses (its amendment
    # was carried over to version 2 meanwhile, so it is based on an older version) — never a
    # second version 2.
    numbers = sorted(r for r in results if isinstance(r, int))
    refusals = [r for r in results if not isinstance(r, int)]
    assert numbers in ([2], [2, 3])
    for refusal in refusals:
        assert isinstance(refusal, InvalidTransition), refusal
    db.session.remove()
    versions = list(
        db.session.scalars(select(DraftVersion.number).where(DraftVersion.draft_id == ids[0]))
    )
    assert sorted(versions) == list(range(1, len(numbers) + 2))


def test_concurrent_seconds_table_exactly_once(app, committed):
    draft = make_draft()
    amendment = propose(make_member(), draft)
    seconders = [make_member() for _ in range(3)]
    ids = [m.id for m in seconders]
    amendment_id = amendment.id
    db.session.commit()

    def second(member_id: int):
        def work():
            member = db.session.get_one(Member, member_id)
            return services.second_amendment(member, db.session.get_one(Amendment, amendment_id))

        return work

    results = run_concurrently(app, [second(i) for i in ids])
    assert sorted(results) == [False, False, True]
    db.session.remove()
    tabled = db.session.scalar(
        select(func.count()).where(
            AmendmentEvent.amendment_id == amendment_id, AmendmentEvent.action == "tabled"
        )
    )
    assert tabled == 1
