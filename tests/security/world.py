"""The cast and objects the authorization matrix and the fuzz tests act on.

Roles (the keys of a matrix row's `expect`):
  anonymous        nobody logged in
  member           an ordinary member of tendency T
  other_member     an ordinary member of tendency U (another tendency)
  owner            the author/owner of the objects under test (applicant, proposer, author…),
                   an ordinary member without a tendency
  coordinator      a coordinator of tendency T
  convener         a member with the convener role
  admin            a member with the admin role
  suspended        a suspended member (of T) whose session cookie is still presented

Objects are named; matrix URLs use them as `{name}` placeholders (their `.id`, or the string
itself for tokens). A domain adds its objects by appending a builder to BUILDERS and its
object states by adding to STATES (a state mutates a built world, e.g. "window_closed").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from deliberate.accounts.models import Member, MemberRole, MemberStatus
from deliberate.accounts.services import invite_member, issue_password_reset
from deliberate.tendencies.models import TendencyMembership
from deliberate.tendencies.queries import current_membership
from deliberate.tendencies.services import request_to_join
from tests.api.world import build_api
from tests.bodies.world import build_bodies
from tests.debate.world import build_debate
from tests.decisions.world import DECISION_STATES, build_decisions
from tests.drafts.world import DRAFT_STATES, build_drafts
from tests.factories import make_member, make_tendency
from tests.notifications.world import build_notifications
from tests.voting.world import VOTE_STATES, build_votes
from tests.webhooks.world import build_webhooks

ROLES = (
    "anonymous",
    "member",
    "other_member",
    "owner",
    "coordinator",
    "convener",
    "admin",
    "suspended",
)

World = dict[str, Any]


def build_people_and_tendencies(world: World) -> None:
    tendency = make_tendency("Tendency T")
    other = make_tendency("Tendency U")
    world.update(
        tendency=tendency,
        other_tendency=other,
        coordinator=make_member("Coordinator", tendency=tendency, coordinator=True),
        member=make_member("Member", tendency=tendency),
        other_member=make_member("Other", tendency=other, coordinator=True),
        owner=make_member("Owner"),
        convener=make_member("Convener", role=MemberRole.CONVENER),
        admin=make_member("Admin", role=MemberRole.ADMIN),
        bystander=make_member("Bystander"),
    )
    # The convener reads and enters times in a zone whose clocks change (the fuzz tests send
    # the hours they skip and repeat).
    world["convener"].time_zone = "Europe/Paris"
    world["suspended"] = make_member("Suspended", tendency=tendency, status=MemberStatus.SUSPENDED)
    world["membership"] = _membership_of(world["member"])
    world["join_request"] = request_to_join(world["owner"], tendency, "Let me in")
    admin = world["admin"]
    world["invitation"], world["invitation_token"] = invite_member(
        admin, "invitee@example.org", "Invitee", tendency, valid_for=timedelta(days=1)
    )
    _, world["reset_token"] = issue_password_reset(
        admin, world["bystander"], valid_for=timedelta(days=1)
    )


def _membership_of(member: Member) -> TendencyMembership | None:
    return current_membership(member)


BUILDERS: list[Callable[[World], None]] = [
    build_people_and_tendencies,
    build_debate,
    build_drafts,
    build_votes,
    build_bodies,
    build_decisions,
    build_notifications,
    build_api,
    build_webhooks,
]
STATES: dict[str, Callable[[World], None]] = {**DRAFT_STATES, **VOTE_STATES, **DECISION_STATES}


def build_world(state: str | None = None) -> World:
    world: World = {}
    for builder in BUILDERS:
        builder(world)
    if state is not None:
        STATES[state](world)
    return world


def placeholder_values(world: World) -> dict[str, str]:
    values = {}
    for name, obj in world.items():
        values[name] = obj if isinstance(obj, str) else str(getattr(obj, "id", obj))
    return values
