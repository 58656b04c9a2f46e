"""Tendency pages: list, register, detail, join requests, membership management."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import login_required

from deliberate.accounts.services import active_members_named
from deliberate.auth import actor, get_or_404, require
from deliberate.errors import NotFound
from deliberate.forms import Page, perform, submit
from deliberate.tendencies import pages, queries, services
from deliberate.tendencies.forms import JoinForm, LineForm, MembershipRoleForm, TendencyForm
from deliberate.tendencies.models import JoinRequest, Tendency, TendencyMembership
from deliberate.tendencies.permissions import can_coordinate, can_register_tendency

bp = Blueprint("tendencies", __name__, url_prefix="/tendencies")
MOST_FIRST_COORDINATORS = 20


def _detail_url(tendency: Tendency) -> str:
    return url_for("tendencies.detail", tendency_id=tendency.id)


def _membership_of(tendency: Tendency, membership_id: int) -> TendencyMembership:
    membership = get_or_404(TendencyMembership, membership_id, "That membership")
    if membership.tendency_id != tendency.id:
        raise NotFound("That membership does not belong to this tendency.")
    return membership


def _request_of(tendency: Tendency, request_id: int) -> JoinRequest:
    join_request = get_or_404(JoinRequest, request_id, "That request")
    if join_request.tendency_id != tendency.id:
        raise NotFound("That request does not belong to this tendency.")
    return join_request


@bp.get("/")
@login_required
def index() -> str:
    return render_template(
        "tendencies/index.html",
        summaries=queries.tendency_summaries(),
        can_register=can_register_tendency(actor()),
        mine=queries.current_membership(actor()),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create() -> Page:
    require(can_register_tendency(actor()), "Only conveners and admins register tendencies.")
    form = TendencyForm()
    return submit(
        form,
        lambda: services.register_tendency(
            actor(),
            form.name.data,
            form.line.data,
            active_members_named(form.coordinator_emails.data, most=MOST_FIRST_COORDINATORS),
        ),
        success_message=lambda tendency: f"{tendency.name} is registered.",
        redirect_to=_detail_url,
        render=lambda shown: render_template(
            "tendencies/create.html", form=form, error=shown.error
        ),
    )


@bp.get("/<int:tendency_id>")
@login_required
def detail(tendency_id: int) -> str:
    stamps = pages.detail_stamps()  # before the rows: what is kept was read after its tokens
    tendency = get_or_404(Tendency, tendency_id, "That tendency")
    return render_template(
        "tendencies/detail.html", **pages.detail_context(tendency, actor(), request.args, stamps)
    )


@bp.route("/<int:tendency_id>/edit", methods=["GET", "POST"])
@login_required
def edit(tendency_id: int) -> Page:
    tendency = get_or_404(Tendency, tendency_id, "That tendency")
    require(can_coordinate(actor(), tendency), "Only the tendency's coordinators edit its line.")
    form = LineForm(line=tendency.line_markdown)
    return submit(
        form,
        lambda: services.edit_line(actor(), tendency, form.line.data),
        success_message="The line is updated.",
        redirect_to=_detail_url(tendency),
        render=lambda _shown: render_template("tendencies/edit.html", form=form, tendency=tendency),
        error_field=form.line,
    )


@bp.post("/<int:tendency_id>/join")
@login_required
def join(tendency_id: int) -> Page:
    tendency = get_or_404(Tendency, tendency_id, "That tendency")
    form = JoinForm()
    return perform(
        lambda: services.request_to_join(actor(), tendency, form.message.data or ""),
        form=form,
        refuse=lambda: render_template(
            "tendencies/detail.html",
            **pages.detail_context(tendency, actor(), {}, pages.detail_stamps(), join_form=form),
        ),
        success_message=f"Your request to join {tendency.name} is sent to its coordinators.",
        redirect_to=_detail_url(tendency),
    )


@bp.post("/<int:tendency_id>/requests/<int:request_id>/<any(approve, decline, withdraw):verb>")
@login_required
def decide(tendency_id: int, request_id: int, verb: str) -> Page:
    tendency = get_or_404(Tendency, tendency_id, "That tendency")
    join_request = _request_of(tendency, request_id)
    action, message = {
        "approve": (services.approve_join_request, "Request approved."),
        "decline": (services.decline_join_request, "Request declined."),
        "withdraw": (services.withdraw_join_request, "Request withdrawn."),
    }[verb]
    return perform(
        lambda: action(actor(), join_request),
        success_message=message,
        redirect_to=_detail_url(tendency),
    )


@bp.post("/<int:tendency_id>/leave")
@login_required
def leave(tendency_id: int) -> Page:
    tendency = get_or_404(Tendency, tendency_id, "That tendency")
    mine = queries.current_membership(actor())
    require(mine is not None and mine.tendency_id == tendency.id, "You are not in this tendency.")
    return perform(
        lambda: services.leave_tendency(actor()),
        success_message=f"You have left {tendency.name}.",
        redirect_to=_detail_url(tendency),
    )


@bp.post("/<int:tendency_id>/members/<int:membership_id>/remove")
@login_required
def remove(tendency_id: int, membership_id: int) -> Page:
    tendency = get_or_404(Tendency, tendency_id, "That tendency")
    membership = _membership_of(tendency, membership_id)
    return perform(
        lambda: services.remove_member(actor(), membership),
        success_message="The member is removed from the tendency.",
        redirect_to=_detail_url(tendency),
    )


@bp.post("/<int:tendency_id>/members/<int:membership_id>/role")
@login_required
def set_role(tendency_id: int, membership_id: int) -> Page:
    tendency = get_or_404(Tendency, tendency_id, "That tendency")
    membership = _membership_of(tendency, membership_id)
    form = MembershipRoleForm()
    return perform(
        lambda: services.set_membership_role(actor(), membership, form.role.data),
        form=form,
        success_message=lambda _: f"The member is now a {form.role.data}.",
        redirect_to=_detail_url(tendency),
    )
