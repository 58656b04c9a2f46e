"""Forms for comments and moderation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import NumberRange, Optional

from deliberate.forms import no_control_characters


class CommentForm(FlaskForm):
    """A comment or reply; its length and emptiness are checked by the service, which says
    exactly what is wrong."""

    body = TextAreaField("Your comment (Markdown)", validators=[no_control_characters])
    paragraph = IntegerField(
        "About paragraph",
        validators=[Optional(), NumberRange(min=1, message="Choose an existing paragraph.")],
    )
    preview = SubmitField("Preview")
    post = SubmitField("Post")

    @property
    def wants_preview(self) -> bool:
        return bool(self.preview.data)


class HideForm(FlaskForm):
    reason = StringField(
        "Reason (members see it in place of the comment)", validators=[no_control_characters]
    )
