"""What an admin needs to keep the membership in step with a contact database: the list of
members, invitations, suspension and reactivation, a member's tendency, and the seats of a
body. The same predicates and services as the admins' pages; a token needs the admin scope."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for

from deliberate.accounts import queries as member_queries
from deliberate.accounts import services as accounts
from deliberate.accounts.models import Member
from deliberate.accounts.permissions import can_manage_members
from deliberate.api import schemas
from deliberate.api.http import bp, next_cursor, read_cursor, require_scope
from deliberate.api.models import Scope
from deliberate.auth import get_or_404, require
from deliberate.bodies import services as bodies
from deliberate.bodies.models import Body
from deliberate.bodies.permissions import can_manage_bodies
from deliberate.extensions import db
from deliberate.routing import search_text
from deliberate.tendencies import services as tendencies
from deliberate.tendencies.models import Tendency

MemberPage = schemas.page_of(schemas.MemberRow, "MemberPage")


def _admin() -> Member:
    member = require_scope(Scope.ADMIN)
    require(can_manage_members(member), "Only admins manage members.")
    return member


def _managed_member(member_id: int) -> tuple[Member, Member]:
    admin = _admin()
    return admin, get_or_404(Member, member_id, "That member")


def _row(member: Member, tendency: Tendency | None) -> dict[str, Any]:
    return {
        "id": member.id,
        "display_name": member.display_name,
        "email": member.email,
        "role": member.role,
        "status": member.status,
        "tendency": tendency.id if tendency else None,
    }


@bp.get("/members")
@bp.arguments(schemas.MembersQuery, location="query")
@bp.response(200, MemberPage)
def members(args: dict[str, Any]) -> dict[str, Any]:
    """Every member, suspended ones too, by name; `q` matches names and emails"""
    _admin()
    page = read_cursor(args.get("cursor"))
    rows, more = member_queries.member_directory(
        search_text({"q": args.get("q", "")}),
        page=page,
        include_suspended=True,
        search_emails=True,
    )
    return {"items": [_row(m, t) for m, t, _coordinates in rows], "next": next_cursor(page, more)}


@bp.get("/members/invitations")
@bp.response(200, schemas.OpenInvitation(many=True))
def invitations() -> list[dict[str, Any]]:
    """The invitations not yet accepted, withdrawn or expired (their links are not kept)"""
    _admin()
    return [
        {"id": i.id, "email": i.email, "expires_at": i.expires_at}
        for i in member_queries.open_invitations()
    ]


@bp.post("/members/invitations")
@bp.arguments(schemas.InvitationIn)
@bp.response(201, schemas.Invitation)
def invite(body: dict[str, Any]) -> dict[str, Any]:
    """Invite someone by email (the invitation is mailed; its link is also answered once)"""
    admin = _admin()
    tendency = get_or_404(Tendency, body["tendency"], "That tendency") if body["tendency"] else None
    invitation, token = accounts.invite_member(
        admin,
        body["email"],
        body["display_name"],
        tendency,
        valid_for=current_app.config["INVITATION_VALID_FOR"],
    )
    db.session.commit()
    return {
        "id": invitation.id,
        "email": invitation.email,
        "expires_at": invitation.expires_at,
        "link": url_for("accounts.accept_invitation", token=token, _external=True),
    }


@bp.post("/members/<int:member_id>/suspend")
@bp.arguments(schemas.SuspensionIn)
@bp.response(200, schemas.MemberRow)
def suspend(body: dict[str, Any], member_id: int) -> dict[str, Any]:
    """Suspend a member: their sessions and tokens stop working at once"""
    admin, member = _managed_member(member_id)
    accounts.suspend_member(admin, member, body["reason"])
    db.session.commit()
    return _row(member, _tendency_of(member))


@bp.post("/members/<int:member_id>/reactivate")
@bp.response(200, schemas.MemberRow)
def reactivate(member_id: int) -> dict[str, Any]:
    """Make a suspended member active again"""
    admin, member = _managed_member(member_id)
    accounts.reactivate_member(admin, member)
    db.session.commit()
    return _row(member, _tendency_of(member))


@bp.post("/members/<int:member_id>/tendency")
@bp.arguments(schemas.TendencyIn)
@bp.response(200, schemas.MemberRow)
def set_tendency(body: dict[str, Any], member_id: int) -> dict[str, Any]:
    """Move a member into a tendency, or into none (`null`)"""
    admin, member = _managed_member(member_id)
    tendency = get_or_404(Tendency, body["tendency"], "That tendency") if body["tendency"] else None
    tendencies.set_member_tendency(admin, member, tendency)
    db.session.commit()
    return _row(member, _tendency_of(member))


def _tendency_of(member: Member) -> Tendency | None:
    from deliberate.tendencies.queries import current_membership

    membership = current_membership(member)
    return membership.tendency if membership is not None else None


def _body(body_id: int) -> tuple[Member, Body]:
    admin = require_scope(Scope.ADMIN)
    require(can_manage_bodies(admin), "Only admins keep the bodies and their members.")
    return admin, get_or_404(Body, body_id, "That body")


@bp.post("/bodies/<int:body_id>/members")
@bp.arguments(schemas.SeatIn)
@bp.response(200, schemas.Seat)
def seat(body: dict[str, Any], body_id: int) -> dict[str, Any]:
    """Give a member a seat in a body"""
    admin, found = _body(body_id)
    member = get_or_404(Member, body["member"], "That member")
    bodies.add_member(admin, found, member)
    db.session.commit()
    return {"body": found.id, "member": member.id, "seated": True}


@bp.post("/bodies/<int:body_id>/members/<int:member_id>/remove")
@bp.response(200, schemas.Seat)
def unseat(body_id: int, member_id: int) -> dict[str, Any]:
    """End a member's seat in a body (the body's history keeps it)"""
    admin, found = _body(body_id)
    member = get_or_404(Member, member_id, "That member")
    bodies.remove_member(admin, found, member)
    db.session.commit()
    return {"body": found.id, "member": member.id, "seated": False}
