"""What the tendency pages show beyond one query: the detail page, with its member list kept.

The views stay adapters; this module reads what a tendency's page shows, the member list in a
part the page cache keeps. It imports Flask only for rendering, never for state: every change
goes through `deliberate.tendencies.services`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deliberate import fragments
from deliberate.accounts.models import Member
from deliberate.forms import ActionForm
from deliberate.fragments import PEOPLE
from deliberate.routing import page_number, search_text
from deliberate.tendencies import queries
from deliberate.tendencies.forms import JoinForm
from deliberate.tendencies.models import Tendency
from deliberate.tendencies.permissions import can_coordinate


def detail_stamps() -> fragments.Tokens:
    """The stamps of the detail page's member list, read before its rows (fragments.py)."""
    return fragments.tokens(PEOPLE)


def detail_context(
    tendency: Tendency,
    actor: Member,
    args: Mapping[str, str],
    stamps: fragments.Tokens,
    *,
    join_form: JoinForm | None = None,
) -> dict[str, Any]:
    """What a tendency's page shows: its line and size, its members a page at a time (a part
    the page cache keeps; searched by name with `?q=`), the member's own standing, and, to its
    coordinators, the requests waiting to join. `stamps` come from `detail_stamps`, read
    before `tendency`. `join_form`: the request to join as posted, after a refusal, shown
    again with its message and the refusal beside it."""
    coordinating = can_coordinate(actor, tendency)
    page, search = page_number(args), search_text(args)

    def render() -> fragments.Part:
        members, has_more = queries.current_members(tendency, search=search, page=page)
        html = fragments.rendered(
            "tendencies/_members.html",
            tendency=tendency,
            members=members,
            has_more=has_more,
            page=page,
            q=search,
            coordinating=coordinating,
        )
        return fragments.Part((html,))

    members_part = fragments.part(
        "tendency members",
        stamps,
        (tendency.id, page),
        render,
        # A coordinator's forms; searches seldom repeat; a refusal's page read its rows first.
        live=coordinating or bool(search) or join_form is not None,
    )
    return {
        "tendency": tendency,
        "size": queries.tendency_size(tendency),
        "members_part": members_part,
        "page": page,
        "q": search,
        "requests": queries.pending_requests(tendency) if coordinating else [],
        "request_count": queries.pending_request_count(tendency) if coordinating else 0,
        "coordinating": coordinating,
        "mine": queries.current_membership(actor),
        "my_request": queries.pending_request_of(actor, tendency),
        "join_form": join_form or JoinForm(formdata=None),
        "action_form": ActionForm(),
    }
