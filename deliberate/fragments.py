"""Parts of pages rendered once and served again until what they show changes.

A page part (a draft's text with its margins, a thread's comments, the tendencies' papers)
costs most of its page's time to query and render, and a convention reads the same part
hundreds of times between two changes. Each part names the *stamps* it depends on
("draft:7", "thread:draft:7", "people"); every committed change to a watched row draws a
fresh random token for the stamps that row touches, in the same transaction. A page reads the
tokens of its stamps in one query before it reads anything else, and serves a part kept under
the same tokens, or renders it and keeps it.

Correctness rests on three rules:
- Every model whose rows a part shows is watched (`watch`), with the stamps a row touches:
  each domain declares its own in its `watches.py` (the models know nothing of this cache).
  A bulk UPDATE, DELETE or INSERT of a watched model touches every stamp (EVERYTHING), unless
  it names the stamps of the rows it changes (`execution_options(stamps=[...])`).
- Tokens are read before the data a part is rendered from: a part kept under a token was
  rendered from data at least as new as the token (never older), so it is never stale.
- What a part shows beyond the stamped rows (the viewer's role, the time, a subject's state
  loaded earlier) goes into its key. A part showing what only its owners may see (a hidden
  comment's text to its author) is rendered for them and never kept; what differs per reader
  inside a kept part is filled in as it is served: a form carries a placeholder that the
  reader's CSRF token replaces (a real token is never kept), a comment a mark that becomes
  its author's Edit and Delete links (debate.panels.own_links).

Some stamps concern every page a member reads (what waits for them, the organization's time
zone): they are `ambient`, read with the first tokens a request reads, so that what depends on
them is kept too (`kept`) at no cost of its own.

Tokens are random, not counters, so a part kept from a rolled-back transaction or from another
database can never be mistaken for the current one. Parts are kept per process (a bounded LRU
of `FRAGMENT_CACHE_SIZE` entries; 0 renders every time), so workers need no shared cache.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app, render_template
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import (
    ColumnElement,
    Connection,
    ScalarSelect,
    String,
    bindparam,
    cast,
    event,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from deliberate.filters import viewer_zone
from deliberate.lru import Immutables
from deliberate.stamps import Stamp

EVERYTHING = "*"
PEOPLE = "people"  # members' names, tendencies' names, who belongs to which tendency
# What `csrf_token()` gives templates rendering a part; the request's token replaces it.
CSRF_PLACEHOLDER = "csrf-token-of-the-reader"
_CSRF_VALUE = re.compile(
    r'name="csrf_token"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="csrf_token"'
)


KeysOf = Callable[[Any, Connection], Iterable[str]]
_watched: dict[type, list[KeysOf]] = {}
_always: dict[type, set[str]] = {}


def watch(model: type, keys_of: KeysOf) -> None:
    """Changes to rows of `model` touch the stamps `keys_of(row, connection)` names (the
    connection of the flushing transaction, to look up a parent's id). Several domains may
    watch one model: a change touches what each of them names."""
    _watched.setdefault(model, []).append(keys_of)


def watch_all(model: type, *keys: str) -> None:
    """Every change to rows of `model` touches `keys`, whichever rows: a bulk statement
    touches them too, whether or not it names its own stamps."""
    _always.setdefault(model, set()).update(keys)


def _keys_of(row: object, connection: Connection) -> Iterable[str]:
    keys: set[str] = set()
    for model in type(row).__mro__:
        keys.update(_always.get(model, ()))
        for keys_of in _watched.get(model, ()):
            keys.update(keys_of(row, connection))
    return keys


PENDING = "fragments.touched"
STAMPS_OPTION = "stamps"  # the stamps a bulk statement on a watched model touches


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: object) -> None:
    """Note the stamps this flush touched; they are drawn afresh once, just before commit."""
    rows = [*session.new, *session.deleted, *(r for r in session.dirty if session.is_modified(r))]
    if not rows:
        return
    connection = session.connection()
    touched: set[str] = session.info.setdefault(PENDING, set())
    for row in rows:
        touched.update(_keys_of(row, connection))


@event.listens_for(Session, "do_orm_execute")
def _bulk(state: ORMExecuteState) -> None:
    """A bulk statement on a watched model touches rows nobody listed: it touches everything,
    unless it names the stamps it touches (`execution_options(stamps=[...])`), as a statement
    changing one known row can."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    mapper = state.bind_mapper
    if mapper is None:
        return
    models = mapper.class_.__mro__
    touched: set[str] = set()
    for model in models:
        touched.update(_always.get(model, ()))
    if any(m in _watched for m in models):
        touched.update(state.execution_options.get(STAMPS_OPTION) or (EVERYTHING,))
    if touched:
        state.session.info.setdefault(PENDING, set()).update(touched)


@event.listens_for(Session, "before_commit")
def _draw(session: Session) -> None:
    if session.in_nested_transaction():
        # A savepoint's release fires this event too: the stamps wait for the real commit, so
        # that a transaction takes their row locks last, after any other lock it takes
        # (the chain's, say), and two transactions cannot hold them in opposite orders.
        return
    session.flush()  # the commit's own flush comes after this event: its stamps count too
    session.info.pop(SAVEPOINTS, None)
    touched = session.info.pop(PENDING, None)
    if touched:
        draw(session.connection(), sorted(touched))


SAVEPOINTS = "fragments.savepoints"  # what was pending when each open savepoint began


@event.listens_for(Session, "after_transaction_create")
def _remember(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        pending = set(session.info.get(PENDING, ()))
        session.info.setdefault(SAVEPOINTS, {})[transaction] = pending


@event.listens_for(Session, "after_soft_rollback")
def _undo(session: Session, previous: SessionTransaction) -> None:
    """A rollback undoes what its flushes touched: a savepoint's, what was touched since it
    began (what the transaction touched before stays pending); the transaction's, all."""
    before = session.info.get(SAVEPOINTS, {}).pop(previous, None)
    if previous.nested:
        if before is not None:
            session.info[PENDING] = before
        return
    session.info.pop(PENDING, None)
    session.info.pop(SAVEPOINTS, None)


def draw(connection: Connection, keys: list[str]) -> None:
    """New tokens for `keys`, in key order (two transactions lock the same rows in the same
    order, so they queue rather than deadlock)."""
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(Stamp).values([{"key": k, "token": _token()} for k in keys])
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[Stamp.key], set_={"token": statement.excluded.token}
        )
    )


