"""Debate and position-paper objects for the security suite's world (tests/security/world.py).

debate_draft     a draft open for debate, 3 paragraphs
comment          a comment on it by `owner`
hidden_comment   a comment by `bystander`, hidden by the convener
paper            tendency T's published paper on the draft, signed by `member`
drafting_paper   tendency T's paper still being drafted
"""

from __future__ import annotations

from typing import Any

from deliberate.debate.services import hide_comment, post_comment
from deliberate.papers.services import create_paper, publish_paper, sign_paper
from deliberate.subjects import resolve
from tests.drafts.factories import make_draft


def build_debate(world: dict[str, Any]) -> None:
    draft = make_draft(paragraphs=3, open_window=False)
    subject = resolve("draft", draft.id)
    comment = post_comment(world["owner"], subject, "The owner's comment on ¶1.", paragraph=1)
    hidden = post_comment(world["bystander"], subject, "A remark a convener hid.")
    hide_comment(world["convener"], hidden, "Off topic.")
    tendency, coordinator = world["tendency"], world["coordinator"]
    paper = create_paper(coordinator, tendency, subject, "Our line", "We *support* it.")
    publish_paper(coordinator, paper)
    sign_paper(world["member"], paper)
    drafting = create_paper(coordinator, tendency, subject, "A better line", "Work in progress.")
    world.update(
        debate_draft=draft,
        comment=comment,
        hidden_comment=hidden,
        paper=paper,
        drafting_paper=drafting,
    )
