"""Body objects for the security suite's world (tests/security/world.py).

body    "Convention delegates": `member` and `other_member` sit in it
"""

from __future__ import annotations

from typing import Any

from tests.bodies.factories import make_body


def build_bodies(world: dict[str, Any]) -> None:
    world["body"] = make_body(
        "Convention delegates", members=[world["member"], world["other_member"]]
    )
