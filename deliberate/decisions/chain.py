"""The archive's hash chain, pure: canonical JSON, content hashes, links and their check.

Everything the archive vouches for (a sealed record, a member's commitment entry, a minority
report attached, a sealed evaluation) is appended to one chain as a *link*. A link stores the
SHA-256 of its content's canonical JSON and the hash of the link before it, and its own hash
covers both with its position and kind, so changing any content, or removing, reordering or
inserting a link, changes every hash after it. Copies of the chain's head hash kept by members
let them see that the history they hold is the one the server shows.

Canonical JSON (`canonical`): UTF-8, keys sorted, no insignificant whitespace, non-ASCII kept
as is; only objects, arrays, strings, integers, booleans and null (floats are refused, since
their text is not the same everywhere: exact numbers are written as strings such as "7/3").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


class NotCanonical(ValueError):
    """A value the canonical form does not admit (a float, a set, an object)."""


def _check(value: Any, path: str) -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        raise NotCanonical(f"{path}: floats are not canonical; write exact numbers as strings")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotCanonical(f"{path}: keys must be strings")
            _check(item, f"{path}.{key}")
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")
        return
    raise NotCanonical(f"{path}: {type(value).__name__} is not a JSON value")


def canonical(content: Mapping[str, Any]) -> bytes:
    """The canonical JSON bytes of `content`."""
    _check(content, "$")
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def content_hash(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def link_hash(position: int, kind: str, previous_hash: str, content_digest: str) -> str:
    """The hash of a link: position, kind, the previous link's hash and the content's hash."""
    text = f"deliberate-chain/1\n{position}\n{kind}\n{previous_hash}\n{content_digest}"
    return hashlib.sha256(text.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Link:
    position: int
    kind: str
    content_hash: str
    previous_hash: str
    hash: str


def next_link(previous: Link | None, kind: str, content: Mapping[str, Any]) -> Link:
    """The link that appends `content` after `previous` (None: the chain's first link)."""
    position = 1 if previous is None else previous.position + 1
    before = GENESIS if previous is None else previous.hash
    digest = content_hash(content)
    return Link(position, kind, digest, before, link_hash(position, kind, before, digest))


@dataclass(frozen=True)
class Unreadable:
    """In place of a link's content: what it vouches for is stored but cannot be read."""

    reason: str


@dataclass(frozen=True)
class Problem:
    """The first place where the chain does not hold, and why."""

    position: int
    reason: str


def check(
    entries: Iterable[tuple[Link, Mapping[str, Any] | Unreadable | None]],
) -> Problem | None:
    """Check links in order, each with its content as recomputed from what is stored now
    (None: the content it vouches for is gone; Unreadable: it is there but cannot be read).
    The first problem, or None if all hold."""
    previous_hash = GENESIS
    expected_position = 1
    for link, content in entries:
        if link.position != expected_position:
            return Problem(link.position, f"link {expected_position} is missing")
        if link.previous_hash != previous_hash:
            return Problem(link.position, "it does not follow the link before it")
        if content is None:
            return Problem(link.position, "what it vouches for is missing")
        if isinstance(content, Unreadable):
            return Problem(link.position, f"what it vouches for cannot be read ({content.reason})")
        try:
            digest = content_hash(content)
        except NotCanonical as error:
            return Problem(link.position, f"what it vouches for cannot be read ({error})")
        if digest != link.content_hash:
            return Problem(link.position, "its content was changed after it was chained")
        if link_hash(link.position, link.kind, link.previous_hash, link.content_hash) != link.hash:
            return Problem(link.position, "its own hash does not match")
        previous_hash = link.hash
        expected_position += 1
    return None
