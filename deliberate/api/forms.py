"""The form that makes a personal access token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from deliberate.accounts.models import Member
from deliberate.api.permissions import scopes_allowed
from deliberate.api.services import LIFETIMES_DAYS
from deliberate.forms import choices, no_control_characters

SCOPE_WORDS = {
    "read": "read: what you can read on the site",
    "write": "write: propose and second amendments, comment, record commitments",
    "vote": "vote: cast ballots in your name",
    "admin": "admin: invite, suspend and reactivate members, manage bodies and tendencies",
}


class TokenForm(FlaskForm):
    name = StringField(
        "Name (what will use it)",
        validators=[DataRequired(), Length(max=80), no_control_characters],
    )
    scopes = SelectMultipleField(
        "Scopes",
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        # The service says which scopes the member's role allows; the form offers them all
        # so that a refused one comes back with its message.
        validate_choice=False,
    )
    valid_days = SelectField("Expires after", coerce=int, default=90, validate_choice=False)

    def offer(self, member: Member) -> TokenForm:
        self.scopes.choices = choices(
            (scope.value, SCOPE_WORDS[scope.value]) for scope in scopes_allowed(member)
        )
        self.valid_days.choices = choices((days, f"{days} days") for days in LIFETIMES_DAYS)
        return self
