"""Forms for position papers."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField

from deliberate.forms import no_control_characters


class PaperForm(FlaskForm):
    """A paper's title and text; the service checks emptiness and length with clear messages."""

    title = StringField("Title", validators=[no_control_characters])
    body = TextAreaField("Text (Markdown)", validators=[no_control_characters])
    preview = SubmitField("Preview")
    save = SubmitField("Save")

    @property
    def wants_preview(self) -> bool:
        return bool(self.preview.data)
