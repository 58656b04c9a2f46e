"""Position paper builders (they flush, never commit)."""

from __future__ import annotations

from deliberate.accounts.models import Member
from deliberate.papers import services
from deliberate.papers.models import PositionPaper
from deliberate.subjects import Subject
from deliberate.tendencies.models import Tendency


def make_paper(
    coordinator: Member,
    tendency: Tendency,
    subject: Subject,
    title: str = "Our position",
    body: str = "We support this, *with reservations*.",
    *,
    publish: bool = False,
) -> PositionPaper:
    paper = services.create_paper(coordinator, tendency, subject, title, body)
    if publish:
        services.publish_paper(coordinator, paper)
    return paper
