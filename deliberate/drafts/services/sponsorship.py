"""Tendency sponsorship of amendments: request, confirm, decline, co-sponsor."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from deliberate.accounts.models import Member
from deliberate.database import rows_matched, utcnow
from deliberate.drafts import rules
from deliberate.drafts.models import Amendment, AmendmentCosponsor
from deliberate.drafts.services.common import (
    _clean_reason,
    _event,
    _lock_amendment,
    _require_active,
)
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.tendencies.models import Tendency
from deliberate.tendencies.permissions import is_coordinator
from deliberate.tendencies.queries import current_membership


def request_sponsorship(actor: Member, amendment: Amendment) -> Tendency:
    """The proposer asks their tendency to sponsor the amendment; its coordinators confirm."""
    _require_active(actor)
    if amendment.proposer_id != actor.id:
        raise PermissionDenied("Only the proposer can ask their tendency to sponsor it.")
    membership = current_membership(actor)
    if membership is None:
        raise InvalidTransition("You do not belong to a tendency that could sponsor it.")
    amendment = _lock_amendment(amendment)
    if amendment.state not in rules.SPONSORABLE_AMENDMENT_STATES:
        raise InvalidTransition(
            f"{amendment.label} is {amendment.state_label}; sponsorship can no longer change."
        )
    if amendment.sponsor_tendency_id is not None:
        tendency = db.session.get_one(Tendency, amendment.sponsor_tendency_id)
        raise InvalidTransition(
            f"Sponsorship by {tendency.name} is already "
            + ("confirmed." if amendment.sponsor_confirmed_at else "requested.")
        )
    amendment.sponsor_tendency_id = membership.tendency_id
    amendment.sponsor_confirmed_at = None
    _event(
        amendment,
        actor,
        "sponsor_requested",
        f"Asked {membership.tendency.name} to sponsor it.",
    )
    db.session.flush()
    return membership.tendency


def _sponsor(amendment: Amendment) -> Tendency:
    if amendment.sponsor_tendency_id is None:
        raise InvalidTransition(f"No tendency has been asked to sponsor {amendment.label}.")
    return db.session.get_one(Tendency, amendment.sponsor_tendency_id)


def confirm_sponsorship(actor: Member, amendment: Amendment) -> None:
    """A coordinator of the requested tendency confirms its sponsorship."""
    _require_active(actor)
    amendment = _lock_amendment(amendment)
    tendency = _sponsor(amendment)
    if not is_coordinator(actor, tendency):
        raise PermissionDenied(f"Only coordinators of {tendency.name} can confirm its sponsorship.")
    if amendment.sponsor_confirmed_at is not None:
        raise InvalidTransition(f"{tendency.name} already sponsors {amendment.label}.")
    if amendment.state not in rules.SPONSORABLE_AMENDMENT_STATES:
        raise InvalidTransition(
            f"{amendment.label} is {amendment.state_label}; sponsorship can no longer change."
        )
    amendment.sponsor_confirmed_at = utcnow()
    amendment.sponsor_confirmed_by_id = actor.id
    _event(amendment, actor, "sponsored", f"Sponsored by {tendency.name}.")
    db.session.flush()


def decline_sponsorship(actor: Member, amendment: Amendment, reason: str = "") -> None:
    """A coordinator declines (or ends) the tendency's sponsorship; the proposer may cancel
    a request not yet confirmed. Co-sponsorships lapse with the sponsorship."""
    _require_active(actor)
    reason = _clean_reason(reason, required=False)
    amendment = _lock_amendment(amendment)
    tendency = _sponsor(amendment)
    coordinating = is_coordinator(actor, tendency)
    cancelling = amendment.proposer_id == actor.id and amendment.sponsor_confirmed_at is None
    if not (coordinating or cancelling):
        raise PermissionDenied(f"Only coordinators of {tendency.name} can decline its sponsorship.")
    if amendment.state not in rules.SPONSORABLE_AMENDMENT_STATES:
        raise InvalidTransition(
            f"{amendment.label} is {amendment.state_label}; sponsorship can no longer change."
        )
    confirmed = amendment.sponsor_confirmed_at is not None
    amendment.sponsor_tendency_id = None
    amendment.sponsor_confirmed_at = None
    amendment.sponsor_confirmed_by_id = None
    db.session.execute(
        delete(AmendmentCosponsor).where(AmendmentCosponsor.amendment_id == amendment.id)
    )
    if cancelling and not coordinating:
        summary = f"The proposer cancelled the request to {tendency.name}."
    elif confirmed:
        summary = f"{tendency.name} ended its sponsorship."
    else:
        summary = f"{tendency.name} declined to sponsor it."
    _event(amendment, actor, "sponsor_declined", summary, reason=reason)
    db.session.flush()


def cosponsor_amendment(actor: Member, amendment: Amendment) -> None:
    """A member of another tendency co-sponsors a tendency-sponsored amendment."""
    _require_active(actor)
    amendment = _lock_amendment(amendment)
    if amendment.sponsor_tendency_id is None or amendment.sponsor_confirmed_at is None:
        raise InvalidTransition(
            f"{amendment.label} has no confirmed tendency sponsor; second it instead."
        )
    if amendment.state not in rules.SPONSORABLE_AMENDMENT_STATES:
        raise InvalidTransition(
            f"{amendment.label} is {amendment.state_label}; it can no longer be co-sponsored."
        )
    membership = current_membership(actor)
    if membership is None:
        raise InvalidTransition("Co-sponsors speak for members of a tendency; you belong to none.")
    if membership.tendency_id == amendment.sponsor_tendency_id:
        raise InvalidTransition(
            "Your tendency already sponsors this amendment; co-sponsors come from other tendencies."
        )
    try:
        with db.session.begin_nested():
            db.session.add(
                AmendmentCosponsor(
                    amendment_id=amendment.id,
                    member_id=actor.id,
                    tendency_id=membership.tendency_id,
                )
            )
    except IntegrityError:
        raise ValidationError(f"You already co-sponsor {amendment.label}.") from None
    _event(
        amendment, actor, "cosponsored", f"Co-sponsored by a member of {membership.tendency.name}."
    )
    db.session.flush()


def withdraw_cosponsorship(actor: Member, amendment: Amendment) -> None:
    _require_active(actor)
    removed = db.session.execute(
        delete(AmendmentCosponsor).where(
            AmendmentCosponsor.amendment_id == amendment.id,
            AmendmentCosponsor.member_id == actor.id,
        )
    )
    if rows_matched(removed) != 1:
        raise InvalidTransition(f"You do not co-sponsor {amendment.label}.")
    _event(amendment, actor, "cosponsor_withdrawn", "A co-sponsor withdrew.")
    db.session.flush()
