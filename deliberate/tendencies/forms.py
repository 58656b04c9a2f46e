"""Forms for tendencies."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from deliberate.forms import choices, no_control_characters


class TendencyForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120), no_control_characters])
    line = TextAreaField(
        "Political line (Markdown)", validators=[DataRequired(), Length(max=20_000)]
    )
    # Emails, not a list to pick from: a list of every member would grow with the membership.
    coordinator_emails = TextAreaField(
        "First coordinators: their emails, one a line",
        validators=[DataRequired(), Length(max=3_000), no_control_characters],
    )


class LineForm(FlaskForm):
    line = TextAreaField(
        "Political line (Markdown)",
        validators=[DataRequired(), Length(max=20_000), no_control_characters],
    )


class JoinForm(FlaskForm):
    message = TextAreaField(
        "A word to the coordinators (optional)",
        validators=[Optional(), Length(max=500), no_control_characters],
    )


class MembershipRoleForm(FlaskForm):
    """A coordinator's button beside a member: the page fills in the role it gives."""

    role = SelectField(
        "Role",
        choices=choices([("member", "member"), ("coordinator", "coordinator")]),
        widget=HiddenInput(),
    )
