"""State changes for debate: post, reply, edit, delete, hide and unhide comments."""

from __future__ import annotations

from sqlalchemy import update

from deliberate import cleaning
from deliberate.accounts.models import Member
from deliberate.audit.services import record_action
from deliberate.database import utcnow
from deliberate.debate.models import MAX_DEPTH, Comment, CommentRevision, path_segment
from deliberate.debate.permissions import can_moderate
from deliberate.errors import InvalidTransition, PermissionDenied, ValidationError
from deliberate.extensions import db
from deliberate.subjects import Subject
from deliberate.tendencies.queries import current_membership

DEFAULT_MAX_LENGTH = 10_000
MAX_REASON_LENGTH = 500


def clean_body(raw: str | None, max_length: int = DEFAULT_MAX_LENGTH) -> tuple[str, str]:
    """Validate a comment's Markdown; returns (markdown, sanitized html).

    Raises ValidationError when the text is empty, too long or renders to nothing.
    """
    return cleaning.clean_markdown(
        raw,
        max_length=max_length,
        empty="A comment cannot be empty.",
        too_long="A comment has at most {limit:,} characters; this one has {length:,}.",
    )


def _check_can_post(actor: Member, subject: Subject) -> None:
    if not actor.is_active:
        raise PermissionDenied("Suspended members cannot take part in debates.")
    if not subject.can_view(actor):
        raise PermissionDenied(f"You cannot see this {subject.label}.")
    reason = subject.closed_reason
    if reason is not None:
        raise InvalidTransition(reason)


def _check_paragraph(subject: Subject, paragraph: int | None) -> int | None:
    """The anchor's version number; ValidationError for a paragraph that does not exist."""
    if paragraph is None:
        return None
    scope = subject.paragraphs()
    if scope is None:
        raise ValidationError(f"Comments on a {subject.label} cannot point to a paragraph.")
    if not 1 <= paragraph <= scope.count:
        raise ValidationError(
            f"There is no ¶{paragraph}: version {scope.version_number} has paragraphs "
            f"¶1 to ¶{scope.count}."
            if scope.count
            else f"There is no ¶{paragraph}: version {scope.version_number} has no paragraphs."
        )
    return scope.version_number


def _check_parent(subject: Subject, parent: Comment) -> None:
    if parent.subject_type != subject.type or parent.subject_id != subject.id:
        raise ValidationError("You can only reply to a comment in the same thread.")
    if parent.is_deleted:
        raise InvalidTransition("That comment was deleted by its author; it takes no replies.")
    if parent.is_hidden:
        raise InvalidTransition("That comment was hidden by a convener; it takes no replies.")
    if parent.depth >= MAX_DEPTH:
        raise InvalidTransition(
            "This thread is nested as deep as it can go; reply to an earlier comment."
        )


