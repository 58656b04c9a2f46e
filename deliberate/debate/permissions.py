"""Who may do what in a debate."""

from __future__ import annotations

from deliberate.accounts.models import Member
from deliberate.debate.models import Comment
from deliberate.subjects import Subject


def can_read(actor: Member, subject: Subject) -> bool:
    """Active members read the thread of any subject they may see."""
    return actor.is_active and subject.can_view(actor)


def can_post(actor: Member, subject: Subject) -> bool:
    """Active members post while the subject is open for debate."""
    return can_read(actor, subject) and subject.is_open


def can_moderate(actor: Member) -> bool:
    """Conveners (and admins) hide and unhide comments."""
    return actor.is_active and actor.is_convener


def is_author(actor: Member, comment: Comment) -> bool:
    return comment.author_id == actor.id


def can_edit(actor: Member, subject: Subject, comment: Comment) -> bool:
    """Authors edit their own live comments while the subject is open."""
    return (
        is_author(actor, comment)
        and actor.is_active
        and not comment.is_deleted
        and not comment.is_hidden
        and subject.is_open
    )


def can_delete(actor: Member, comment: Comment) -> bool:
    return is_author(actor, comment) and actor.is_active and not comment.is_deleted


def can_read_history(actor: Member, comment: Comment) -> bool:
    """Anyone who reads the thread sees an edit history, unless the comment was deleted or
    hidden: then only conveners (and a hidden comment's author) do."""
    if comment.is_deleted:
        return can_moderate(actor)
    if comment.is_hidden:
        return can_moderate(actor) or is_author(actor, comment)
    return True
