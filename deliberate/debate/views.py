"""Debate pages: a thread, posting and replying with preview, permalinks, edits, moderation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from deliberate.auth import actor, get_or_404, member_rate_key, require
from deliberate.debate import limits, queries, services
from deliberate.debate.forms import CommentForm, HideForm
from deliberate.debate.models import Comment
from deliberate.debate.panels import (
    readable_subject,
    subject_url,
    subtree_context,
    thread_context,
    thread_settings,
)
from deliberate.debate.permissions import (
    can_delete,
    can_edit,
    can_moderate,
    can_read_history,
)
from deliberate.errors import ValidationError
from deliberate.extensions import limiter
from deliberate.forms import ActionForm, Outcome, Page, perform, submit
from deliberate.redirects import same_site_path
from deliberate.subjects import Subject

bp = Blueprint("debate", __name__)


# One budget per member for comments, replies and edits together (deliberate/debate/limits.py).
posting_limit = limits.posting_limit(303)


def _comment(comment_id: int) -> tuple[Comment, Subject]:
    comment = get_or_404(Comment, comment_id, "That comment")
    return comment, readable_subject(comment.subject_type, comment.subject_id)


def _no_replies(parent: Comment) -> str | None:
    if parent.is_deleted:
        return "That comment was deleted by its author; it takes no replies."
    if parent.is_hidden:
        return "That comment was hidden by a convener; it takes no replies."
    return None


def _permalink_url(comment: Comment) -> str:
    return url_for("debate.permalink", comment_id=comment.id)


def _page(subject: Subject, heading: str, **context: object) -> dict[str, Any]:
    return {
        "subject": subject,
        "subject_url": subject_url(subject),
        "heading": heading,
        "back": _reading_page(),
        **context,
    }


def _reading_page() -> str:
    """The path of the page the member was reading before this form: the form's `next` once
    posted, else the referring page when it is on this site; empty when unknown."""
    if request.method == "POST":
        return same_site_path(request.form.get("next"), "")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or referrer.path == request.path:
        return ""
    return same_site_path(referrer.path + (f"?{referrer.query}" if referrer.query else ""), "")


def _preview(form: CommentForm) -> str:
    _markdown, html = services.clean_body(form.body.data, current_app.config["COMMENT_MAX_LENGTH"])
    return html


def _back_to_reading(comment: Comment) -> str:
    """The page the member was reading when they wrote (the form's `next`, a path on this
    site), at the new comment; the comment's permalink when there is none."""
    back = same_site_path(request.form.get("next"), "").split("#")[0]
    return f"{back}#c{comment.id}" if back else _permalink_url(comment)


def _write(
    page: dict[str, Any],
    form: CommentForm,
    action: str,
    write: Callable[[], Comment],
    done: str,
) -> Page:
    """The common flow of posting, replying and editing: show the form, preview it, or write
    and go back to the page the member was reading, at the comment. A refusal is shown on the
    form, keeping what the member wrote."""
    return submit(
        form,
        write,
        success_message=done,
        redirect_to=_back_to_reading,
        render=lambda shown: render_template(
            "debate/compose.html", form=form, action=action, preview=shown.preview, **page
        ),
        error_field=form.body,
        preview=(lambda: _preview(form)) if form.wants_preview else None,
    )


@bp.get("/debate/<subject_type>/<int:subject_id>")
@login_required
def thread(subject_type: str, subject_id: int) -> str:
    subject = readable_subject(subject_type, subject_id)
    return render_template(
        "debate/thread.html",
        subject=subject,
        subject_url=subject_url(subject),
        **thread_context(subject, request.args, heading="All comments"),
    )


@bp.route("/debate/<subject_type>/<int:subject_id>/comments/new", methods=["GET", "POST"])
@login_required
@posting_limit
def create(subject_type: str, subject_id: int) -> Page:
    subject = readable_subject(subject_type, subject_id)
    form = CommentForm()
    if request.method == "GET":
        form.paragraph.data = queries.parse_filter(request.args).paragraph
    return _write(
        _page(subject, "New comment", refusal=subject.closed_reason),
        form,
        url_for("debate.create", subject_type=subject.type.value, subject_id=subject.id),
        lambda: services.post_comment(
            actor(),
            subject,
            form.body.data,
            paragraph=form.paragraph.data,
            max_length=current_app.config["COMMENT_MAX_LENGTH"],
        ),
        "Your comment is posted.",
    )


@bp.route("/comments/<int:comment_id>/reply", methods=["GET", "POST"])
@login_required
@posting_limit
def reply(comment_id: int) -> Page:
    parent, subject = _comment(comment_id)
    form = CommentForm()
    page = _page(
        subject,
        "Reply",
        parent=queries.comment_detail(parent.id),
        refusal=_no_replies(parent) or subject.closed_reason,
    )
    return _write(
        page,
        form,
        url_for("debate.reply", comment_id=parent.id),
        lambda: services.post_comment(
            actor(),
            subject,
            form.body.data,
            parent=parent,
            paragraph=form.paragraph.data,
            max_length=current_app.config["COMMENT_MAX_LENGTH"],
        ),
        "Your reply is posted.",
    )


