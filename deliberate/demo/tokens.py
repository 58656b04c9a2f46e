"""The demo's access token: the admin's website publishes closed votes' results with a
read-only token made three weeks ago. Its secret is random and shown to no one (tokens are
secrets; the README shows how to make one), so the admin's token list shows it as a member
would see their own."""

from __future__ import annotations

from deliberate.api.services import create_token
from deliberate.demo.people import ADMIN
from deliberate.demo.world import DemoWorld, Storyline


def token_storylines(world: DemoWorld) -> list[Storyline]:
    return [_website_token(world)]


def _website_token(world: DemoWorld) -> Storyline:
    clock = world.clock
    yield clock.ago(21)
    create_token(
        world.members[ADMIN], "Website: published results", ["read"], 90, now=clock.current
    )
