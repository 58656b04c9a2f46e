"""Login, invitations, passwords, the member directory and member administration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from deliberate.accounts import queries, services
from deliberate.accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    DisplayNameForm,
    ImportForm,
    InviteForm,
    LoginForm,
    OrganizationZoneForm,
    RoleForm,
    SetPasswordForm,
    SuspendForm,
    TimeZoneForm,
)
from deliberate.accounts.models import Invitation, Member
from deliberate.accounts.permissions import can_manage_members
from deliberate.auth import actor, get_or_404, member_rate_key, require
from deliberate.database import utcnow
from deliberate.extensions import db, limiter
from deliberate.filters import organization_zone_name
from deliberate.forms import ActionForm, Outcome, Page, choices, perform, submit
from deliberate.redirects import same_site_path
from deliberate.routing import page_number, search_text
from deliberate.tendencies.models import Tendency
from deliberate.tendencies.queries import membership_history, tendency_names

bp = Blueprint("accounts", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")


def login_account_key() -> str:
    """Rate-limit key for the account a login form names: the address as the lookup normalizes
    it, so that every spelling of one account shares one limit."""
    raw = request.form.get("email") or ""
    identity = services.login_identity(raw) or "not-an-address:" + raw.strip().lower()[:320]
    return "account:" + identity


def login_failure_address_key() -> str:
    """Rate-limit key for the failed logins of one address (apart from all its logins)."""
    return f"login-failures:{request.remote_addr}"


def _failed(response: Response) -> bool:
    return response.status_code != 303


# A hall behind one NAT address logs in from one address: every attempt from an address
# counts against a generous budget, failures against a smaller one, and each account's
# failures against a strict one, which is what stops a guesser.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    error_message="Too many login attempts from your address. Wait a minute and try again.",
)
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURE_LIMIT_PER_ADDRESS"],
    key_func=login_failure_address_key,
    methods=["POST"],
    deduct_when=_failed,
    error_message="Too many failed logins from your address. Wait a minute and try again.",
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=login_account_key,
    methods=["POST"],
    deduct_when=_failed,
    error_message="Too many failed logins for this account. Wait a minute and try again.",
)
def login() -> Response | str | tuple[str, int]:
    form = LoginForm()
    if form.validate_on_submit():
        member = services.authenticate(form.email.data, form.password.data)
        if member is not None and member.is_active:
            db.session.commit()  # a password rehashed with the current parameters
            login_user(member, remember=form.remember.data)
            return redirect(same_site_path(request.args.get("next"), url_for("main.index")), 303)
        message = (
            "This account is suspended. Contact an admin."
            if member is not None
            else "The email or password is not correct."
        )
        form.password.errors = [message]
        return render_template("accounts/login.html", form=form), 401
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout() -> Page:
    return perform(
        lambda: services.log_out(actor()) if current_user.is_authenticated else None,
        after_commit=lambda _: logout_user(),
        success_message="You are logged out, here and on your other devices.",
        redirect_to=url_for("accounts.login"),
    )


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["TOKEN_LIMIT_PER_ADDRESS"], methods=["POST"])
def accept_invitation(token: str) -> Page:
    invitation = services.get_invitation_by_token(token)
    form = AcceptInvitationForm()
    if invitation is not None and not form.is_submitted():
        form.display_name.data = invitation.display_name
    expired = invitation is not None and not invitation.is_usable(utcnow())
    return submit(
        form,
        lambda: services.accept_invitation(
            token,
            form.display_name.data,
            form.password.data,
            min_password_length=current_app.config["MIN_PASSWORD_LENGTH"],
        ),
        success_message=lambda member: f"Welcome, {member.display_name}.",
        redirect_to=url_for("main.index"),
        render=lambda _shown: render_template(
            "accounts/accept.html", form=form, invitation=invitation, expired=expired
        ),
        error_field=form.password,
        refusal_status=400,  # whatever refuses it, the link the visitor brought is what is wrong
        after_commit=login_user,
    )


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["TOKEN_LIMIT_PER_ADDRESS"], methods=["POST"])
def reset_password(token: str) -> Page:
    form = SetPasswordForm()
    reset = services.get_password_reset_by_token(token)
    return submit(
        form,
        lambda: services.reset_password(
            token, form.password.data, min_password_length=current_app.config["MIN_PASSWORD_LENGTH"]
        ),
        success_message="Your password is set. Log in with it.",
        redirect_to=url_for("accounts.login"),
        render=lambda _shown: render_template("accounts/reset.html", form=form, reset=reset),
        error_field=form.password,
        refusal_status=400,  # as for invitations: the link is what is wrong
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Page:
    form = ChangePasswordForm()
    return submit(
        form,
        lambda: services.change_password(
            actor(),
            form.current.data,
            form.password.data,
            min_password_length=current_app.config["MIN_PASSWORD_LENGTH"],
        ),
        success_message="Your password is changed; your other sessions are logged out.",
        redirect_to=url_for("accounts.profile", member_id=actor().id),
        render=lambda _shown: render_template("accounts/password.html", form=form),
        error_field=form.password,
        after_commit=lambda _: login_user(actor()),  # the session token rotated; keep this session
    )


@bp.route("/account/name", methods=["GET", "POST"])
@login_required
def rename() -> Page:
    form = DisplayNameForm(display_name=actor().display_name)
    return submit(
        form,
        lambda: services.rename_member(actor(), form.display_name.data),
        success_message="Your name is changed.",
        redirect_to=url_for("accounts.profile", member_id=actor().id),
        render=lambda _shown: render_template("accounts/rename.html", form=form),
        error_field=form.display_name,
    )


@bp.route("/account/time-zone", methods=["GET", "POST"])
@login_required
def time_zone() -> Page:
    form = TimeZoneForm(time_zone=actor().time_zone)
    form.set_zones(organization_zone_name())
    return submit(
        form,
        lambda: services.set_time_zone(actor(), form.time_zone.data or ""),
        success_message=lambda name: f"Times are now shown in {name or 'the organization’s zone'}.",
        redirect_to=url_for("accounts.profile", member_id=actor().id),
        render=lambda _shown: render_template(
            "accounts/time_zone.html", form=form, organization_zone=organization_zone_name()
        ),
        error_field=form.time_zone,
    )


@bp.get("/members/")
@login_required
@limiter.limit(
    lambda: current_app.config["DIRECTORY_SEARCH_LIMIT_PER_MEMBER"],
    key_func=member_rate_key,
    exempt_when=lambda: not request.args.get("q", "").strip(),
    error_message="You are searching faster than this site allows. Wait a minute and try again.",
)
def directory() -> str:
    page = page_number(request.args)
    search = search_text(request.args)
    rows, has_more = queries.member_directory(
        search, page=page, search_emails=can_manage_members(actor())
    )
    return render_template(
        "accounts/directory.html", rows=rows, has_more=has_more, page=page, q=search
    )


@bp.get("/members/<int:member_id>")
@login_required
def profile(member_id: int) -> str:
    return _profile_page(get_or_404(Member, member_id, "That member"))


def _profile_page(member: Member, **posted: FlaskForm) -> str:
    """A member's page; after a refused administration form, that form as posted, with its
    input and the refusal beside the field."""
    history = membership_history(member)
    current = next((m for m in history if m.left_at is None), None)
    forms = {
        "role_form": RoleForm(formdata=None, role=member.role),
        "suspend_form": SuspendForm(formdata=None),
        **posted,
    }
    return render_template(
        "accounts/profile.html",
        member=member,
        history=history,
        current=current,
        action_form=ActionForm(),
        can_manage=can_manage_members(actor()),
        **forms,
    )


# --- administration ------------------------------------------------------------------------


@admin_bp.get("/members")
@login_required
def members() -> str:
    require(can_manage_members(actor()), "Only admins manage members.")
    page = page_number(request.args)
    search = search_text(request.args)
    rows, has_more = queries.member_directory(
        search, page=page, include_suspended=True, search_emails=True
    )
    return render_template(
        "accounts/admin_members.html",
        rows=rows,
        has_more=has_more,
        page=page,
        q=search,
        invitations=queries.open_invitations(),
    )


@admin_bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> Page:
    require(can_manage_members(actor()), "Only admins change the organization's settings.")
    form = OrganizationZoneForm(time_zone=organization_zone_name())
    form.set_zones()
    return submit(
        form,
        lambda: services.set_organization_time_zone(actor(), form.time_zone.data or ""),
        success_message=lambda name: f"The organization's times are now shown in {name}.",
        redirect_to=url_for("admin.settings"),
        render=lambda _shown: render_template("accounts/settings.html", form=form),
        error_field=form.time_zone,
    )


def _invite_form(**kwargs: Any) -> InviteForm:
    form = InviteForm(**kwargs)
    form.tendency_id.choices = choices([(0, "— none —"), *tendency_names()])
    return form


def _invite_page(form: InviteForm) -> Callable[[Outcome[tuple[Invitation, str]]], str]:
    """How the invitation page renders: the form, or once sent, its link and an empty form."""

    def render(shown: Outcome[tuple[Invitation, str]]) -> str:
        if shown.result is None:
            return render_template("accounts/invite.html", form=form, link=None)
        _invitation, token = shown.result
        link = url_for("accounts.accept_invitation", token=token, _external=True)
        return render_template("accounts/invite.html", form=_invite_form(formdata=None), link=link)

    return render


@admin_bp.route("/invitations/new", methods=["GET", "POST"])
@login_required
def invite() -> Page:
    require(can_manage_members(actor()), "Only admins invite members.")
    form = _invite_form()
    return submit(
        form,
        lambda: services.invite_member(
            actor(),
            form.email.data,
            form.display_name.data or "",
            get_or_404(Tendency, form.tendency_id.data, "That tendency")
            if form.tendency_id.data
            else None,
            valid_for=current_app.config["INVITATION_VALID_FOR"],
        ),
        success_message=lambda sent: (
            f"Invitation sent by email to {sent[0].email}. The link below works too."
        ),
        redirect_to=None,
        render=_invite_page(form),
        error_field=form.email,
    )


@admin_bp.route("/invitations/import", methods=["GET", "POST"])
@login_required
def import_members() -> Page:
    require(can_manage_members(actor()), "Only admins import members.")
    form = ImportForm()
    return submit(
        form,
        lambda: services.import_invitations(
            actor(),
            form.file.data.read(),
            valid_for=current_app.config["INVITATION_VALID_FOR"],
            max_rows=current_app.config["MAX_IMPORT_ROWS"],
        ),
        success_message=None,
        redirect_to=None,
        render=lambda shown: render_template(
            "accounts/import.html", form=form, results=shown.result
        ),
        error_field=form.file,
    )


def _managed_member(member_id: int) -> Member:
    require(can_manage_members(actor()), "Only admins manage members.")
    return get_or_404(Member, member_id, "That member")


def _profile_url(member: Member) -> str:
    return url_for("accounts.profile", member_id=member.id)


@admin_bp.post("/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(invitation_id: int) -> Page:
    require(can_manage_members(actor()), "Only admins withdraw invitations.")
    invitation = get_or_404(Invitation, invitation_id, "That invitation")
    return perform(
        lambda: services.revoke_invitation(actor(), invitation),
        success_message=(
            f"The invitation of {invitation.email} is withdrawn; its link no longer works."
        ),
        redirect_to=url_for("admin.members"),
    )


@admin_bp.post("/members/<int:member_id>/role")
@login_required
def change_role(member_id: int) -> Page:
    member = _managed_member(member_id)
    form = RoleForm()
    return perform(
        lambda: services.change_role(actor(), member, form.role.data),
        form=form,
        refuse=lambda: _profile_page(member, role_form=form),
        success_message=lambda _: f"{member.display_name} is now {member.role}.",
        redirect_to=_profile_url(member),
    )


@admin_bp.post("/members/<int:member_id>/suspend")
@login_required
def suspend(member_id: int) -> Page:
    member = _managed_member(member_id)
    form = SuspendForm()
    return perform(
        lambda: services.suspend_member(actor(), member, form.reason.data),
        form=form,
        refuse=lambda: _profile_page(member, suspend_form=form),
        success_message=f"{member.display_name} is suspended; their sessions have ended.",
        redirect_to=_profile_url(member),
    )


@admin_bp.post("/members/<int:member_id>/reactivate")
@login_required
def reactivate(member_id: int) -> Page:
    member = _managed_member(member_id)
    return perform(
        lambda: services.reactivate_member(actor(), member),
        success_message=f"{member.display_name} is active again.",
        redirect_to=_profile_url(member),
    )


@admin_bp.post("/members/<int:member_id>/password-reset")
@login_required
def issue_reset(member_id: int) -> Page:
    member = _managed_member(member_id)
    return perform(
        lambda: services.issue_password_reset(
            actor(), member, valid_for=current_app.config["PASSWORD_RESET_VALID_FOR"]
        ),
        success_message=None,
        redirect_to=None,
        render=lambda issued: render_template(
            "accounts/reset_issued.html",
            member=member,
            link=url_for("accounts.reset_password", token=issued[1], _external=True),
            reset=issued[0],
        ),
    )
