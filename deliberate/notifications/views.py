"""The notifications page, mail settings, one-click unsubscribe, and the admins' mail page."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import login_required

from deliberate.accounts.permissions import can_manage_members
from deliberate.auth import actor, require
from deliberate.extensions import csrf, db
from deliberate.forms import ActionForm, Page, perform, submit
from deliberate.notifications import bounces, mail, queries, services
from deliberate.notifications.categories import CATEGORIES
from deliberate.notifications.forms import SettingsForm
from deliberate.routing import page_number

bp = Blueprint("notifications", __name__)

PAGE_SIZE = 30


@bp.get("/notifications/")
@login_required
def index() -> str:
    page = page_number(request.args)
    shown, total, unread = queries.notifications_page(actor(), page, PAGE_SIZE)
    with_links = [(item, mail.describe(item.kind, item.payload)) for item in shown]
    return render_template(
        "notifications/index.html",
        items=with_links,
        page=page,
        has_more=page * PAGE_SIZE < total,
        unread=unread,
        form=ActionForm(),
    )


@bp.post("/notifications/read")
@login_required
def read_all() -> Page:
    return perform(
        lambda: services.mark_read(actor()),
        success_message="Every notification is marked read.",
        redirect_to=url_for("notifications.index"),
    )


@bp.post("/notifications/<int:delivery_id>/read")
@login_required
def read(delivery_id: int) -> Page:
    return perform(
        lambda: services.mark_read(actor(), delivery_id),
        success_message=None,
        redirect_to=url_for("notifications.index"),
    )


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings() -> Page:
    form = SettingsForm(data={k: v.value for k, v in queries.settings_of(actor()).items()})
    return submit(
        form,
        lambda: services.save_settings(actor(), form.chosen()),
        success_message="Your mail settings are saved.",
        redirect_to=url_for("notifications.settings"),
        render=lambda _shown: render_template(
            "notifications/settings.html",
            form=form,
            categories=CATEGORIES,
            stop=bounces.stopped(actor()),
            resume_form=ActionForm(),
        ),
    )


@bp.post("/notifications/settings/resume-mail")
@login_required
def resume_mail() -> Page:
    return perform(
        lambda: services.resume_mail(actor()),
        success_message="Mail to your address is sent again.",
        redirect_to=url_for("notifications.settings"),
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client posts with no session; the signed token is the key
def unsubscribe(token: str) -> Page:
    try:
        member_id, category = mail.read_unsubscribe_token(token)
    except mail.BadUnsubscribeToken as error:
        return render_template("notifications/unsubscribe.html", error=error.message), 400
    what = CATEGORIES[category].label.lower() if category in CATEGORIES else "your daily digest"
    if request.method == "GET":
        return render_template("notifications/unsubscribe.html", what=what, done=False)
    member = services.unsubscribe(member_id, category)
    if member is None:
        return render_template("notifications/unsubscribe.html", error="No such member."), 400
    db.session.commit()
    return render_template("notifications/unsubscribe.html", what=what, done=True)


@bp.get("/admin/mail/")
@login_required
def letterbox() -> str:
    require(can_manage_members(actor()), "Only admins read the mail sent.")
    page = page_number(request.args)
    folder = mail.letterbox_dir()
    files = sorted(folder.glob("*.eml"), reverse=True) if folder.is_dir() else []
    shown = files[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return render_template(
        "notifications/letterbox.html",
        letters=[_read(path.read_bytes()) for path in shown],
        page=page,
        has_more=page * PAGE_SIZE < len(files),
        total=len(files),
        failed=queries.failed_mail(),
        stopped=queries.stopped_mail(),
        server=current_app.config.get("MAIL_SERVER"),
    )


def _read(raw: bytes) -> dict[str, str]:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    text = ""
    if isinstance(message, EmailMessage):
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
    return {
        "subject": str(message.get("Subject", "")),
        "to": str(message.get("To", "")),
        "date": str(message.get("Date", "")),
        "message_id": str(message.get("Message-ID", "")),
        "unsubscribe": str(message.get("List-Unsubscribe", "")),
        "text": text,
    }
