"""The demo's debate: a lively thread on the draft over the last three weeks, one comment of it
hidden by a convener, and short exchanges on amendments, a paper and the draft."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from deliberate.accounts.models import Member
from deliberate.debate import services
from deliberate.debate.bulk import PlannedComment, insert_thread, plan_thread
from deliberate.debate.models import Comment
from deliberate.demo.comments import comment_text, comment_texts
from deliberate.demo.people import MODERATOR, PEOPLE
from deliberate.demo.texts import (
    AMENDMENT_DEBATE,
    DELETED_COMMENT,
    EDITED_COMMENT,
    PAPER_DEBATE,
)
from deliberate.demo.world import DemoWorld, Storyline
from deliberate.extensions import db
from deliberate.subjects import Subject, resolve

THREAD_SEED = 1917  # the thread's shape, authors and texts
THREAD_SIZE = 320
THREAD_DAYS = 21

# When each exchange of AMENDMENT_DEBATE began, in days ago, by amendment title.
AMENDMENT_DEBATE_DAYS = {
    "Aim higher: 20 buildings, 1,000 households": 12.2,
    "Mandate the councillors": 10.9,
}


def debate_storylines(world: DemoWorld) -> list[Storyline]:
    """The thread on the draft and its moderation; the short exchanges."""
    return [
        _thread(world),
        *(
            _exchange(world, AMENDMENT_DEBATE_DAYS[title], "amendment", title, lines)
            for title, lines in AMENDMENT_DEBATE.items()
        ),
        _exchange(world, 7.5, "paper", *PAPER_DEBATE),
        _edited(world),
        _deleted(world),
    ]


def _subject(world: DemoWorld, subject_type: str, title: str = "") -> Subject:
    """The draft, or the amendment or paper titled `title`."""
    if subject_type == "amendment":
        return resolve("amendment", world.amendments[title].id)
    if subject_type == "paper":
        return resolve("paper", world.papers[title].id)
    return resolve("draft", world.demo_draft().id)


def _thread(world: DemoWorld) -> Storyline:
    """A thread of a few hundred comments up to 6 deep over the last three weeks, some
    anchored to paragraphs (of the version current when posted); a convener hides one
    posted in the last two days."""
    clock = world.clock
    yield clock.ago(2.5)  # written at once: nothing else reads the thread before it is done
    subject = _subject(world, "draft")
    authors = [world.members[name] for name, *_rest in PEOPLE if world.members[name].is_active]
    moments = clock.spread(clock.ago(THREAD_DAYS), clock.now - timedelta(hours=1), THREAD_SIZE)
    world.thread = insert_thread(subject, _plan(subject, authors, moments, world.versions))
    rude = next(i for i, moment in enumerate(moments) if moment >= clock.now - timedelta(days=2))
    yield clock.after(moments[rude], 2)
    services.hide_comment(
        world.members[MODERATOR],
        db.session.get_one(Comment, world.thread[rude]),
        "A personal attack on another member; argue the point, not the person.",
    )


def _plan(
    subject: Subject, authors: list[Member], moments: list[datetime], versions: dict[int, datetime]
) -> list[PlannedComment]:
    rng = random.Random(THREAD_SEED)  # noqa: S311 (reproducible demo data, not a secret)
    scope = subject.paragraphs()
    plan = plan_thread(
        len(moments),
        authors,
        comment_texts(rng, len(moments)),
        rng,
        max_depth=6,
        paragraphs=scope.count if scope else 0,
        anchored_share=0.4,
    )
    for planned, moment in zip(plan, moments, strict=True):
        # Texts that fit: replies answer, anchored comments discuss ¶n.
        planned.text = comment_text(
            rng, reply=planned.parent is not None, paragraph=planned.paragraph
        )
        planned.created_at = moment
        if planned.parent is not None:
            planned.anchor_version = plan[planned.parent].anchor_version
        elif planned.paragraph is not None:
            planned.anchor_version = max(n for n, made in versions.items() if made <= moment)
    return plan


def _exchange(
    world: DemoWorld, days: float, subject_type: str, title: str, lines: list[tuple[str, str]]
) -> Storyline:
    """Each line answers the one before, a few hours later."""
    clock = world.clock
    yield clock.ago(days)
    parent: Comment | None = None
    for index, (name, text) in enumerate(lines):
        if index:
            yield clock.after(clock.current, 3 + 9 * clock.rng.random())
        parent = services.post_comment(
            world.members[name], _subject(world, subject_type, title), text, parent=parent
        )


def _edited(world: DemoWorld) -> Storyline:
    """A comment on ¶4 of the draft that its author edited (its history is viewable)."""
    name, first, edited = EDITED_COMMENT
    clock = world.clock
    yield clock.ago(5.2)
    comment = services.post_comment(
        world.members[name], _subject(world, "draft"), first, paragraph=4
    )
    yield clock.after(clock.current, 1.5)
    services.edit_comment(world.members[name], _subject(world, "draft"), comment, edited)


def _deleted(world: DemoWorld) -> Storyline:
    """A comment on the draft that its author deleted; the reply stays in place."""
    (author, regretted), (replier, reply) = DELETED_COMMENT
    clock = world.clock
    yield clock.ago(4.6)
    comment = services.post_comment(world.members[author], _subject(world, "draft"), regretted)
    yield clock.after(clock.current, 3)
    services.post_comment(world.members[replier], _subject(world, "draft"), reply, parent=comment)
    yield clock.after(clock.current, 20)
    services.delete_comment(world.members[author], comment)
