"""The debate panels other pages include: a subject's thread and its paragraph margin."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import astuple, dataclass, field
from functools import cached_property
from typing import Any

from flask import current_app, url_for
from markupsafe import Markup

from deliberate import fragments
from deliberate.accounts.models import Member
from deliberate.auth import actor
from deliberate.debate import queries
from deliberate.debate.models import thread_stamp
from deliberate.debate.permissions import can_moderate, can_read
from deliberate.errors import NotFound
from deliberate.fragments import PEOPLE, Part
from deliberate.subjects import ParagraphScope, Subject, resolve


def thread_settings() -> dict[str, int]:
    config = current_app.config
    return {"page_size": config["THREAD_PAGE_SIZE"], "max_indent": config["THREAD_MAX_INDENT"]}


def readable_subject(subject_type: str, subject_id: int) -> Subject:
    """Load a subject the actor may read; NotFound otherwise."""
    subject = resolve(subject_type, subject_id)
    require_readable(subject)
    return subject


def require_readable(subject: Subject) -> None:
    """NotFound, as for a missing subject, unless the actor may read it: a subject hidden from
    some members (a paper in drafting) must not confirm that it exists."""
    if not can_read(actor(), subject):
        raise NotFound(f"That {subject.label} does not exist.")


def subject_url(subject: Subject) -> str:
    """The page that shows the subject; its debate page while that page does not exist."""
    endpoint, values = subject.endpoint
    if endpoint in current_app.view_functions:
        return url_for(endpoint, **values)
    return url_for("debate.thread", subject_type=subject.type.value, subject_id=subject.id)


def stamps_of(subject: Subject) -> list[str]:
    """The stamps a subject's thread and margins depend on: its comments, the names shown
    with them, and what moves its paragraphs."""
    return [thread_stamp(subject.type.value, subject.id), PEOPLE, *subject.stamps]


@dataclass
class ThreadPanel:
    """A thread as a page shows it: the heading with its filters and the comments with their
    pager (rendered once and kept, see deliberate/fragments.py), around the live parts (the
    comment form, the reply form), which hold the viewer's CSRF token.

    `load` reads the ThreadView; a kept rendering spares the page that read. Moderators, who
    see hidden text and unhide buttons, share one of their own; the author of a hidden
    comment on the page, who sees its text, gets it rendered for them alone. Every author's
    Edit and Delete links are filled in as the part is served (`own_links`).
    """

    subject: Subject
    filter: queries.ThreadFilter
    viewer: Member
    load: Callable[[], queries.ThreadView]
    stamps: fragments.Tokens | None = None  # None: never kept (a subtree page)
    heading: str = "Debate"
    focus_id: int | None = None
    ancestors: list[queries.CommentView] = field(default_factory=list)

    @cached_property
    def view(self) -> queries.ThreadView:
        return self.load()

    @cached_property
    def scope(self) -> ParagraphScope | None:
        return self.view.scope if "view" in self.__dict__ else self.subject.paragraphs()

    @property
    def can_post(self) -> bool:
        return self.subject.is_open

    @cached_property
    def part(self) -> Part:
        kept = self._kept()
        comments = own_links(kept.pieces[1], self.viewer.id)
        return Part((kept.pieces[0], comments), kept.owners)

    def _kept(self) -> Part:
        moderator = can_moderate(self.viewer)
        variant = (
            self.subject.state,
            astuple(self.filter),
            moderator,
            self.heading,
            tuple(thread_settings().values()),
        )
        return fragments.part(
            "thread",
            self.stamps or fragments.Tokens(()),
            variant,
            self._render,
            viewer_id=self.viewer.id,
            live=self.stamps is None,
        )

    def _render(self) -> Part:
        thread = self.view
        return Part(
            (
                fragments.rendered("debate/_thread_head.html", thread=thread, heading=self.heading),
                fragments.rendered("debate/_comments.html", thread=thread),
            ),
            frozenset(_hidden_authors(thread.comments)),
        )


def _hidden_authors(comments: Iterable[queries.CommentView]) -> Iterable[int]:
    for comment in comments:
        if comment.hidden and not comment.deleted:
            yield comment.author_id
        yield from _hidden_authors(comment.children)


_OWN = re.compile(r"<!--own (\d+) (\d+) (edit|delete)-->")


def own_links(comments: Markup, viewer_id: int) -> Markup:
    """The kept comments with the viewer's Edit and Delete links, and no other reader's."""
    base = url_for("debate.permalink", comment_id=1)[:-1]

    def links(found: re.Match[str]) -> str:
        author_id, comment_id, kind = found.groups()
        if int(author_id) != viewer_id:
            return ""
        delete = f' <a href="{base}{comment_id}/delete">Delete</a>'
        return (f' <a href="{base}{comment_id}/edit">Edit</a>' if kind == "edit" else "") + delete

    return Markup(_OWN.sub(links, comments))  # noqa: S704 - only numbers and fixed words added


def thread_context(
    subject: Subject,
    args: Mapping[str, Any] | None = None,
    *,
    heading: str = "Debate",
    stamps: fragments.Tokens | None = None,
) -> dict[str, Any]:
    """What `debate/_thread.html` needs, for any page that shows a subject's thread.

    `stamps`, when the page read them first, must include `stamps_of(subject)`; without,
    they are read here. Malformed filter arguments raise ValidationError (a 400 page saying
    what is wrong).
    """
    thread_filter = queries.parse_filter(args or {})
    viewer = actor()
    keys = stamps_of(subject)
    panel = ThreadPanel(
        subject=subject,
        filter=thread_filter,
        viewer=viewer,
        load=lambda: queries.thread_page(subject, viewer, thread_filter, **thread_settings()),
        stamps=stamps.covering(*keys) if stamps else fragments.tokens(*keys),
        heading=heading,
    )
    return {"debate_thread": panel}


def subtree_context(subject: Subject, view: queries.ThreadView) -> dict[str, Any]:
    """What `debate/_thread.html` needs for one comment's subtree (rendered each time)."""
    panel = ThreadPanel(
        subject=subject,
        filter=view.filter,
        viewer=actor(),
        load=lambda: view,
        focus_id=view.focus_id,
        ancestors=view.ancestors,
    )
    return {"debate_thread": panel}


def debate_context(subject: Subject, *, stamps: fragments.Tokens | None = None) -> dict[str, Any]:
    """For a subject's own page (a draft, an amendment): the first page of its thread."""
    require_readable(subject)
    return thread_context(subject, stamps=stamps)


def margin_context(subject: Subject) -> dict[str, Any]:
    """The comments pointing to each paragraph (`debate/_margin.html`): the same for every
    reader (hidden and deleted comments are left out), so a kept part may hold them."""
    kind, subject_id = subject.type.value, subject.id
    return {
        "debate_margin": queries.paragraph_margin(subject, actor()),
        # Every paragraph's margin links to the same pages: built once, not per paragraph.
        "margin_urls": {
            "comment": url_for("debate.permalink", comment_id=1)[:-1],
            "thread": url_for("debate.thread", subject_type=kind, subject_id=subject_id),
            "create": url_for("debate.create", subject_type=kind, subject_id=subject_id),
        },
    }
