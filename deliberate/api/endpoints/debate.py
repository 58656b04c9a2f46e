"""Comments on any debate subject (a draft, an amendment, a paper, a vote, a record), posted
as the thread's page posts them."""

from __future__ import annotations

from typing import Any

from flask import current_app

from deliberate import fragments
from deliberate.api import schemas
from deliberate.api.http import bp, etag, next_cursor, read_cursor, require_scope
from deliberate.api.models import Scope
from deliberate.auth import actor, get_or_404
from deliberate.debate import limits, queries, services
from deliberate.debate.models import Comment
from deliberate.debate.panels import readable_subject, stamps_of, thread_settings
from deliberate.extensions import db

# The pages' budget for posting: a member's comments through the API and through the pages
# draw on one budget.
posting_limit = limits.posting_limit(201)


SUBJECTS = "<any(draft, amendment, paper, vote, decision, evaluation):subject_type>"


@bp.post(f"/debate/{SUBJECTS}/<int:subject_id>/comments")
@posting_limit
@bp.arguments(schemas.CommentIn)
@bp.response(201, schemas.Comment)
def comment(body: dict[str, Any], subject_type: str, subject_id: int) -> dict[str, Any]:
    """Post a comment on a subject (optionally on one of its paragraphs), or a reply"""
    member = require_scope(Scope.WRITE)
    subject = readable_subject(subject_type, subject_id)
    parent = get_or_404(Comment, body["parent"], "That comment") if body["parent"] else None
    posted = services.post_comment(
        member,
        subject,
        body["body"],
        parent=parent,
        paragraph=body["paragraph"],
        max_length=current_app.config["COMMENT_MAX_LENGTH"],
    )
    db.session.commit()
    return {
        "id": posted.id,
        "subject_type": posted.subject_type,
        "subject_id": posted.subject_id,
        "paragraph": posted.paragraph,
        "parent": posted.parent_id,
        "body": posted.body_markdown,
        "created_at": posted.created_at,
    }


ThreadPage = schemas.page_of(schemas.ThreadComment, "ThreadPage")


def _flat(views: list[queries.CommentView]) -> list[queries.CommentView]:
    """The page's tree in reading order, each comment before its replies."""
    flat: list[queries.CommentView] = []
    for view in views:
        flat.append(view)
        flat.extend(_flat(view.children))
    return flat


def _thread_comment(view: queries.CommentView) -> dict[str, Any]:
    return {
        "id": view.id,
        "parent": view.parent_id,
        "depth": view.depth,
        "paragraph": view.paragraph,
        "author": None
        if view.deleted
        else {"id": view.author_id, "display_name": view.author_name},
        "tendency": None if view.deleted else view.tendency_name,
        "body_html": view.body_html if view.show_text else None,
        "hidden": view.hidden,
        "hidden_reason": view.hidden_reason if view.hidden and not view.deleted else None,
        "deleted": view.deleted,
        "context": view.context,
        "reply_count": view.reply_count,
        "created_at": view.created_at,
        "edited_at": view.edited_at,
    }


@bp.get(f"/debate/{SUBJECTS}/<int:subject_id>/comments")
@bp.etag
@bp.arguments(schemas.ThreadQuery, location="query")
@bp.response(200, ThreadPage)
def thread(args: dict[str, Any], subject_type: str, subject_id: int) -> dict[str, Any]:
    """A subject's thread a page at a time, as its page shows it: replies after what they
    answer (with the earlier comments they answer, marked `context`), hidden comments in
    their place with the reason, their text for moderators and their author alone"""
    require_scope(Scope.READ)
    subject = readable_subject(subject_type, subject_id)
    stamps = fragments.tokens(*stamps_of(subject))  # before the rows: never older
    page = read_cursor(args.get("cursor"))
    wanted = queries.parse_filter(
        {
            "order": args.get("order"),
            "tendency": str(args["tendency"]) if args.get("tendency") else None,
            "paragraph": str(args["paragraph"]) if args.get("paragraph") else None,
            "page": str(page),
        }
    )
    etag(*stamps.values, subject.state, repr(wanted))
    view = queries.thread_page(subject, actor(), wanted, **thread_settings())
    return {
        "items": [_thread_comment(v) for v in _flat(view.comments)],
        "next": next_cursor(page, view.has_more),
    }
