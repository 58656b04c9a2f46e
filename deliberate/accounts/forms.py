"""Forms for login, invitations, imports, passwords and member administration."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from deliberate.accounts.models import MemberRole
from deliberate.forms import choices, no_control_characters
from deliberate.timezones import zone_names


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField("Keep me logged in on this device")


class InviteForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])
    display_name = StringField(
        "Name (optional; they can change it)",
        validators=[Optional(), Length(max=80), no_control_characters],
    )
    tendency_id = SelectField("Tendency", coerce=int, default=0)


class ImportForm(FlaskForm):
    file = FileField("CSV file (name,email[,tendency])", validators=[FileRequired()])


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(max=1024)])
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )


class AcceptInvitationForm(SetPasswordForm):
    display_name = StringField(
        "Your name as members will see it",
        validators=[DataRequired(), Length(max=80), no_control_characters],
    )


class DisplayNameForm(FlaskForm):
    display_name = StringField(
        "Your name as members see it",
        validators=[DataRequired(), Length(max=80), no_control_characters],
    )


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=1024)])


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=choices((r.value, r.value) for r in MemberRole))


class SuspendForm(FlaskForm):
    reason = StringField(
        "Reason", validators=[DataRequired(), Length(max=300), no_control_characters]
    )


class TimeZoneForm(FlaskForm):
    # Choices are set by the view (the organization's zone names the first); the service
    # checks the name, so a forged one is refused beside the field.
    time_zone = SelectField("Your time zone", validate_choice=False)

    def set_zones(self, organization_zone: str) -> None:
        self.time_zone.choices = choices(
            [("", f"The organization's ({organization_zone})"), *((z, z) for z in zone_names())]
        )


class OrganizationZoneForm(FlaskForm):
    time_zone = SelectField(
        "The organization's time zone", validate_choice=False, choices=[], default="UTC"
    )

    def set_zones(self) -> None:
        self.time_zone.choices = choices((z, z) for z in zone_names())
