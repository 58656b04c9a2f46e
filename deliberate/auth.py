"""Loading the logged-in member, and the guards views use before calling a service."""

from __future__ import annotations

from typing import TypeVar, cast

from flask import request
from flask_login import current_user

from deliberate.accounts.models import Member, MemberStatus
from deliberate.errors import NotFound, PermissionDenied
from deliberate.extensions import db, login_manager

T = TypeVar("T")


@login_manager.user_loader
def load_member(user_id: str) -> Member | None:
    """Resolve the session's "id:token"; a suspended member or a rotated token logs out."""
    member_id, _, session_token = user_id.partition(":")
    if not member_id.isdigit() or not session_token:
        return None
    member = db.session.get(Member, int(member_id))
    if member is None or member.status != MemberStatus.ACTIVE:
        return None
    if member.session_token != session_token:
        return None
    return member


def actor() -> Member:
    """The logged-in member (views behind login_required only)."""
    return cast(Member, current_user._get_current_object())


def member_rate_key() -> str:
    """Rate-limit key: the logged-in member (several members may share an address)."""
    if current_user.is_authenticated:
        return f"member:{current_user.id}"
    return f"address:{request.remote_addr}"


def require(allowed: bool, message: str = "You do not have permission to do this.") -> None:
    """Refuse with 403 unless `allowed`."""
    if not allowed:
        raise PermissionDenied(message)


def get_or_404(model: type[T], object_id: int, what: str = "That page") -> T:
    obj = db.session.get(model, object_id)
    if obj is None:
        raise NotFound(f"{what} does not exist.")
    return obj
