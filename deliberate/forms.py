"""Form pieces shared across domains."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from flask import flash, redirect
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateTimeLocalField, SelectChoice
from wtforms import ValidationError as FormValidationError
from wtforms.fields import Field
from wtforms.widgets import HiddenInput

from deliberate.cleaning import has_control_characters
from deliberate.errors import DomainError, ValidationError
from deliberate.extensions import db
from deliberate.timezones import local_to_utc

T = TypeVar("T")
Page = Response | str | tuple[str, int]


TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class ZonedDateTimeField(DateTimeLocalField):
    """A date and time entered in the viewer's zone; `data` is the aware-UTC moment it names.

    "{zone}" in the label names the zone ("Close at (Europe/Paris time)"). A time the clocks
    skip or show twice in that zone is refused beside the field.
    """

    def __init__(self, label: str | None = None, *args: Any, **kwargs: Any) -> None:
        from deliberate.filters import viewer_zone

        self.zone = viewer_zone()
        kwargs.setdefault("format", TIME_FORMATS)
        super().__init__((label or "").replace("{zone}", self.zone.key), *args, **kwargs)

    data: datetime | None

    def _value(self) -> str:
        from deliberate.filters import format_input

        if self.raw_data:
            return " ".join(self.raw_data)
        return format_input(self.data, self.zone)

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        wall: datetime | None = self.data
        if wall is not None:
            try:
                self.data = local_to_utc(wall, self.zone)
            except ValidationError as refusal:
                self.data = None
                raise ValueError(refusal.message) from None


class ActionForm(FlaskForm):
    """A form with only the CSRF token: the buttons of POST-only actions."""


def no_control_characters(_form: FlaskForm, field: Field) -> None:
    """Refuse NUL and other control characters (tabs and newlines are fine)."""
    value = field.data or ""
    if isinstance(value, str) and has_control_characters(value):
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


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a form page shows besides the form: a refusal, a preview, or a result shown once."""

    error: DomainError | None = None
    preview: str | None = None
    result: T | None = None


def submit(
    form: FlaskForm,
    action: Callable[[], T],
    *,
    render: Callable[[Outcome[T]], str],
    success_message: str | Callable[[T], str] | None,
    redirect_to: str | Callable[[T], str] | None,
    error_field: Field | None = None,
    preview: Callable[[], str] | None = None,
    refusal_status: int | None = None,
    after_commit: Callable[[T], object] | None = None,
) -> Page:
    """The one request pipeline of a form page.

    On a valid POST, call `action` (one service call) in a savepoint, commit once, call
    `after_commit` with the result (a session effect, such as logging in), flash
    `success_message` and redirect 303 to `redirect_to`; with `redirect_to` None, render the
    page again with the result instead (a result shown only once, such as an invitation link).
    A DomainError undoes only the savepoint, so what the page shows stays loaded, and the page
    is rendered again with the error (beside the field it names, or `error_field`) and the
    error's status, or `refusal_status`. Given `preview` (the member asked for one), a valid
    POST renders what it returns instead of acting. A GET renders the page; a form with errors
    renders with 400.
    """
    if not form.validate_on_submit():
        return render(Outcome()), 400 if form.errors else 200
    try:
        if preview is not None:
            return render(Outcome(preview=preview())), 200
        with db.session.begin_nested():
            result = action()
    except DomainError as error:
        status = refusal_status or error.status
        beside = named_field(form, error, error_field)
        if beside is None:
            return render(Outcome(error=error)), status
        place_error(form, error, beside)  # beside its field, and so not again above the form
        return render(Outcome()), status
    db.session.commit()
    if after_commit is not None:
        after_commit(result)
    if success_message is not None:
        flash(success_message(result) if callable(success_message) else success_message)
    if redirect_to is None:
        return render(Outcome(result=result))
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to, 303)


def entered_fields(form: FlaskForm) -> list[Field]:
    """The fields of `form` a member fills in: those the page shows, not the CSRF token nor the
    hidden values the page itself fills in."""
    return [
        field
        for name, field in form._fields.items()
        if name != "csrf_token" and not isinstance(field.widget, HiddenInput)
    ]


def has_input(form: FlaskForm) -> bool:
    """Whether the form carries something a member enters, beyond the token."""
    return bool(entered_fields(form))


def named_field(form: FlaskForm, error: DomainError, field: Field | None = None) -> Field | None:
    """The field a refusal is about: the one the error names, if the form has it, else
    `field`."""
    named = form._fields.get(error.field) if error.field else None
    return named if named is not None else field


def place_error(form: FlaskForm, error: DomainError, field: Field) -> None:
    """Put a refusal's message beside `field`, once."""
    if error.message not in field.errors:
        field.errors = [*field.errors, error.message]


def perform(
    action: Callable[[], T],
    *,
    success_message: str | Callable[[T], str] | None,
    redirect_to: str | Callable[[T], str] | None,
    form: FlaskForm | None = None,
    refuse: Callable[[], Page] | None = None,
    error_field: Field | None = None,
    render: Callable[[T], Page] | None = None,
    after_commit: Callable[[T], object] | None = None,
) -> Page:
    """The one request pipeline of a button: a POST-only form that carries the CSRF token and
    at most a short field (a reason, a date, a role, a confirmation).

    Validate `form` (an ActionForm, the token alone, when None), call `action` (one service
    call), commit once, call `after_commit` with the result (a session effect, such as logging
    out), flash `success_message` and redirect 303 to `redirect_to`; with `redirect_to` None,
    return `render(result)` instead (a result shown only once, such as a reset link).

    A form with a field a member fills in must name `refuse`: the page the form is on,
    rendered again with this very form. A refusal, by the form or by the service (in a
    savepoint, which it undoes), then answers that page with the member's input kept and the
    message beside the field (the one the error names, `error_field`, or the form's first),
    with the refusal's status (400, 403, 409), and nothing was changed. A bare button has
    nothing to keep: its refusal is raised, and the error handler rolls the request back and
    shows the message with its status.
    """
    form = form if form is not None else ActionForm()
    if refuse is None:
        if has_input(form):
            raise TypeError(f"perform: {type(form).__name__} has a field; name `refuse`")
        ensure_valid(form)
        result = action()
    else:
        if not form.validate_on_submit():
            return _with_status(refuse(), 400)
        try:
            with db.session.begin_nested():
                result = action()
        except DomainError as error:
            beside = named_field(form, error, error_field) or next(iter(entered_fields(form)), None)
            if beside is None:
                raise
            place_error(form, error, beside)
            return _with_status(refuse(), error.status)
    db.session.commit()
    if after_commit is not None:
        after_commit(result)
    if success_message is not None:
        flash(success_message(result) if callable(success_message) else success_message)
    if redirect_to is None:
        if render is None:
            raise TypeError("perform needs `redirect_to` or `render`")
        return render(result)
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to, 303)


def _with_status(page: Page, status: int) -> Page:
    """A refusal's page with the refusal's status (a page that set its own keeps it)."""
    return page if isinstance(page, tuple | Response) else (page, status)
