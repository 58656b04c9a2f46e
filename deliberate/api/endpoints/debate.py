"""Comments on any debate subject (a draft, an amendment, a paper, a vote, a record), posted
as the thread's page posts them."""

from __future__ import annotations

from typing import Any

from flask import current_app

from deliberate.api import schemas
from deliberate.api.http import bp, require_scope
from deliberate.api.models import Scope
from deliberate.auth import get_or_404, member_rate_key
from deliberate.debate import services
from deliberate.debate.models import Comment
from deliberate.debate.panels import readable_subject
from deliberate.extensions import db, limiter

# The pages' budget for posting (scope "posting"): the same key and scope, so a member's
# comments through the API and through the pages draw on one budget.
posting_limit = limiter.shared_limit(
    lambda: current_app.config["COMMENT_LIMIT_PER_MEMBER"],
    scope="posting",
    key_func=member_rate_key,
    methods=["POST"],
    deduct_when=lambda response: response.status_code == 201,
    error_message="You are posting faster than this site allows. Wait a minute and try again.",
)


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
