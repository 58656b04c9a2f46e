"""Domain events: what a unit of work did, told to whoever listens once it has committed.

A service that does something others may react to outside the database (mail the members, call
a webhook, push a live update, forget a cached figure) records a typed event in the unit of
work: `record(VoteOpened(vote_id=7, ...))`. The event is kept with the SQLAlchemy session, on
the transaction (or SAVEPOINT) that recorded it, and dispatched to the subscribers of its type
(`subscribe(VoteOpened, send_mail)`) only once the whole transaction has committed:

- a transaction that rolls back takes its events with it, and so does a SAVEPOINT that rolls
  back (the form pipeline's refused action): only that SAVEPOINT's own events go;
- a released SAVEPOINT hands its events to the transaction around it: they wait for its commit;
- each event is dispatched once, after the commit, with the session outside any transaction, so
  a subscriber that reads the database sees what was committed;
- a subscriber that fails is logged and the others still run: the work it reacts to is saved
  already, and the member is told so.

Nothing leaves the process inside a transaction that may still roll back, as with Zulip's
`send_event_on_commit`. The reactions that belong to the transaction itself (merging an adopted
amendment when its vote closes, chaining the closed vote) are not events: they are the voting
hooks (deliberate/voting/hooks.py), which run inside it and fail with it.

Events are small frozen dataclasses of ids and plain values, never model objects (those expire
at commit, and the durable form below stores the event as JSON).

The durable form: the outbox. A dispatch after commit is at most once: a process that dies
between the commit and the dispatch loses the event. That is right for what repairs itself
(a cached figure read again within its interval) but not for a notification a member must get.
Such a subscriber does not subscribe here; it writes an outbox row *inside* the transaction,
beside the change it reports, so that both are saved or neither is:

    on_every_open(lambda actor, vote: outbox.add(VoteOpened(vote.id, ...)))  # in the transaction

and a worker sends the rows that committed, marking each sent (at least once; the row's id lets
the receiver drop a repeat): deliberate/notifications/ is that outbox and its worker. The same
event types serve both: `dataclasses.asdict(event)` with its type's name is the outbox row's
payload. The page cache's stamps work this way already (deliberate/fragments.py draws them in
the committing transaction, never after it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import Session, SessionTransaction

if TYPE_CHECKING:
    from sqlalchemy.orm import scoped_session

log = logging.getLogger("deliberate.events")


@dataclass(frozen=True)
class Event:
    """The base of every domain event: a frozen dataclass of ids and plain values."""


E = TypeVar("E", bound=Event)
Subscriber = Callable[[E], object]

_subscribers: dict[type[Event], list[Callable[[Any], object]]] = {}

# On the session's `info`: the events recorded and not yet committed, each with the transaction
# that recorded it; and those of a committed transaction, until they are dispatched.
PENDING = "events.pending"
COMMITTED = "events.committed"


def subscribe(kind: type[E], subscriber: Subscriber[E]) -> None:
    """Call `subscriber(event)` after the commit of every transaction that recorded an event
    of `kind` (or of a subclass), in the order subscribed. Subscribing twice is once."""
    listeners = _subscribers.setdefault(kind, [])
    if subscriber not in listeners:
        listeners.append(subscriber)


def unsubscribe(kind: type[E], subscriber: Subscriber[E]) -> None:
    """Stop calling `subscriber` for `kind` (a test's own subscriber, say)."""
    listeners = _subscribers.get(kind, [])
    if subscriber in listeners:
        listeners.remove(subscriber)


def record(event: Event, session: Session | scoped_session[Session] | None = None) -> None:
    """Keep `event` with the unit of work of `session` (the application's by default), for
    dispatch once its transaction commits; forgotten if the transaction, or the SAVEPOINT
    open now, rolls back."""
    active = _session(session)
    transaction = active.get_nested_transaction() or active.get_transaction() or active.begin()
    active.info.setdefault(PENDING, []).append((transaction, event))


def pending(kind: type[E], session: Session | scoped_session[Session] | None = None) -> list[E]:
    """The events of `kind` recorded in the session's open transaction and not yet committed
    (what this unit of work has changed so far, for a cache that must not keep it yet)."""
    kept = _session(session).info.get(PENDING, ())
    return [event for _transaction, event in kept if isinstance(event, kind)]


def _session(session: Session | scoped_session[Session] | None) -> Session:
    if session is None:
        # The application's session; imported here so that this module needs no Flask.
        from deliberate.extensions import db

        return db.session()
    return session if isinstance(session, Session) else session()


@sqlalchemy_event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    kept: list[tuple[SessionTransaction, Event]] = session.info.get(PENDING, [])
    if not kept:
        return
    released = session.get_nested_transaction()
    if released is not None:
        # A SAVEPOINT released: its events now wait for the transaction around it.
        parent = released.parent
        session.info[PENDING] = [
            (parent if transaction is released and parent is not None else transaction, event)
            for transaction, event in kept
        ]
        return
    session.info.pop(PENDING)
    session.info.setdefault(COMMITTED, []).extend(event for _transaction, event in kept)


@sqlalchemy_event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    kept: list[tuple[SessionTransaction, Event]] = session.info.get(PENDING, [])
    if kept:
        # Still the ended transaction's own: it rolled back or was closed without a commit.
        session.info[PENDING] = [(t, event) for t, event in kept if t is not transaction]
    if transaction.parent is None:
        committed = session.info.pop(COMMITTED, None)
        if committed:
            _dispatch(committed)


def _dispatch(committed: list[Event]) -> None:
    for event in committed:
        for kind in type(event).__mro__:
            for subscriber in list(_subscribers.get(kind, ())):
                try:
                    subscriber(event)
                except Exception:
                    log.exception("the subscriber %r failed on %r after commit", subscriber, event)
