"""An admin moves a member between tendencies (the API's membership sync uses it)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from deliberate.accounts.models import MemberRole, MemberStatus
from deliberate.errors import InvalidTransition, PermissionDenied
from deliberate.tendencies.models import TendencyMembership
from deliberate.tendencies.queries import current_membership
from deliberate.tendencies.services import set_member_tendency
from tests.factories import make_member, make_tendency


@pytest.fixture
def scene(session):
    east, west = make_tendency("East"), make_tendency("West")
    return {
        "admin": make_member("Admin", role=MemberRole.ADMIN),
        "east": east,
        "west": west,
        "coordinator": make_member("Coordinator", tendency=east, coordinator=True),
        "member": make_member("Member", tendency=east),
    }


def test_a_move_ends_one_period_and_starts_the_next(scene, session):
    set_member_tendency(scene["admin"], scene["member"], scene["west"])
    assert current_membership(scene["member"]).tendency_id == scene["west"].id
    periods = session.scalars(
        select(TendencyMembership).where(TendencyMembership.member_id == scene["member"].id)
    ).all()
    assert [(p.tendency_id, p.left_at is None) for p in periods] == [
        (scene["east"].id, False),
        (scene["west"].id, True),
    ]
    assert periods[0].end_reason == "moved by Admin"
    set_member_tendency(scene["admin"], scene["member"], None)
    assert current_membership(scene["member"]) is None


def test_the_last_coordinator_is_not_moved_out(scene):
    with pytest.raises(InvalidTransition, match="needs a coordinator"):
        set_member_tendency(scene["admin"], scene["coordinator"], scene["west"])
    assert current_membership(scene["coordinator"]).tendency_id == scene["east"].id


def test_only_admins_and_coordinators_of_both_move_members(scene):
    with pytest.raises(PermissionDenied):
        set_member_tendency(scene["coordinator"], scene["member"], scene["west"])
    outsider = make_member("Outsider")
    with pytest.raises(PermissionDenied):
        set_member_tendency(scene["member"], outsider, scene["east"])


def test_a_suspended_member_or_no_change_is_refused(scene):
    with pytest.raises(InvalidTransition, match="already in East"):
        set_member_tendency(scene["admin"], scene["member"], scene["east"])
    scene["member"].status = MemberStatus.SUSPENDED
    with pytest.raises(InvalidTransition, match="suspended"):
        set_member_tendency(scene["admin"], scene["member"], scene["west"])
