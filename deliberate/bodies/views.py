"""Body pages: the list (conveners and admins), and for admins a body's members and history,
creating and editing, adding and removing members, importing a CSV of emails."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import login_required

from deliberate.accounts.models import Member
from deliberate.auth import actor, get_or_404, require
from deliberate.bodies import queries, services
from deliberate.bodies.forms import AddMemberForm, BodyForm, BodyImportForm
from deliberate.bodies.models import Body
from deliberate.bodies.permissions import can_manage_bodies, can_view_bodies
from deliberate.errors import DomainError
from deliberate.forms import ActionForm, Page, submit
from deliberate.routing import page_number

bp = Blueprint("bodies", __name__, url_prefix="/admin/bodies")


def _managed(body_id: int) -> Body:
    require(can_manage_bodies(actor()), "Only admins keep the bodies and their members.")
    return get_or_404(Body, body_id, "That body")


def _detail_url(body: Body) -> str:
    return url_for("bodies.detail", body_id=body.id)


def _render_detail(body: Body, add_form: AddMemberForm, error: DomainError | None = None) -> str:
    page, history_page = page_number(request.args), page_number(request.args, "history")
    members, more_members = queries.current_members(body, page=page)
    events, more_events = queries.history(body, page=history_page)
    return render_template(
        "bodies/detail.html",
        body=body,
        summary=queries.body_summary(body),
        members=members,
        more_members=more_members,
        page=page,
        events=events,
        more_events=more_events,
        history_page=history_page,
        add_form=add_form,
        error=error,
    )


@bp.get("/")
@login_required
def index() -> str:
    require(can_view_bodies(actor()), "Only conveners and admins see the bodies.")
    return render_template(
        "bodies/index.html",
        summaries=queries.body_summaries(),
        can_manage=can_manage_bodies(actor()),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create() -> Page:
    require(can_manage_bodies(actor()), "Only admins create bodies.")
    form = BodyForm()
    return submit(
        form,
        lambda: services.create_body(actor(), form.name.data, form.description.data or ""),
        success_message=lambda body: f"{body.name} is created; now add its members.",
        redirect_to=_detail_url,
        error_field=form.name,
        render=lambda _shown: render_template("bodies/create.html", form=form),
    )


@bp.get("/<int:body_id>")
@login_required
def detail(body_id: int) -> str:
    return _render_detail(_managed(body_id), AddMemberForm())


@bp.route("/<int:body_id>/edit", methods=["GET", "POST"])
@login_required
def edit(body_id: int) -> Page:
    body = _managed(body_id)
    form = BodyForm(obj=body)
    return submit(
        form,
        lambda: services.edit_body(
            actor(), body, name=form.name.data, description=form.description.data or ""
        ),
        success_message="The body is saved.",
        redirect_to=_detail_url(body),
        error_field=form.name,
        render=lambda _shown: render_template("bodies/edit.html", form=form, body=body),
    )


@bp.post("/<int:body_id>/members")
@login_required
def add_member(body_id: int) -> Page:
    body = _managed(body_id)
    form = AddMemberForm()
    return submit(
        form,
        lambda: services.add_member_by_email(actor(), body, form.email.data).member,
        success_message=lambda member: f"{member.display_name} is now a member of {body.name}.",
        redirect_to=_detail_url(body),
        error_field=form.email,
        render=lambda _shown: _render_detail(body, form),
    )


@bp.post("/<int:body_id>/members/<int:member_id>/remove")
@login_required
def remove_member(body_id: int, member_id: int) -> Page:
    body = _managed(body_id)
    member = get_or_404(Member, member_id, "That member")
    return submit(
        ActionForm(),
        lambda: services.remove_member(actor(), body, member),
        success_message=f"{member.display_name} is no longer a member of {body.name}.",
        redirect_to=_detail_url(body),
        render=lambda shown: _render_detail(body, AddMemberForm(formdata=None), shown.error),
    )


@bp.route("/<int:body_id>/import", methods=["GET", "POST"])
@login_required
def import_members(body_id: int) -> Page:
    body = _managed(body_id)
    form = BodyImportForm()
    return submit(
        form,
        lambda: services.import_members(
            actor(), body, form.file.data.read(), max_rows=current_app.config["MAX_IMPORT_ROWS"]
        ),
        success_message=None,
        redirect_to=None,
        error_field=form.file,
        render=lambda shown: render_template(
            "bodies/import.html", form=form, body=body, results=shown.result
        ),
    )
