"""Form pieces shared across domains."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms import ValidationError as FormValidationError
from wtforms.fields import Field


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
