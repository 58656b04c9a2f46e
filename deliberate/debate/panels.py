"""The debate panels other pages include: a subject's thread and its paragraph margin."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, url_for

from deliberate.auth import actor
from deliberate.debate import queries
from deliberate.debate.forms import CommentForm
from deliberate.debate.permissions import can_read
from deliberate.errors import NotFound
from deliberate.subjects import Subject, resolve


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


def thread_context(subject: Subject, args: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What `debate/_thread.html` needs, for any page that shows a subject's thread.

    Malformed filter arguments raise ValidationError (a 400 page saying what is wrong).
    """
    thread = queries.thread_page(
        subject, actor(), queries.parse_filter(args or {}), **thread_settings()
    )
    return {"debate_thread": thread, "debate_form": CommentForm(formdata=None)}


def debate_context(subject: Subject, *, margin: bool = False) -> dict[str, Any]:
    """For a subject's own page (a draft, an amendment): the first page of its thread and,
    with `margin`, the comments pointing to each paragraph (`debate/_margin.html`)."""
    require_readable(subject)
    context = thread_context(subject)
    if margin:
        context["debate_margin"] = queries.paragraph_margin(subject, actor())
        # Every paragraph's margin links to the same two pages: built once, not per paragraph.
        kind, subject_id = subject.type.value, subject.id
        context["margin_urls"] = {
            "comment": url_for("debate.permalink", comment_id=1)[:-1],
            "thread": url_for("debate.thread", subject_type=kind, subject_id=subject_id),
            "create": url_for("debate.create", subject_type=kind, subject_id=subject_id),
        }
    return context
