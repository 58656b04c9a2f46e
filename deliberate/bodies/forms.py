"""Forms for bodies: create or edit one, add a member by email, import a CSV."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from deliberate.bodies.services import MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH
from deliberate.forms import no_control_characters


class BodyForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=MAX_NAME_LENGTH), no_control_characters]
    )
    description = TextAreaField(
        "Description (optional): who sits in it, since when, by what mandate",
        validators=[Optional(), Length(max=MAX_DESCRIPTION_LENGTH), no_control_characters],
    )


class AddMemberForm(FlaskForm):
    email = EmailField("Member's email", validators=[DataRequired(), Length(max=320)])


class BodyImportForm(FlaskForm):
    file = FileField("CSV file (email[,name])", validators=[FileRequired()])
