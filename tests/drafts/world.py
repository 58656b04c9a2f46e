"""Draft objects for the security suite's world (tests/security/world.py).

draft                  a draft with 6 paragraphs, amendments open, convened by `convener`
drafting_draft         a draft still being written (its text can be revised)
draft_helper           a member named convener of `draft`
helper_email           the email of `bystander`, to name as a convener
A1 (amendment 1)       by `owner`, replacing ¶1, awaiting seconders
A2                     by `member`, ¶2, sponsorship by tendency T requested
A3                     by `member`, ¶3, sponsored by T and co-sponsored by `other_member` (U)
A4                     by `bystander`, ¶4, accepted as friendly, not merged yet
A5                     by `member`, ¶5, no sponsor
A6, A7                 by `bystander`, both ¶6: competing group 1
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from deliberate.database import utcnow
from deliberate.drafts import services
from tests.drafts.factories import paragraph_text, propose
from tests.factories import make_member


def build_drafts(world: dict[str, Any]) -> None:
    convener = world["convener"]
    helper = make_member("Draft Helper")
    draft = services.create_draft(
        convener,
        title="Security world draft",
        kind="resolution",
        body="\n\n".join(paragraph_text(i) for i in range(1, 7)),
        conveners=[helper],
    )
    services.open_amendment_window(convener, draft, utcnow() + timedelta(days=30))
    drafting = services.create_draft(
        convener, title="Still drafting", kind="statement", body="First.\n\nSecond."
    )
    propose(world["owner"], draft, first=1, last=1)
    sponsored = propose(world["member"], draft, first=2, last=2)
    services.request_sponsorship(world["member"], sponsored)
    cosponsored = propose(world["member"], draft, first=3, last=3)
    services.request_sponsorship(world["member"], cosponsored)
    services.confirm_sponsorship(world["coordinator"], cosponsored)
    services.cosponsor_amendment(world["other_member"], cosponsored)
    accepted = propose(world["bystander"], draft, first=4, last=4)
    services.accept_amendment(convener, accepted, merge=False)
    propose(world["member"], draft, first=5, last=5)
    propose(world["bystander"], draft, first=6, last=6, new_text="One way for ¶6.")
    propose(world["bystander"], draft, first=6, last=6, new_text="Another way for ¶6.")
    world.update(
        draft=draft,
        drafting_draft=drafting,
        draft_helper=helper,
        helper_email=world["bystander"].email,
    )


def close_window(world: dict[str, Any]) -> None:
    """The conveners closed `draft`'s amendment window."""
    services.close_amendment_window(world["convener"], world["draft"])


def pass_deadline(world: dict[str, Any]) -> None:
    """`draft`'s deadline passed a minute ago; nobody has closed the window by hand."""
    world["draft"].amendment_deadline_at = utcnow() - timedelta(minutes=1)


def withdraw_drafts(world: dict[str, Any]) -> None:
    """The conveners withdrew `draft` and the debate's `debate_draft`."""
    services.withdraw_draft(world["convener"], world["draft"], "Superseded by a new text.")
    services.withdraw_draft(world["convener"], world["debate_draft"], "Superseded.")


DRAFT_STATES = {
    "window_closed": close_window,
    "deadline_passed": pass_deadline,
    "draft_withdrawn": withdraw_drafts,
}
