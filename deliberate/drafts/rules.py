"""The states of drafts and amendments, which may follow which, and what each state allows.

Pure: no Flask and no database. Models, permissions, services, queries and (through model
properties) templates all ask these sets instead of spelling states out again.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from deliberate.enums import Worded

# --- drafts -----------------------------------------------------------------------------------


class DraftState(Worded):
    DRAFTING = "drafting"
    AMENDMENTS_OPEN = "amendments_open"
    DEBATE = "debate"
    VOTING = "voting"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


# Which draft states may follow which; the window and withdrawal have their own services.
DRAFT_TRANSITIONS: Mapping[str, frozenset[str]] = {
    DraftState.DRAFTING: frozenset({DraftState.AMENDMENTS_OPEN, DraftState.WITHDRAWN}),
    DraftState.AMENDMENTS_OPEN: frozenset(
        {DraftState.AMENDMENTS_OPEN, DraftState.DEBATE, DraftState.WITHDRAWN}
    ),
    DraftState.DEBATE: frozenset(
        {DraftState.AMENDMENTS_OPEN, DraftState.VOTING, DraftState.WITHDRAWN}
    ),
    DraftState.VOTING: frozenset(
        {DraftState.DEBATE, DraftState.ADOPTED, DraftState.REJECTED, DraftState.WITHDRAWN}
    ),
    DraftState.ADOPTED: frozenset(),
    DraftState.REJECTED: frozenset(),
    DraftState.WITHDRAWN: frozenset(),
}

# Nothing about the draft changes any more.
FINAL_DRAFT_STATES = frozenset({DraftState.ADOPTED, DraftState.REJECTED, DraftState.WITHDRAWN})
# Conveners revise the text directly; afterwards it changes through amendments.
REVISABLE_DRAFT_STATES = frozenset({DraftState.DRAFTING})
# Amendments on the floor may be seconded, and those needing an update updated.
SECONDING_DRAFT_STATES = frozenset({DraftState.AMENDMENTS_OPEN, DraftState.DEBATE})
# The adoption vote is held from debate, once the amendment window is closed.
ADOPTION_VOTE_DRAFT_STATES = frozenset({DraftState.DEBATE})


# --- amendments -------------------------------------------------------------------------------


class AmendmentState(StrEnum):
    """Where an amendment stands; `AMENDMENT_TRANSITIONS` says which state may follow which.

    proposed ─(enough seconds)→ tabled ─(put to a vote)→ voting ─→ adopted ─(merge)→ merged
        │                          │                          └──→ rejected
        ├──(convener: friendly)────┴→ accepted ─(merge)→ merged
        ├──(convener)→ ruled_out        (also from tabled and needs_update)
        ├──(proposer)→ withdrawn        (also from tabled and needs_update)
        └──(a new version changed its paragraphs)→ needs_update ─(proposer updates)→ proposed
    """

    PROPOSED = "proposed"
    TABLED = "tabled"
    ACCEPTED = "accepted"
    VOTING = "voting"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    RULED_OUT = "ruled_out"
    WITHDRAWN = "withdrawn"
    NEEDS_UPDATE = "needs_update"
    MERGED = "merged"

    @property
    def label(self) -> str:
        return AMENDMENT_STATE_LABELS[self.value]


AMENDMENT_STATE_LABELS = {
    "proposed": "awaiting seconders",
    "tabled": "tabled",
    "accepted": "accepted as friendly",
    "voting": "being voted on",
    "adopted": "adopted",
    "rejected": "rejected",
    "ruled_out": "ruled out of order",
    "withdrawn": "withdrawn",
    "needs_update": "needs update",
    "merged": "merged",
}

AMENDMENT_TRANSITIONS: Mapping[str, frozenset[str]] = {
    AmendmentState.PROPOSED: frozenset(
        {
            AmendmentState.TABLED,
            AmendmentState.ACCEPTED,
            AmendmentState.RULED_OUT,
            AmendmentState.WITHDRAWN,
            AmendmentState.NEEDS_UPDATE,
        }
    ),
    AmendmentState.TABLED: frozenset(
        {
            AmendmentState.ACCEPTED,
            AmendmentState.VOTING,
            AmendmentState.RULED_OUT,
            AmendmentState.WITHDRAWN,
            AmendmentState.NEEDS_UPDATE,
        }
    ),
    AmendmentState.ACCEPTED: frozenset({AmendmentState.MERGED, AmendmentState.WITHDRAWN}),
    AmendmentState.VOTING: frozenset(
        {AmendmentState.ADOPTED, AmendmentState.REJECTED, AmendmentState.TABLED}
    ),
    AmendmentState.ADOPTED: frozenset({AmendmentState.MERGED}),
    AmendmentState.NEEDS_UPDATE: frozenset(
        {AmendmentState.PROPOSED, AmendmentState.RULED_OUT, AmendmentState.WITHDRAWN}
    ),
    AmendmentState.REJECTED: frozenset(),
    AmendmentState.RULED_OUT: frozenset(),
    AmendmentState.WITHDRAWN: frozenset(),
    AmendmentState.MERGED: frozenset(),
}


def leading_to(state: AmendmentState) -> frozenset[AmendmentState]:
    """The amendment states from which `state` may follow."""
    return frozenset(
        AmendmentState(s) for s, nexts in AMENDMENT_TRANSITIONS.items() if state in nexts
    )


# Amendments still in play against the draft's current text.
OPEN_AMENDMENT_STATES = frozenset(
    {
        AmendmentState.PROPOSED,
        AmendmentState.TABLED,
        AmendmentState.ACCEPTED,
        AmendmentState.VOTING,
        AmendmentState.ADOPTED,
    }
)
# Open ones and those waiting for their proposer's update: counted as open on the drafts list,
# shown in competition groups and offered to conveners for grouping.
LIVE_AMENDMENT_STATES = OPEN_AMENDMENT_STATES | {AmendmentState.NEEDS_UPDATE}
# Amendments that a decision (convener or vote) has already committed to merging.
COMMITTED_AMENDMENT_STATES = frozenset(
    {AmendmentState.ACCEPTED, AmendmentState.ADOPTED, AmendmentState.VOTING}
)
# Members second amendments awaiting seconders, and may still second tabled ones.
SECONDABLE_AMENDMENT_STATES = frozenset({AmendmentState.PROPOSED, AmendmentState.TABLED})
# Proposed and tabled amendments: conveners accept them as friendly.
ACCEPTABLE_AMENDMENT_STATES = leading_to(AmendmentState.ACCEPTED)
# Proposed, tabled and needing an update: conveners rule them out of order.
RULABLE_OUT_AMENDMENT_STATES = leading_to(AmendmentState.RULED_OUT)
# Until a vote on it opens (proposed, tabled, accepted, needing an update): the proposer
# withdraws it, and its tendency sponsorship may still change.
WITHDRAWABLE_AMENDMENT_STATES = leading_to(AmendmentState.WITHDRAWN)
SPONSORABLE_AMENDMENT_STATES = WITHDRAWABLE_AMENDMENT_STATES
# Tabled amendments go to a vote.
VOTABLE_AMENDMENT_STATES = leading_to(AmendmentState.VOTING)
# Accepted and adopted amendments: conveners merge them into the next version.
MERGEABLE_AMENDMENT_STATES = leading_to(AmendmentState.MERGED)
# When the system merges on a vote's recorded outcome, only what the vote adopted.
MERGEABLE_AFTER_VOTE_STATES = frozenset({AmendmentState.ADOPTED})

# The order of the status sections on a draft's page.
AMENDMENT_STATE_ORDER = (
    AmendmentState.TABLED,
    AmendmentState.PROPOSED,
    AmendmentState.ACCEPTED,
    AmendmentState.VOTING,
    AmendmentState.ADOPTED,
    AmendmentState.NEEDS_UPDATE,
    AmendmentState.MERGED,
    AmendmentState.REJECTED,
    AmendmentState.RULED_OUT,
    AmendmentState.WITHDRAWN,
)


def is_editable(state: str, seconds: int) -> bool:
    """The proposer edits an amendment until its first second, or updates one needing it."""
    if state == AmendmentState.NEEDS_UPDATE:
        return True
    return state == AmendmentState.PROPOSED and seconds == 0
