"""Drafts put to a vote, and what drafts do when those votes close.

Drafts drive the process; voting knows nothing of drafts. A convener puts a tabled amendment
(yes / no / abstain), a competing group (ranked choice among its amendments and "No change")
or a draft's adoption (majority or consensus) to a vote through the functions here; the
purposes registered below react in the vote's closing transaction: an adopted amendment is
merged into a new version by the system, a group's winner is merged and the others rejected,
an adopted draft becomes adopted, a rejected one rejected. A vote that decides nothing (quorum
not met, a block sending it to a second round) returns its amendments to the floor. The
adoption's hook reports what the draft reached (adopted or not, and the version adopted) for
the decision record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from deliberate.accounts.models import Member
from deliberate.drafts import services
from deliberate.drafts.models import (
    DRAFTS_STAMP,
    Amendment,
    AmendmentKind,
    AmendmentState,
    CompetitionGroup,
    Draft,
    DraftState,
    DraftVersion,
)
from deliberate.drafts.panels import amendment_texts
from deliberate.drafts.queries import amendments_of
from deliberate.errors import DomainError, InvalidTransition, NotFound
from deliberate.extensions import db
from deliberate.voting import services as voting
from deliberate.voting.hooks import Decision, Proposal, Purpose, register_purpose
from deliberate.voting.models import Vote
from deliberate.voting.results import Result
from deliberate.voting.rules import Settings
from deliberate.voting.vocabulary import VoteMethod

NO_CHANGE = "No change"
AS_IT_STANDS = "The text as it stands (version {number})"


def _amendment_title(draft: Draft, amendment: Amendment) -> str:
    return f"{amendment.label} to “{draft.title}”: {amendment.title}"


def _adoption_title(draft: Draft) -> str:
    return f"Adoption of “{draft.title}”, version {draft.current_version_number}"


def put_amendment_to_vote(
    actor: Member,
    amendment: Amendment,
    settings: Settings,
    *,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    in_person: bool = False,
) -> Vote:
    """A yes / no / abstain vote on one tabled amendment; the amendment is now being voted on.
    With `in_person`, the vote a meeting held, whose counts the caller enters."""
    services.put_amendments_to_vote(actor, [amendment])
    draft = db.session.get_one(Draft, amendment.draft_id)
    return voting.create_vote(
        actor,
        title=_amendment_title(draft, amendment),
        settings=settings,
        purpose="amendment",
        subject=("amendment", amendment.id),
        opens_at=opens_at,
        closes_at=closes_at,
        in_person=in_person,
    )


def put_group_to_vote(
    actor: Member,
    group: CompetitionGroup,
    settings: Settings,
    *,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    in_person: bool = False,
) -> Vote:
    """A ranked vote among the tabled amendments of a competing group and "No change" (with
    `in_person`, held at a meeting)."""
    draft = db.session.get_one(Draft, group.draft_id)
    tabled = _tabled_of_group(group)
    if len(tabled) < 2:
        raise InvalidTransition(
            "A competing group goes to a vote when at least two of its amendments are tabled."
        )
    services.put_amendments_to_vote(actor, tabled)
    options = [voting.OptionSpec(_option_label(a), a.id) for a in tabled]
    options.append(voting.OptionSpec(NO_CHANGE, None))
    return voting.create_vote(
        actor,
        title=_group_title(draft, group),
        settings=settings,
        purpose="group",
        subject=("draft", draft.id),
        options=options,
        opens_at=opens_at,
        closes_at=closes_at,
        in_person=in_person,
    )


def put_draft_to_adoption(
    actor: Member,
    draft: Draft,
    settings: Settings,
    *,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    in_person: bool = False,
) -> Vote:
    """The adoption vote on the draft's current version: majority or consensus on the text as
    it stands, or ranked choice between it and the whole-text substitutes tabled (a tendency's
    own text, say), which go to the vote with it. With `in_person`, held at a meeting."""
    services.start_adoption_vote(actor, draft)
    options: list[voting.OptionSpec] = []
    if settings.method == VoteMethod.IRV:
        substitutes = _tabled_substitutes(draft)
        if not substitutes:
            raise InvalidTransition(
                "No whole-text substitute is tabled: adopt the text by a majority or a "
                "consensus vote."
            )
        services.put_amendments_to_vote(actor, substitutes)
        options = [
            voting.OptionSpec(AS_IT_STANDS.format(number=draft.current_version_number)),
            *(voting.OptionSpec(_option_label(a), a.id) for a in substitutes),
        ]
    return voting.create_vote(
        actor,
        title=_adoption_title(draft),
        settings=settings,
        purpose="adoption",
        subject=("draft", draft.id),
        options=options,
        opens_at=opens_at,
        closes_at=closes_at,
        in_person=in_person,
    )


def _option_label(amendment: Amendment) -> str:
    return f"{amendment.label}: {amendment.title}"


def _tabled_of_group(group: CompetitionGroup) -> list[Amendment]:
    return [a for a in _group_amendments(group) if a.state == AmendmentState.TABLED]


def _tabled_substitutes(draft: Draft) -> list[Amendment]:
    return [
        a
        for a in amendments_of(draft)
        if a.kind == AmendmentKind.SUBSTITUTE and a.state == AmendmentState.TABLED
    ]


def _group_amendments(group: CompetitionGroup) -> list[Amendment]:
    return list(
        db.session.scalars(
            select(Amendment)
            .where(Amendment.competition_group_id == group.id)
            .order_by(Amendment.number)
        )
    )


def _group_title(draft: Draft, group: CompetitionGroup) -> str:
    return f"Competing amendments of “{draft.title}” ({group.label})"


# --- what the votes page asks: the question about a subject, and starting its vote -----------


def _found(model: Any, object_id: int, what: str) -> Any:
    found = db.session.get(model, object_id)
    if found is None:
        raise NotFound(f"That {what} does not exist.")
    return found


def _propose_amendment(amendment_id: int) -> Proposal:
    amendment = _found(Amendment, amendment_id, "amendment")
    draft = db.session.get_one(Draft, amendment.draft_id)
    return Proposal(
        title=_amendment_title(draft, amendment),
        subject_label=f"{amendment.label} {amendment.title}",
        endpoint=("drafts.amendment", {"draft_id": draft.id, "number": amendment.number}),
    )


def _propose_group(group_id: int) -> Proposal:
    group = _found(CompetitionGroup, group_id, "competing group")
    draft = db.session.get_one(Draft, group.draft_id)
    return Proposal(
        title=_group_title(draft, group),
        subject_label=f"the {group.label} of “{draft.title}”",
        endpoint=("drafts.detail", {"draft_id": draft.id}),
        options=(*(_option_label(a) for a in _tabled_of_group(group)), NO_CHANGE),
    )


def _propose_adoption(draft_id: int) -> Proposal:
    draft = _found(Draft, draft_id, "draft")
    substitutes = _tabled_substitutes(draft)
    return Proposal(
        title=_adoption_title(draft),
        subject_label=f"“{draft.title}”, version {draft.current_version_number}",
        endpoint=("drafts.detail", {"draft_id": draft.id}),
        # A ranked adoption vote: the text as it stands against the tabled substitutes.
        options=(
            AS_IT_STANDS.format(number=draft.current_version_number),
            *(_option_label(a) for a in substitutes),
        )
        if substitutes
        else (),
    )


def _start_amendment(
    actor: Member,
    amendment_id: int,
    settings: Settings,
    opens_at: datetime | None,
    closes_at: datetime | None,
    /,
    *,
    in_person: bool = False,
) -> Vote:
    amendment = _found(Amendment, amendment_id, "amendment")
    return put_amendment_to_vote(
        actor, amendment, settings, opens_at=opens_at, closes_at=closes_at, in_person=in_person
    )


def _start_group(
    actor: Member,
    group_id: int,
    settings: Settings,
    opens_at: datetime | None,
    closes_at: datetime | None,
    /,
    *,
    in_person: bool = False,
) -> Vote:
    group = _found(CompetitionGroup, group_id, "competing group")
    return put_group_to_vote(
        actor, group, settings, opens_at=opens_at, closes_at=closes_at, in_person=in_person
    )


def _start_adoption(
    actor: Member,
    draft_id: int,
    settings: Settings,
    opens_at: datetime | None,
    closes_at: datetime | None,
    /,
    *,
    in_person: bool = False,
) -> Vote:
    draft = _found(Draft, draft_id, "draft")
    return put_draft_to_adoption(
        actor, draft, settings, opens_at=opens_at, closes_at=closes_at, in_person=in_person
    )


# --- reacting to a closed vote ----------------------------------------------------------------


def _merge_adopted(amendment: Amendment, vote: Vote) -> bool:
    """Merge an adopted amendment as the system; if it cannot be merged now (it collides with
    another, say) it stays adopted for the conveners to merge, and the vote still closes.
    Whether it was merged."""
    draft = db.session.get_one(Draft, amendment.draft_id)
    try:
        with db.session.begin_nested():
            services.merge_amendments(
                None, draft, [amendment], note=f"merged {amendment.label}, adopted by vote"
            )
    except DomainError:
        return False
    return True


def _amendment_closed(vote: Vote, result: Result) -> None:
    amendment = db.session.get_one(Amendment, vote.subject_id)
    outcome = result["outcome"]
    if amendment.state != AmendmentState.VOTING:
        return
    summary = outcome["summary"]
    if not outcome["decided"]:
        services.record_vote_outcome(None, amendment, adopted=None, summary=summary)
        return
    services.record_vote_outcome(None, amendment, adopted=bool(outcome["adopted"]), summary=summary)
    if outcome["adopted"]:
        _merge_adopted(amendment, vote)


def _group_closed(vote: Vote, result: Result) -> None:
    options = voting.load_options(vote)
    outcome = result["outcome"]
    winners = set(outcome["winners"])
    voted_on = [
        (option, db.session.get_one(Amendment, option.ref_id))
        for option in options
        if option.ref_id is not None
    ]
    for option, amendment in voted_on:
        if amendment.state != AmendmentState.VOTING:
            continue
        if not outcome["decided"]:
            services.record_vote_outcome(None, amendment, adopted=None, summary=outcome["summary"])
        elif option.label in winners:
            services.record_vote_outcome(
                None,
                amendment,
                adopted=True,
                summary=f"Chosen among its group: {outcome['summary']}",
            )
        else:
            services.record_vote_outcome(
                None, amendment, adopted=False, summary=f"Not chosen: {outcome['summary']}"
            )
    for option, amendment in voted_on:
        if option.label in winners and outcome["decided"]:
            _merge_adopted(amendment, vote)


def _adoption_closed(vote: Vote, result: Result) -> Decision | None:
    """The draft reaches its outcome, and the decision says which: adopted with the version
    it adopted, or rejected; None when the vote decided nothing for the draft (no quorum, a
    second round, a winner that could not be merged), which goes back to debate."""
    draft = db.session.get_one(Draft, vote.subject_id)
    if draft.state != DraftState.VOTING:
        return None
    outcome = result["outcome"]
    if vote.is_ranked:
        return _alternatives_closed(vote, draft, outcome)
    if not outcome["decided"]:
        services.record_adoption_outcome(draft, adopted=None)
        return None
    adopted = bool(outcome["adopted"])
    services.record_adoption_outcome(draft, adopted=adopted)
    return Decision(
        adopted=adopted,
        summary=str(outcome["summary"]),
        version_id=_current_version_id(draft) if adopted else None,
    )


def _alternatives_closed(vote: Vote, draft: Draft, outcome: dict[str, Any]) -> Decision | None:
    """The text as it stands or a substitute won: the winner is the adopted text (merged into
    a new version), the other substitutes are rejected. Without a decision, or when the winner
    cannot be merged now, the draft goes back to debate."""
    winners = set(outcome["winners"])
    decided = bool(outcome["decided"] and winners)
    chosen: Amendment | None = None
    for option in voting.load_options(vote):
        if option.ref_id is None:
            continue
        amendment = db.session.get_one(Amendment, option.ref_id)
        if amendment.state != AmendmentState.VOTING:
            continue
        if not decided:
            services.record_vote_outcome(None, amendment, adopted=None, summary=outcome["summary"])
        else:
            won = option.label in winners
            services.record_vote_outcome(None, amendment, adopted=won, summary=outcome["summary"])
            chosen = amendment if won else chosen
    if not decided:
        services.record_adoption_outcome(draft, adopted=None)
        return None
    if chosen is not None and not _merge_adopted(chosen, vote):
        services.record_adoption_outcome(draft, adopted=None)
        return None
    services.record_adoption_outcome(draft, adopted=True)
    db.session.refresh(draft)
    if chosen is None:
        summary = (
            f"Adopted: the text as it stands (version {draft.current_version_number}) wins "
            "against the substitutes."
        )
    else:
        summary = (
            f"Adopted: the substitute {chosen.label} “{chosen.title}” wins and is merged as "
            f"version {draft.current_version_number}."
        )
    return Decision(adopted=True, summary=summary, version_id=_current_version_id(draft))


def _current_version_id(draft: Draft) -> int:
    return db.session.scalars(
        select(DraftVersion.id).where(
            DraftVersion.draft_id == draft.id,
            DraftVersion.number == draft.current_version_number,
        )
    ).one()


# What a vote page shows of these purposes (their subjects' titles, their options' texts) is
# drafts' and amendments' rows: every change to one touches the list of drafts' stamp.
SHOWN_ON_VOTES = (DRAFTS_STAMP,)

register_purpose(
    Purpose(
        "amendment",
        "An amendment",
        (VoteMethod.MAJORITY,),
        propose=_propose_amendment,
        start=_start_amendment,
        on_close=_amendment_closed,
        decides=False,
        stamps=SHOWN_ON_VOTES,
    )
)
register_purpose(
    Purpose(
        "group",
        "Competing amendments",
        (VoteMethod.IRV,),
        propose=_propose_group,
        start=_start_group,
        on_close=_group_closed,
        decides=False,
        option_texts=amendment_texts,
        stamps=SHOWN_ON_VOTES,
    )
)
register_purpose(
    Purpose(
        "adoption",
        "The adoption of a draft",
        (VoteMethod.MAJORITY, VoteMethod.CONSENSUS, VoteMethod.IRV),
        propose=_propose_adoption,
        start=_start_adoption,
        on_close=_adoption_closed,
        option_texts=amendment_texts,
        stamps=SHOWN_ON_VOTES,
    )
)
