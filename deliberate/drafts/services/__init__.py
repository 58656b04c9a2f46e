"""State changes for drafts, versions and amendments: propose, second, sponsor, accept, merge.

Every function takes the acting member, flushes and never commits, and raises the domain
errors with a message for the member. Rows whose state decides what is allowed (the draft
while a version or number is allocated, an amendment while its state changes) are locked
first, so concurrent requests queue instead of both succeeding.

One module per concern; callers use `services.<name>` from this package:
`drafts` (drafts and their amendment window), `versions` (render, add, advance, carry over),
`amendments` (propose, edit, withdraw, second), `sponsorship`, `convening` (accept, rule out,
group, merge, put to a vote, record the outcome), `adoption` (the draft's own vote) and
`common` (limits, cleaning, locks, history).
"""

from deliberate.drafts.services.adoption import record_adoption_outcome, start_adoption_vote
from deliberate.drafts.services.amendments import (
    edit_amendment,
    propose_amendment,
    second_amendment,
    withdraw_amendment,
    withdraw_second,
)
from deliberate.drafts.services.common import (
    DEFAULT_LINE_WIDTH,
    DEFAULT_SECONDS_REQUIRED,
    MAX_BODY,
    MAX_NOTE,
    MAX_PARAGRAPHS,
    MAX_RATIONALE,
    MAX_REASON,
    MAX_TITLE,
    format_utc,
)
from deliberate.drafts.services.convening import (
    accept_amendment,
    group_amendments,
    merge_amendments,
    put_amendments_to_vote,
    record_vote_outcome,
    rule_out_amendment,
    ungroup_amendment,
)
from deliberate.drafts.services.drafts import (
    add_convener,
    close_amendment_window,
    create_draft,
    open_amendment_window,
    remove_convener,
    revise_draft,
    update_draft_details,
    window_closed_message,
    withdraw_draft,
)
from deliberate.drafts.services.sponsorship import (
    confirm_sponsorship,
    cosponsor_amendment,
    decline_sponsorship,
    request_sponsorship,
    withdraw_cosponsorship,
)

__all__ = [
    "DEFAULT_LINE_WIDTH",
    "DEFAULT_SECONDS_REQUIRED",
    "MAX_BODY",
    "MAX_NOTE",
    "MAX_PARAGRAPHS",
    "MAX_RATIONALE",
    "MAX_REASON",
    "MAX_TITLE",
    "accept_amendment",
    "add_convener",
    "close_amendment_window",
    "confirm_sponsorship",
    "cosponsor_amendment",
    "create_draft",
    "decline_sponsorship",
    "edit_amendment",
    "format_utc",
    "group_amendments",
    "merge_amendments",
    "open_amendment_window",
    "propose_amendment",
    "put_amendments_to_vote",
    "record_adoption_outcome",
    "record_vote_outcome",
    "remove_convener",
    "request_sponsorship",
    "revise_draft",
    "rule_out_amendment",
    "second_amendment",
    "start_adoption_vote",
    "ungroup_amendment",
    "update_draft_details",
    "window_closed_message",
    "withdraw_amendment",
    "withdraw_cosponsorship",
    "withdraw_draft",
    "withdraw_second",
]
