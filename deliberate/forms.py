"""Form pieces shared across domains."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms import ValidationError as FormValidationError
from wtforms.fields import Field

from deliberate.errors import ValidationError


class ActionForm(FlaskForm):
    """A form with only the CSRF token: the buttons of POST-only actions."""


def no_control_characters(_form: FlaskForm, field: Field) -> None:
    """Refuse NUL and other control characters (tabs and newlines are fine)."""
    value = field.data or ""
    if isinstance(value, str) and any(ord(ch) < 32 and ch not in "\t\r\n" for ch in value):
        raise FormValidationError("Control characters are not allowed.")


def choices(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Options for a SelectField from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def ensure_valid(form: FlaskForm) -> None:
    """Validate a POST-only form; raise ValidationError naming what is wrong."""
    if form.validate_on_submit():
        return
    problems = [
        f"{getattr(form, name).label.text}: {error}"
        for name, errors in form.errors.items()
        if name != "csrf_token"
        for error in errors
    ]
    raise ValidationError(" ".join(problems) or "The form was not valid; reload and try again.")
