"""State changes for tendencies: registration, joining, approval, removal, leaving."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from deliberate import cleaning
from deliberate.accounts.models import Member
from deliberate.audit.services import record_action
from deliberate.database import rows_matched, utcnow
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.markup import render_markdown
from deliberate.tendencies.models import (
    JoinRequest,
    JoinRequestState,
    MembershipRole,
    Tendency,
    TendencyMembership,
)
from deliberate.tendencies.permissions import can_coordinate, can_register_tendency
from deliberate.tendencies.queries import current_membership, pending_request_of

MAX_NAME_LENGTH = 120
MAX_LINE_LENGTH = 20_000
MAX_MESSAGE_LENGTH = 500
ALREADY_IN_TENDENCY = "{name} already belongs to a tendency ({tendency}); they must leave it first."


def _clean_name(raw: str) -> str:
    return cleaning.clean_line(
        raw,
        max_length=MAX_NAME_LENGTH,
        empty="A tendency needs a name.",
        too_long="A tendency name has at most {limit} characters.",
    )


def _clean_line(raw: str) -> str:
    return cleaning.clean_text(
        raw,
        max_length=MAX_LINE_LENGTH,
        empty="State the tendency's political line.",
        too_long="The line has at most {limit} characters.",
    )


def add_membership(
    tendency: Tendency,
    member: Member,
    *,
    role: MembershipRole = MembershipRole.MEMBER,
    joined_at: datetime | None = None,
) -> TendencyMembership:
    """Start a membership period. The database refuses a second current tendency."""
    existing = current_membership(member)
    if existing is not None:
        raise InvalidTransition(
            ALREADY_IN_TENDENCY.format(name=member.display_name, tendency=existing.tendency.name)
        )
    membership = TendencyMembership(
        tendency_id=tendency.id, member_id=member.id, role=role, joined_at=joined_at or utcnow()
    )
    try:
        with db.session.begin_nested():
            db.session.add(membership)
    except IntegrityError:
        # A concurrent request gave the member a tendency between our check and our insert.
        raise InvalidTransition(
            f"{member.display_name} already belongs to a tendency; they must leave it first."
        ) from None
    return membership


def register_tendency(actor: Member, name: str, line: str, coordinators: list[Member]) -> Tendency:
    """Register a tendency with its first coordinators. Admins and conveners only."""
    if not can_register_tendency(actor):
        raise PermissionDenied("Only conveners and admins register tendencies.")
    name = _clean_name(name)
    line = _clean_line(line)
    if not coordinators:
        raise ValidationError("Name at least one coordinator.")
    if db.session.scalar(select(Tendency.id).where(Tendency.name == name)) is not None:
        raise ValidationError(f"A tendency named “{name}” already exists.")
    tendency = Tendency(
        name=name, line_markdown=line, line_html=render_markdown(line), created_by_id=actor.id
    )
    db.session.add(tendency)
    try:
        db.session.flush()
    except IntegrityError:
        raise ValidationError(f"A tendency named “{name}” already exists.") from None
    for coordinator in coordinators:
        if not coordinator.is_active:
            raise ValidationError(f"{coordinator.display_name} is suspended.")
        add_membership(tendency, coordinator, role=MembershipRole.COORDINATOR)
    record_action(
        actor,
        "tendency.register",
        tendency,
        f"Registered {name}",
        coordinators=[c.id for c in coordinators],
    )
    return tendency


def edit_line(actor: Member, tendency: Tendency, line: str) -> None:
    """Coordinators restate their tendency's line."""
    if not can_coordinate(actor, tendency):
        raise PermissionDenied("Only the tendency's coordinators can edit its line.")
    line = _clean_line(line)
    tendency.line_markdown = line
    tendency.line_html = render_markdown(line)
    db.session.flush()


def request_to_join(actor: Member, tendency: Tendency, message: str = "") -> JoinRequest:
    """Ask to join `tendency`; its coordinators decide."""
    if not actor.is_active:
        raise PermissionDenied("Suspended members cannot join tendencies.")
    existing = current_membership(actor)
    if existing is not None:
        raise InvalidTransition(
            "You already belong to "
            + (
                "this tendency."
                if existing.tendency_id == tendency.id
                else f"{existing.tendency.name}; leave it before asking to join another."
            )
        )
    if pending_request_of(actor, tendency) is not None:
        raise InvalidTransition("You have already asked to join; the coordinators will decide.")
    message = cleaning.clean_text(
        message,
        max_length=MAX_MESSAGE_LENGTH,
        empty=None,
        too_long="A message to the coordinators has at most {limit} characters.",
    )
    join_request = JoinRequest(tendency_id=tendency.id, member_id=actor.id, message=message)
    try:
        with db.session.begin_nested():
            db.session.add(join_request)
    except IntegrityError:
        raise InvalidTransition("You have already asked to join.") from None
    return join_request