def post_comment(
    actor: Member,
    subject: Subject,
    body: str,
    *,
    parent: Comment | None = None,
    paragraph: int | None = None,
    max_length: int = DEFAULT_MAX_LENGTH,
) -> Comment:
    """Post a comment on `subject`, or a reply to `parent` in the same thread.

    A top-level comment may point to a paragraph of the subject's current version; a reply
    belongs to its parent's paragraph. Refused (nothing stored) when the actor may not post,
    the subject is closed for debate, the text is empty or too long, the parent is in another
    thread or is deleted or hidden, or the paragraph does not exist.
    """
    _check_can_post(actor, subject)
    markdown, html = clean_body(body, max_length)
    if parent is not None:
        _check_parent(subject, parent)
        if paragraph is not None and paragraph != parent.paragraph:
            raise ValidationError("A reply belongs to the paragraph of the comment it answers.")
        paragraph, anchor_version = parent.paragraph, parent.anchor_version
    else:
        anchor_version = _check_paragraph(subject, paragraph)
    membership = current_membership(actor)
    comment = Comment(
        subject_type=subject.type,
        subject_id=subject.id,
        parent_id=parent.id if parent else None,
        depth=parent.depth + 1 if parent else 0,
        paragraph=paragraph,
        anchor_version=anchor_version,
        author_id=actor.id,
        author_tendency_id=membership.tendency_id if membership else None,
        body_markdown=markdown,
        body_html=html,
        created_at=utcnow(),
    )
    db.session.add(comment)
    db.session.flush()
    # The path and root need the new id, which the database assigns on insert.
    comment.path = (parent.path if parent else "") + path_segment(comment.id)
    comment.root_id = parent.root_id if parent else comment.id
    db.session.add(
        CommentRevision(
            comment_id=comment.id,
            number=1,
            body_markdown=markdown,
            body_html=html,
            created_at=comment.created_at,
        )
    )
    if parent is not None:
        db.session.execute(
            update(Comment)
            .where(Comment.id == parent.id)
            .values(reply_count=Comment.reply_count + 1)
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    return comment


def edit_comment(
    actor: Member,
    subject: Subject,
    comment: Comment,
    body: str,
    *,
    max_length: int = DEFAULT_MAX_LENGTH,
) -> CommentRevision:
    """The author replaces their comment's text; the old text stays in its history.

    Refused for anyone but the author, for deleted or hidden comments, when the subject is
    closed for debate, and when the text is unchanged, empty or too long.
    """
    if comment.author_id != actor.id or not actor.is_active:
        raise PermissionDenied("Only its author can edit a comment.")
    if comment.is_deleted:
        raise InvalidTransition("This comment was deleted; it cannot be edited.")
    if comment.is_hidden:
        raise InvalidTransition("This comment was hidden by a convener; it cannot be edited.")
    _check_can_post(actor, subject)
    markdown, html = clean_body(body, max_length)
    if markdown == comment.body_markdown:
        raise ValidationError("The text is unchanged.")
    now = utcnow()
    revision = CommentRevision(
        comment_id=comment.id,
        number=comment.revision_count + 1,
        body_markdown=markdown,
        body_html=html,
        created_at=now,
    )
    db.session.add(revision)
    comment.body_markdown = markdown
    comment.body_html = html
    comment.edited_at = now
    comment.revision_count += 1
    db.session.flush()
    return revision


def delete_comment(actor: Member, comment: Comment) -> None:
    """The author deletes their comment: it stays in place as "deleted by its author".

    Replies keep their context. The text leaves the thread; the revisions stay for the
    conveners' moderation record.
    """
    if comment.author_id != actor.id or not actor.is_active:
        raise PermissionDenied("Only its author can delete a comment.")
    if comment.is_deleted:
        raise InvalidTransition("This comment is already deleted.")
    comment.deleted_at = utcnow()
    comment.body_markdown = ""
    comment.body_html = ""
    db.session.flush()


def _clean_reason(raw: str | None) -> str:
    return cleaning.clean_line(
        raw,
        max_length=MAX_REASON_LENGTH,
        empty="Give the reason for hiding this comment; members will see it.",
        too_long="The reason has at most {limit} characters.",
    )


def hide_comment(actor: Member, comment: Comment, reason: str) -> None:
    """A convener hides a comment with a reason shown in its place; logged in the audit log."""
    if not can_moderate(actor):
        raise PermissionDenied("Only conveners hide comments.")
    reason = _clean_reason(reason)
    if comment.is_deleted:
        raise InvalidTransition("This comment was deleted by its author; there is nothing to hide.")
    if comment.is_hidden:
        raise InvalidTransition("This comment is already hidden.")
    comment.hidden_at = utcnow()
    comment.hidden_by_id = actor.id
    comment.hidden_reason = reason
    db.session.flush()
    record_action(
        actor,
        "comment.hide",
        comment,
        f"Hid comment {comment.id} on {comment.subject_type} {comment.subject_id}: {reason}",
        reason=reason,
        author_id=comment.author_id,
    )


def unhide_comment(actor: Member, comment: Comment) -> None:
    """A convener shows a hidden comment again; logged in the audit log."""
    if not can_moderate(actor):
        raise PermissionDenied("Only conveners unhide comments.")
    if not comment.is_hidden:
        raise InvalidTransition("This comment is not hidden.")
    previous_reason = comment.hidden_reason
    comment.hidden_at = None
    comment.hidden_by_id = None
    comment.hidden_reason = None
    db.session.flush()
    record_action(
        actor,
        "comment.unhide",
        comment,
        f"Unhid comment {comment.id} on {comment.subject_type} {comment.subject_id}",
        previous_reason=previous_reason,
        author_id=comment.author_id,
    )