def _token() -> int:
    return secrets.randbits(63)


@dataclass(frozen=True)
class Tokens:
    """The tokens of a page's stamps, read once before the page reads its data."""

    values: tuple[tuple[str, int], ...]

    def covering(self, *keys: str) -> Tokens:
        """These tokens, which a part depending on `keys` may use; a page that forgot to read
        one of them is a mistake to fix, not to paper over."""
        missing = set(keys) - {key for key, _ in self.values}
        if missing:
            raise ValueError(f"the page did not read the stamps {sorted(missing)}")
        return self

    def only(self, *keys: str) -> Tokens:
        """The tokens of `keys` (and of EVERYTHING) alone: a part kept under them is not
        rendered again when another part of the page changes."""
        self.covering(*keys)
        wanted = {*keys, EVERYTHING}
        return Tokens(tuple((k, v) for k, v in self.values if k in wanted))


# Built once: computing a new statement's cache key costs more than running the query.
_READ = select(Stamp.key, Stamp.token).where(Stamp.key.in_(bindparam("keys", expanding=True)))

AMBIENT = "fragments.ambient"  # where a request keeps the tokens of the ambient stamps
_ambient: list[Callable[[], Iterable[str]]] = []


def ambient(keys: Callable[[], Iterable[str]]) -> None:
    """Stamps a request's pages depend on beside their own (the navigation's count of what
    waits for the reader, the organization's time zone), named by `keys()` for the current
    request: the request's first `tokens()` reads them in the same query as the page's own,
    and `ambient_tokens()` gives them."""
    _ambient.append(keys)


