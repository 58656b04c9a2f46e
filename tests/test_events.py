"""Domain events reach their subscribers once, after the commit, and never from a transaction
or a SAVEPOINT that rolled back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, String, create_engine, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from deliberate import events
from deliberate.extensions import db
from tests.factories import make_member


@dataclass(frozen=True)
class Noted(events.Event):
    text: str


class _Base(DeclarativeBase):
    pass


class Note(_Base):
    """A table of this test's own, in a database of its own: a second connection can then
    read what is committed, which the suite's one rolled-back transaction would hide."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(50))


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'events.db'}")
    _Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def heard() -> Iterator[list[Noted]]:
    heard: list[Noted] = []
    events.subscribe(Noted, heard.append)
    yield heard
    events.unsubscribe(Noted, heard.append)


def note(session: Session, text: str) -> None:
    session.add(Note(text=text))
    session.flush()
    events.record(Noted(text), session)


def test_an_event_of_a_transaction_that_rolls_back_is_never_dispatched(engine, heard):
    with Session(engine) as session:
        note(session, "never")
        session.rollback()
        assert heard == []
        note(session, "kept")
        session.commit()
    assert heard == [Noted("kept")]


def test_an_event_of_a_session_closed_without_commit_is_never_dispatched(engine, heard):
    with Session(engine) as session:
        note(session, "never")
    with Session(engine) as session:
        session.commit()
    assert heard == []


def test_a_committed_event_is_dispatched_once_after_the_commit(engine, heard):
    seen: list[list[str]] = []

    def read_from_another_connection(event: Noted) -> None:
        with engine.connect() as other:
            seen.append(list(other.scalars(select(Note.text))))

    events.subscribe(Noted, read_from_another_connection)
    try:
        with Session(engine) as session:
            note(session, "first")
            session.flush()
            assert heard == []
            session.commit()
            assert heard == [Noted("first")]
            session.commit()
            session.execute(select(func.count(Note.id)))
            session.commit()
    finally:
        events.unsubscribe(Noted, read_from_another_connection)
    assert heard == [Noted("first")]
    assert seen == [["first"]]


def test_a_savepoint_rolled_back_drops_only_its_own_events(engine, heard):
    with Session(engine) as session:
        note(session, "outer")
        refused = session.begin_nested()
        note(session, "refused")
        refused.rollback()
        with session.begin_nested():
            note(session, "released")
        assert heard == []
        note(session, "after")
        session.commit()
    assert heard == [Noted("outer"), Noted("released"), Noted("after")]


def test_a_released_savepoint_goes_with_its_transaction(engine, heard):
    with Session(engine) as session:
        with session.begin_nested():
            note(session, "released, then rolled back")
        session.rollback()
        session.commit()
    assert heard == []


def test_a_failing_subscriber_leaves_the_commit_and_the_others(engine, heard, caplog):
    def fail(_event: Noted) -> None:
        raise RuntimeError("the mail server is down")

    events.subscribe(Noted, fail)
    events.subscribe(Noted, heard.append)
    try:
        with Session(engine) as session:
            note(session, "saved")
            session.commit()
    finally:
        events.unsubscribe(Noted, fail)
    assert heard == [Noted("saved")]
    with engine.connect() as other:
        assert list(other.scalars(select(Note.text))) == ["saved"]
    assert "the mail server is down" in caplog.text


def test_the_test_session_dispatches_at_each_savepoint_commit(session, heard):
    make_member("Recorded Member")
    events.record(Noted("setup"))
    assert events.pending(Noted) == [Noted("setup")]
    db.session.commit()
    assert heard == [Noted("setup")]
    assert events.pending(Noted) == []


def test_the_test_client_commits_the_setup_events_before_its_request(client, heard):
    events.record(Noted("before the request"))
    assert heard == []
    client.get("/login")
    assert heard == [Noted("before the request")]
