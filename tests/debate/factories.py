"""Debate test helpers: comments, posted through the service."""

from __future__ import annotations

from deliberate.accounts.models import Member
from deliberate.debate import services
from deliberate.debate.models import Comment
from deliberate.subjects import Subject


def make_comment(
    subject: Subject,
    author: Member,
    body: str = "I think we should.",
    *,
    parent: Comment | None = None,
    paragraph: int | None = None,
) -> Comment:
    return services.post_comment(author, subject, body, parent=parent, paragraph=paragraph)