def tokens(*keys: str) -> Tokens:
    """The current tokens of `keys` (and of EVERYTHING), in one query; with them, the first
    time in a request, the tokens of the ambient stamps."""
    from flask import has_request_context, request

    from deliberate.extensions import db

    wanted = {*keys, EVERYTHING}
    around: set[str] | None = None
    if has_request_context() and AMBIENT not in request.environ:
        around = {key for named in _ambient for key in named()} | {EVERYTHING}
    rows = db.session.execute(_READ, {"keys": sorted(wanted | (around or set()))})
    found: dict[str, int] = dict(rows.tuples().all())
    if around is not None:
        request.environ[AMBIENT] = Tokens(tuple((k, found.get(k, 0)) for k in sorted(around)))
    return Tokens(tuple((k, found.get(k, 0)) for k in sorted(wanted)))


def ambient_tokens() -> Tokens:
    """The tokens of the ambient stamps (`ambient`) for this request: read with the page's
    first tokens, or now, in a query of their own, if the page read none before."""
    from flask import request

    if AMBIENT not in request.environ:
        tokens()
    found: Tokens = request.environ[AMBIENT]
    return found


def tokens_and_ids(
    keys: Iterable[str], looked_up: Sequence[tuple[Callable[[int], str], ScalarSelect[Any]]]
) -> tuple[Tokens, tuple[int | None, ...]]:
    """The current tokens of `keys` and of the stamps of rows a page knows only by another
    name (an amendment by its draft and number): for each `(stamp_of, id_query)`, the id the
    scalar subquery finds and the token of `stamp_of(id)`, all in one statement. Returns the
    tokens and those ids (None where a query finds none; its stamp is then left out). Raises
    ValueError for a stamp that is not a fixed prefix and the id. Like `tokens`, it reads the
    ambient stamps too the first time in a request."""
    from flask import has_request_context, request

    from deliberate.extensions import db

    wanted = {*keys, EVERYTHING}
    around: set[str] = set()
    if has_request_context() and AMBIENT not in request.environ:
        around = {key for named in _ambient for key in named()} | {EVERYTHING}
    named: list[ColumnElement[bool]] = [Stamp.key.in_(sorted(wanted | around))]
    ids = []
    for n, (stamp_of, id_query) in enumerate(looked_up):
        prefix = stamp_of(0)[:-1]
        if stamp_of(12) != f"{prefix}12":
            raise ValueError("a looked-up stamp is a prefix and the row's id")
        named.append(Stamp.key == literal(prefix) + cast(id_query, String))
        ids.append(select(literal(f"#{n}"), id_query))
    rows = db.session.execute(
        union_all(select(Stamp.key, Stamp.token).where(or_(*named)), *ids)
    ).tuples()
    found: dict[str, int | None] = dict(rows.all())
    if around:
        request.environ[AMBIENT] = Tokens(tuple((k, found.get(k) or 0) for k in sorted(around)))
    got = tuple(found.get(f"#{n}") for n in range(len(looked_up)))
    wanted |= {
        stamp_of(i) for (stamp_of, _), i in zip(looked_up, got, strict=True) if i is not None
    }
    return Tokens(tuple((k, found.get(k) or 0) for k in sorted(wanted))), got


@dataclass(frozen=True)
class Part:
    """A rendered part: its pieces of HTML, and the members whose own rows it shows (who get
    it rendered for them alone: their Edit links, their hidden comment's text)."""

    pieces: tuple[Markup, ...]
    owners: frozenset[int] = frozenset()


def _store() -> Immutables[Part]:
    extension = current_app.extensions.get("fragments")
    if extension is None:
        extension = current_app.extensions["fragments"] = Immutables[Part](
            max(current_app.config.get("FRAGMENT_CACHE_SIZE", 0), 1)
        )
    return extension


