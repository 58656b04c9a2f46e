"""The demo's world, passed from part to part, and the clock that dates what each part does."""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from deliberate.accounts.models import Member
from deliberate.database import UTCDateTime, utcnow
from deliberate.decisions.models import DecisionRecord
from deliberate.drafts.models import Amendment, Draft
from deliberate.extensions import db
from deliberate.papers.models import PositionPaper
from deliberate.tendencies.models import Tendency

# A part of the demo's story, told in steps: it yields the moment of its next step, then takes
# that step when the clock reaches it.
Storyline = Iterator[datetime]


class DemoClock:
    """The demo's timeline: moments in the weeks before `now`, drawn from a seeded generator
    (the same seed and `now` give the same moments), and the dating of rows written at one.
    """

    def __init__(self, now: datetime, seed: int) -> None:
        self.now = now
        self.current = now  # the moment of the step being taken
        self.rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not a secret)

    def ago(self, days: float) -> datetime:
        """About `days` before now: up to an hour earlier, so that steps rarely share a minute."""
        return self.now - timedelta(days=days, minutes=self.rng.uniform(0, 60))

    def after(self, moment: datetime, hours: float) -> datetime:
        """About `hours` after `moment` (up to a quarter more)."""
        return moment + timedelta(hours=hours * self.rng.uniform(1, 1.25))

    def spread(self, start: datetime, end: datetime, count: int) -> list[datetime]:
        """`count` moments between `start` and `end`, each at least a minute after the one
        before; busier towards the end, as a debate is when a decision draws near."""
        span = (end - start).total_seconds()
        offsets = sorted(span * self.rng.random() ** 0.7 for _ in range(count))
        moments: list[datetime] = []
        for offset in offsets:
            moment = start + timedelta(seconds=offset)
            if moments and moment < moments[-1] + timedelta(minutes=1):
                moment = moments[-1] + timedelta(minutes=1)
            moments.append(moment)
        return moments

    def run(self, storylines: Iterable[Storyline]) -> None:
        """Take the storylines' steps together in the order of their moments (ties in the order
        given), each inside `at(moment)`, so that the database's ids follow its times. A step
        dated before the storyline's previous one (close steps, jittered) is taken at the
        previous one's moment, so time never goes back.
        """
        queue: list[tuple[datetime, int, Storyline]] = []
        for index, storyline in enumerate(storylines):
            first = next(storyline, None)  # a storyline does nothing before its first moment
            if first is not None:
                heapq.heappush(queue, (first, index, storyline))
        while queue:
            moment, index, storyline = heapq.heappop(queue)
            with self.at(moment):
                following = next(storyline, None)
            if following is not None:
                # Jittered moments of close steps may cross; a storyline never goes back.
                heapq.heappush(queue, (max(following, moment), index, storyline))

    @contextmanager
    def at(self, moment: datetime) -> Iterator[datetime]:
        """Date at `moment` every time written inside the block between `now` and the present.

        Services stamp the present themselves. Rows they insert are dated on their way to the
        database, so append-only rows (versions, revisions, events, audit entries) are never
        updated; times they change through the session are dated at the flush, and times an
        UPDATE statement wrote are dated at the end of the block on the objects the session
        still holds (a storyline dates any other itself). Times ahead of the present
        (deadlines, expiries) are left alone.
        """
        self.current = moment
        session = db.session()

        def date_flushed(session: Session, _context: Any, _instances: Any) -> None:
            for obj in session.new:
                self._date(obj, moment, new=True)
            for obj in session.dirty:
                self._date(obj, moment)

        event.listen(session, "before_flush", date_flushed)
        try:
            yield moment
            for obj in list(session.identity_map.values()):
                self._date(obj, moment)
            session.flush()
        finally:
            event.remove(session, "before_flush", date_flushed)

    def _date(self, obj: object, moment: datetime, *, new: bool = False) -> None:
        state = inspect(obj, raiseerr=True)
        present = utcnow()
        for attribute in state.mapper.column_attrs:
            column = attribute.columns[0]
            if not isinstance(column.type, UTCDateTime):
                continue
            value = state.dict.get(attribute.key)
            if value is None:
                if new and column.default is not None:
                    setattr(obj, attribute.key, moment)
            elif self.now <= value <= present:
                setattr(obj, attribute.key, moment)


@dataclass
class DemoWorld:
    """What the demo's parts have made so far; each part reads what it needs and adds its own.

    Storylines read the world when they take a step, so a step may use what an earlier step
    of another part made.
    """

    clock: DemoClock
    members: dict[str, Member] = field(default_factory=dict)  # by display name
    tendencies: dict[str, Tendency] = field(default_factory=dict)  # by name
    draft: Draft | None = None
    versions: dict[int, datetime] = field(default_factory=dict)  # when each version was made
    amendments: dict[str, Amendment] = field(default_factory=dict)  # by title
    papers: dict[str, PositionPaper] = field(default_factory=dict)  # by title
    thread: list[int] = field(default_factory=list)  # the draft's debate, in posting order
    records: dict[str, DecisionRecord] = field(default_factory=dict)  # by title

    def demo_draft(self) -> Draft:
        """The demo draft; refused before the drafts part has created it."""
        if self.draft is None:
            raise RuntimeError("the demo draft is not created yet")
        return self.draft
