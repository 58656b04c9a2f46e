"""The form that registers a webhook endpoint."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from deliberate.forms import choices, no_control_characters
from deliberate.webhooks.models import WebhookEvent


class EndpointForm(FlaskForm):
    url = StringField(
        "Address (https://…)",
        validators=[DataRequired(), Length(max=500), no_control_characters],
    )
    description = StringField(
        "What receives it (optional)", validators=[Length(max=120), no_control_characters]
    )
    events = SelectMultipleField(
        "Events",
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        # The service says which events exist; a forged one comes back with its message.
        validate_choice=False,
        choices=choices((event.value, event.label) for event in WebhookEvent),
    )