def part(
    name: str,
    stamps: Tokens,
    variant: Hashable,
    render: Callable[[], Part],
    *,
    viewer_id: int | None = None,
    live: bool = False,
) -> Part:
    """The part `name` for `variant` under `stamps`: kept, or rendered by `render()` and kept.

    `live` renders it for this request alone (a moderator's view, a convener's forms). A part
    whose owners include `viewer_id` shows that viewer's own rows: it is rendered for them
    and never kept, and they are never served the one kept for others.
    """
    if live or not current_app.config.get("FRAGMENT_CACHE_SIZE", 0):
        return _served(render())
    # Times in a part are written in the reader's zone: readers of two zones share no part.
    zone = viewer_zone().key
    key = (name, current_app.config["SQLALCHEMY_DATABASE_URI"], stamps.values, variant, zone)
    store = _store()
    kept = store.find(key)
    if kept is not None and viewer_id not in kept.owners:
        return _served(kept)
    made = render()
    if viewer_id not in made.owners:
        store.keep(key, _checked(name, made))
    return _served(made)


V = TypeVar("V")


def _values() -> Immutables[tuple[Any, ...]]:
    extension = current_app.extensions.get("fragments.values")
    if extension is None:
        extension = current_app.extensions["fragments.values"] = Immutables[tuple[Any, ...]](
            max(current_app.config.get("FRAGMENT_CACHE_SIZE", 0), 1)
        )
    return extension


def kept(
    name: str,
    stamps: Tokens,
    variant: Hashable,
    load: Callable[[], V],
    *,
    fresh: Callable[[V], bool] | None = None,
) -> V:
    """What `load()` reads, kept under `stamps` as a part is: the same rules hold (the tokens
    were read before, every row it reads is watched, what else it depends on is in
    `variant`). The value must never change once made (tuples, frozen dataclasses; never a
    row of the session, which belongs to one request). A value that `fresh(value)` finds
    outdated (one that time alone changes: a vote's close passing) is loaded again. A value
    loaded while the session holds changes not yet committed is not kept: the stamps they
    touch are drawn only at the commit, and the changes may yet be rolled back."""
    if not current_app.config.get("FRAGMENT_CACHE_SIZE", 0):
        return load()
    from deliberate.extensions import db

    key = (name, current_app.config["SQLALCHEMY_DATABASE_URI"], stamps.values, variant)
    store = _values()
    found = store.find(key)
    if found is not None and (fresh is None or fresh(found[0])):
        return found[0]
    value = load()
    if not db.session.info.get(PENDING):
        store.keep(key, (value,))
    return value


def _served(made: Part) -> Part:
    """The part with this request's CSRF token in its forms."""
    if not any(CSRF_PLACEHOLDER in piece for piece in made.pieces):
        return made
    token = generate_csrf()
    return Part(
        # The token is URL-safe base64 and a dot: nothing to escape.
        tuple(Markup(piece.replace(CSRF_PLACEHOLDER, token)) for piece in made.pieces),  # noqa: S704
        made.owners,
    )


def rendered(template: str, **context: Any) -> Markup:
    """A template's output, safe to place in another: Jinja escaped it as it rendered. Its
    forms' CSRF fields hold the placeholder, for `part` to fill in per request."""
    html = render_template(template, csrf_token=lambda: CSRF_PLACEHOLDER, **context)
    return Markup(html)  # noqa: S704 - escaped by Jinja


def rendered_blocks(template: str, **context: Any) -> tuple[Markup, ...]:
    """Each top-level block of a template, rendered on its own, in order: the parts of a page
    that one template describes together. (Forms get the placeholder, as in `rendered`.)"""
    app = current_app
    loaded = app.jinja_env.get_template(template)
    context["csrf_token"] = lambda: CSRF_PLACEHOLDER
    app.update_template_context(context)
    shared = loaded.new_context(context)
    return tuple(
        Markup("".join(block(shared)))  # noqa: S704 - escaped by Jinja
        for block in loaded.blocks.values()
    )


def _checked(name: str, made: Part) -> Part:
    """Refuse to keep a part holding a real CSRF token (a form field not built from the
    template's `csrf_token()`): it would hand one reader's token to the next."""
    for piece in made.pieces:
        for match in _CSRF_VALUE.finditer(piece):
            if CSRF_PLACEHOLDER not in match.group(0):
                raise RuntimeError(f"the part {name} holds a real CSRF token")
    return made