def _decide(actor: Member, join_request: JoinRequest, state: JoinRequestState) -> None:
    tendency = db.session.get_one(Tendency, join_request.tendency_id)
    if not can_coordinate(actor, tendency):
        raise PermissionDenied("Only the tendency's coordinators decide on join requests.")
    now = utcnow()
    claimed = db.session.execute(
        update(JoinRequest)
        .where(JoinRequest.id == join_request.id, JoinRequest.state == JoinRequestState.PENDING)
        .values(state=state, decided_at=now, decided_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if rows_matched(claimed) != 1:
        raise InvalidTransition("This request has already been decided or withdrawn.")
    db.session.refresh(join_request)
    if state == JoinRequestState.APPROVED:
        member = db.session.get_one(Member, join_request.member_id)
        if not member.is_active:
            raise InvalidTransition(f"{member.display_name} is suspended.")
        add_membership(tendency, member, joined_at=now)
    record_action(
        actor,
        f"tendency.request_{state}",
        join_request,
        f"{state.capitalize()} join request {join_request.id} to {tendency.name}",
    )


def approve_join_request(actor: Member, join_request: JoinRequest) -> None:
    """Admit the requester. Refused if they joined another tendency meanwhile."""
    _decide(actor, join_request, JoinRequestState.APPROVED)


def decline_join_request(actor: Member, join_request: JoinRequest) -> None:
    _decide(actor, join_request, JoinRequestState.DECLINED)


def withdraw_join_request(actor: Member, join_request: JoinRequest) -> None:
    if join_request.member_id != actor.id:
        raise PermissionDenied("Only the member who asked can withdraw a join request.")
    if join_request.state != JoinRequestState.PENDING:
        raise InvalidTransition("This request has already been decided.")
    join_request.state = JoinRequestState.WITHDRAWN
    join_request.decided_at = utcnow()
    db.session.flush()


def _end(membership: TendencyMembership, reason: str) -> None:
    claimed = db.session.execute(
        update(TendencyMembership)
        .where(TendencyMembership.id == membership.id, TendencyMembership.left_at.is_(None))
        .values(left_at=utcnow(), end_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if rows_matched(claimed) != 1:
        raise InvalidTransition("This membership has already ended.")
    db.session.refresh(membership)


def _check_not_last_coordinator(membership: TendencyMembership) -> None:
    if not membership.is_coordinator:
        return
    others = db.session.scalar(
        select(TendencyMembership.id).where(
            TendencyMembership.tendency_id == membership.tendency_id,
            TendencyMembership.left_at.is_(None),
            TendencyMembership.role == MembershipRole.COORDINATOR,
            TendencyMembership.id != membership.id,
        )
    )
    if others is None:
        raise InvalidTransition(
            "A tendency needs a coordinator: appoint another before the last one goes."
        )


def leave_tendency(actor: Member) -> TendencyMembership:
    """End the actor's current membership; the history keeps the period."""
    membership = current_membership(actor)
    if membership is None:
        raise InvalidTransition("You do not belong to a tendency.")
    _check_not_last_coordinator(membership)
    _end(membership, "left")
    return membership


def remove_member(actor: Member, membership: TendencyMembership) -> None:
    """A coordinator removes a member from the tendency."""
    tendency = db.session.get_one(Tendency, membership.tendency_id)
    if not can_coordinate(actor, tendency):
        raise PermissionDenied("Only the tendency's coordinators can remove members.")
    if membership.member_id == actor.id:
        raise InvalidTransition("To leave the tendency yourself, use “Leave”.")
    _check_not_last_coordinator(membership)
    _end(membership, f"removed by {actor.display_name}")
    record_action(
        actor,
        "tendency.remove_member",
        membership,
        f"Removed member {membership.member_id} from {tendency.name}",
    )


def set_member_tendency(actor: Member, member: Member, tendency: Tendency | None) -> None:
    """Move `member` into `tendency` (None: into no tendency), as an admin keeping the
    membership in step with a contact database does. The current period ends ("moved by ...")
    and a new one starts; the history keeps both.

    Raises PermissionDenied unless the actor may manage both tendencies (admins may),
    InvalidTransition when the member is suspended, already there, or the last coordinator of
    the tendency they would leave. Audited.
    """
    current = current_membership(member)
    if current is not None and not can_coordinate(actor, current.tendency):
        raise PermissionDenied("Only admins and the tendency's coordinators move its members.")
    if tendency is not None and not can_coordinate(actor, tendency):
        raise PermissionDenied("Only admins and the tendency's coordinators add members to it.")
    if not member.is_active:
        raise InvalidTransition(f"{member.display_name} is suspended.")
    if (current.tendency_id if current else None) == (tendency.id if tendency else None):
        where = tendency.name if tendency else "no tendency"
        raise InvalidTransition(f"{member.display_name} is already in {where}.")
    left = current.tendency.name if current is not None else "no tendency"
    if current is not None:
        _check_not_last_coordinator(current)
        _end(current, f"moved by {actor.display_name}")
    if tendency is not None:
        add_membership(tendency, member)
    db.session.flush()
    record_action(
        actor,
        "tendency.set_member",
        member,
        f"{member.display_name}: {left} → {tendency.name if tendency else 'no tendency'}",
    )


def set_membership_role(actor: Member, membership: TendencyMembership, role: str) -> None:
    """Make a member a coordinator, or a coordinator an ordinary member."""
    tendency = db.session.get_one(Tendency, membership.tendency_id)
    if not can_coordinate(actor, tendency):
        raise PermissionDenied("Only the tendency's coordinators appoint coordinators.")
    if membership.left_at is not None:
        raise InvalidTransition("This person no longer belongs to the tendency.")
    if role not in {r.value for r in MembershipRole}:
        raise ValidationError(f"Unknown tendency role “{role[:40]}”.")
    if membership.role == role:
        raise InvalidTransition("Nothing to change.")
    if role == MembershipRole.MEMBER:
        _check_not_last_coordinator(membership)
    membership.role = role
    db.session.flush()
    record_action(
        actor,
        "tendency.membership_role",
        membership,
        f"Member {membership.member_id} of {tendency.name} is now {role}",
    )
