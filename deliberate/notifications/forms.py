"""The mail settings form: one choice per category."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm
from wtforms import SelectField

from deliberate.forms import choices
from deliberate.notifications.categories import CATEGORIES
from deliberate.notifications.models import Mode

MODE_WORDS = {
    Mode.IMMEDIATELY: "Immediately",
    Mode.DIGEST: "In a daily digest",
    Mode.NEVER: "Never",
}


class SettingsForm(FlaskForm):
    """A select per category (added below); a field it does not know is refused."""

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        known = {*CATEGORIES, "csrf_token"}
        unknown = sorted(key for key in request.form if key not in known)
        if unknown:
            first = next(iter(CATEGORIES))
            getattr(self, first).errors = [
                *getattr(self, first).errors,
                f"There is no category “{unknown[0][:40]}”.",
            ]
            return False
        return valid

    def chosen(self) -> dict[str, str]:
        return {name: str(getattr(self, name).data) for name in CATEGORIES}


for _name, _category in CATEGORIES.items():
    setattr(
        SettingsForm,
        _name,
        SelectField(_category.label, choices=choices((m.value, MODE_WORDS[m]) for m in Mode)),
    )