@bp.post("/debate/preview")
@login_required
@limiter.limit(
    lambda: current_app.config["PREVIEW_LIMIT_PER_MEMBER"],
    key_func=member_rate_key,
    error_message="Previews are coming too fast. Wait a minute and try again.",
)
def preview() -> tuple[str, int]:
    """The sanitized HTML of a comment's Markdown, for the live preview (a fragment)."""
    form = CommentForm()
    if not form.validate():
        message = "; ".join(e for errors in form.errors.values() for e in errors)
        return render_template("debate/_preview.html", error=message), 400
    try:
        html = _preview(form)
    except ValidationError as error:
        return render_template("debate/_preview.html", error=error.message), 400
    return render_template("debate/_preview.html", html=html), 200


@bp.get("/comments/<int:comment_id>")
@login_required
def permalink(comment_id: int) -> Response:
    """Where a comment is shown: its page of the thread, or its own subtree when deep."""
    comment, subject = _comment(comment_id)
    settings = thread_settings()
    page = queries.page_of(comment, **settings)
    if page is None:
        return redirect(
            url_for("debate.subtree", comment_id=comment.id, _anchor=f"c{comment.id}"), 302
        )
    args: dict[str, Any] = {"page": page} if page > 1 else {}
    return redirect(
        url_for(
            "debate.thread",
            subject_type=subject.type.value,
            subject_id=subject.id,
            _anchor=f"c{comment.id}",
            **args,
        ),
        302,
    )


@bp.get("/comments/<int:comment_id>/thread")
@login_required
def subtree(comment_id: int) -> str:
    comment, subject = _comment(comment_id)
    page = queries.parse_filter({"page": request.args.get("page")}).page
    view = queries.subtree_page(subject, comment, actor(), page=page, **thread_settings())
    return render_template(
        "debate/subtree.html",
        subject=subject,
        subject_url=subject_url(subject),
        comment=comment,
        **subtree_context(subject, view),
    )


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
@posting_limit
def edit(comment_id: int) -> Page:
    comment, subject = _comment(comment_id)
    require(can_edit(actor(), subject, comment), "Only its author can edit a live comment.")
    form = CommentForm(data={"body": comment.body_markdown})

    def write() -> Comment:
        max_length = current_app.config["COMMENT_MAX_LENGTH"]
        services.edit_comment(actor(), subject, comment, form.body.data, max_length=max_length)
        return comment

    return _write(
        _page(subject, "Edit your comment", editing=comment),
        form,
        url_for("debate.edit", comment_id=comment.id),
        write,
        "Your comment is updated; its earlier text stays in its history.",
    )


def _comment_page(
    template: str, form: FlaskForm, comment: Comment, subject: Subject
) -> Callable[[Outcome[None]], str]:
    """How the delete and hide pages render: the comment, the form, and a refusal if any."""
    return lambda shown: render_template(
        template,
        form=form,
        comment=queries.comment_detail(comment.id),
        subject=subject,
        subject_url=subject_url(subject),
        error=shown.error,
    )


@bp.route("/comments/<int:comment_id>/delete", methods=["GET", "POST"])
@login_required
def delete(comment_id: int) -> Page:
    comment, subject = _comment(comment_id)
    require(can_delete(actor(), comment), "Only its author can delete a comment.")
    form = ActionForm()
    return submit(
        form,
        lambda: services.delete_comment(actor(), comment),
        success_message="Your comment is deleted; replies to it stay.",
        redirect_to=_permalink_url(comment),
        render=_comment_page("debate/delete.html", form, comment, subject),
    )


@bp.route("/comments/<int:comment_id>/hide", methods=["GET", "POST"])
@login_required
def hide(comment_id: int) -> Page:
    comment, subject = _comment(comment_id)
    require(can_moderate(actor()), "Only conveners hide comments.")
    form = HideForm()
    return submit(
        form,
        lambda: services.hide_comment(actor(), comment, form.reason.data),
        success_message="The comment is hidden; the audit log records it.",
        redirect_to=_permalink_url(comment),
        render=_comment_page("debate/hide.html", form, comment, subject),
        error_field=form.reason,
    )


@bp.post("/comments/<int:comment_id>/unhide")
@login_required
def unhide(comment_id: int) -> Page:
    comment, _subject = _comment(comment_id)
    require(can_moderate(actor()), "Only conveners unhide comments.")
    return perform(
        lambda: services.unhide_comment(actor(), comment),
        success_message="The comment is shown again; the audit log records it.",
        redirect_to=_permalink_url(comment),
    )


@bp.get("/comments/<int:comment_id>/history")
@login_required
def history(comment_id: int) -> str:
    comment, subject = _comment(comment_id)
    require(
        can_read_history(actor(), comment),
        "Only conveners read the history of a deleted or hidden comment.",
    )
    return render_template(
        "debate/history.html",
        comment=queries.comment_detail(comment.id),
        revisions=queries.revisions(comment),
        subject=subject,
        subject_url=subject_url(subject),
    )
