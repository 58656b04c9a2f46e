"""Who may do what with drafts and amendments (the services check again, with reasons)."""

from __future__ import annotations

from collections.abc import Collection

from deliberate.accounts.models import Member
from deliberate.drafts import rules
from deliberate.drafts.models import Amendment, AmendmentState, Draft
from deliberate.drafts.queries import named_convener_ids


def can_create_draft(actor: Member) -> bool:
    """The organization's conveners and admins create drafts."""
    return actor.is_active and actor.is_convener


def can_convene(actor: Member, draft: Draft, named_ids: Collection[int] | None = None) -> bool:
    """Conveners of the organization, admins, and the members named for this draft.

    `named_ids` may pass the draft's named conveners when the caller has loaded them already.
    """
    if not actor.is_active:
        return False
    if actor.is_convener:
        return True
    if named_ids is None:
        named_ids = named_convener_ids(draft)
    return actor.id in named_ids


def can_edit_amendment(actor: Member, amendment: Amendment, seconds: int) -> bool:
    """The proposer edits until the first second, or updates an amendment that needs it."""
    if not actor.is_active or amendment.proposer_id != actor.id:
        return False
    return rules.is_editable(amendment.state, seconds)


def can_withdraw_amendment(actor: Member, amendment: Amendment) -> bool:
    """The proposer withdraws until a vote on the amendment opens."""
    return (
        actor.is_active
        and amendment.proposer_id == actor.id
        and amendment.state in rules.WITHDRAWABLE_AMENDMENT_STATES
    )


def can_withdraw_second(actor: Member, amendment: Amendment, already: bool) -> bool:
    """A seconder may take their second back while the amendment awaits seconders."""
    return actor.is_active and already and amendment.state == AmendmentState.PROPOSED


def can_second_amendment(actor: Member, amendment: Amendment, already: bool) -> bool:
    return (
        actor.is_active
        and amendment.proposer_id != actor.id
        and amendment.state in rules.SECONDABLE_AMENDMENT_STATES
        and not already
    )
