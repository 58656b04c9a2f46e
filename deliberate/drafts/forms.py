"""Forms for drafts and amendments (the services validate again, with the same messages)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from deliberate.drafts.models import Amendment, AmendmentKind, DraftKind
from deliberate.drafts.services import MAX_BODY, MAX_NOTE, MAX_RATIONALE, MAX_REASON, MAX_TITLE
from deliberate.forms import ZonedDateTimeField, choices, no_control_characters

KIND_CHOICES = choices((k.value, k.label.capitalize()) for k in DraftKind)
AMENDMENT_KIND_CHOICES = choices(
    [
        (AmendmentKind.REPLACE.value, "Replace paragraphs"),
        (AmendmentKind.INSERT_AFTER.value, "Insert new paragraphs"),
        (AmendmentKind.DELETE.value, "Delete paragraphs"),
        (AmendmentKind.SUBSTITUTE.value, "Substitute the whole text"),
    ]
)
PARAGRAPH = [Optional(), NumberRange(min=0, max=100_000, message="Give a paragraph number.")]


class DraftDetailsForm(FlaskForm):
    title = StringField(
        "Title", validators=[DataRequired(), Length(max=MAX_TITLE), no_control_characters]
    )
    kind = SelectField("Kind", choices=KIND_CHOICES)
    valid_from = DateField("Valid from", validators=[Optional()])
    valid_until = DateField("Valid until", validators=[Optional()])
    evaluation_date = DateField("Evaluation date", validators=[Optional()])

    def details(self) -> dict[str, Any]:
        """The submitted details as the create and update services take them."""
        return {
            "title": self.title.data,
            "kind": self.kind.data,
            "valid_from": self.valid_from.data,
            "valid_until": self.valid_until.data,
            "evaluation_date": self.evaluation_date.data,
        }


class DraftForm(DraftDetailsForm):
    body = TextAreaField(
        "Text (Markdown; a blank line starts a new paragraph)",
        validators=[DataRequired(), Length(max=MAX_BODY), no_control_characters],
    )
    conveners = TextAreaField(
        "Also convened by (email addresses, one per line; optional)",
        validators=[Optional(), Length(max=10_000), no_control_characters],
    )


class ReviseForm(FlaskForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    body = TextAreaField(
        "Text (Markdown; a blank line starts a new paragraph)",
        validators=[DataRequired(), Length(max=MAX_BODY), no_control_characters],
    )
    note = StringField(
        "What changed",
        validators=[DataRequired(), Length(max=MAX_NOTE), no_control_characters],
    )


class WindowForm(FlaskForm):
    deadline = ZonedDateTimeField("Deadline ({zone} time)", validators=[InputRequired()])

    def deadline_utc(self) -> datetime:
        """The deadline entered in the member's zone, as an aware-UTC moment."""
        deadline = self.deadline.data
        if deadline is None:  # the field requires input: validation stopped before this
            raise ValueError("no deadline was entered")
        return deadline


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        "Reason", validators=[DataRequired(), Length(max=MAX_REASON), no_control_characters]
    )


class OptionalReasonForm(FlaskForm):
    reason = TextAreaField(
        "Reason (optional)", validators=[Optional(), Length(max=MAX_REASON), no_control_characters]
    )


class SponsorForm(FlaskForm):
    """Asking a tendency to sponsor, confirming, declining: buttons on the amendment page; a
    reason may come with them, as a value the page does not ask a member to type."""

    reason = StringField(
        "Reason (optional)",
        widget=HiddenInput(),
        validators=[Optional(), Length(max=MAX_REASON), no_control_characters],
    )


class ConvenerForm(FlaskForm):
    email = StringField(
        "Member's email (several separated by commas)",
        validators=[DataRequired(), Length(max=50 * 320), no_control_characters],
    )


class AmendmentForm(FlaskForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    kind = RadioField("What the amendment does", choices=AMENDMENT_KIND_CHOICES, default="replace")
    first = IntegerField("From ¶", validators=PARAGRAPH)
    last = IntegerField("To ¶", validators=PARAGRAPH)
    after = IntegerField("Insert after ¶ (0 for the beginning)", validators=PARAGRAPH)
    new_text = TextAreaField(
        "New text (Markdown; a blank line starts a new paragraph)",
        validators=[Length(max=MAX_BODY), no_control_characters],
    )
    title = StringField(
        "Title", validators=[DataRequired(), Length(max=MAX_TITLE), no_control_characters]
    )
    rationale = TextAreaField(
        "Rationale (Markdown)",
        validators=[DataRequired(), Length(max=MAX_RATIONALE), no_control_characters],
    )

    @classmethod
    def for_amendment(cls, amendment: Amendment) -> AmendmentForm:
        """The form filled with an amendment's current change, for editing it."""
        inserting = amendment.kind == AmendmentKind.INSERT_AFTER
        return cls(
            kind=amendment.kind,
            first=None if inserting else amendment.first_paragraph,
            last=None if inserting else amendment.last_paragraph,
            after=amendment.first_paragraph if inserting else None,
            new_text=amendment.new_text,
            title=amendment.title,
            rationale=amendment.rationale,
        )

    def range(self) -> tuple[int | None, int | None]:
        """The (first, last) the service expects for the chosen kind."""
        if self.kind.data == AmendmentKind.INSERT_AFTER:
            return self.after.data, self.after.data
        return self.first.data, self.last.data

    def change(self) -> dict[str, Any]:
        """The submitted change as the propose and edit services take it."""
        first, last = self.range()
        return {
            "version_number": self.version.data,
            "kind": self.kind.data,
            "first": first,
            "last": last,
            "new_text": self.new_text.data or "",
            "title": self.title.data,
            "rationale": self.rationale.data,
        }


class SelectionForm(FlaskForm):
    """A choice of amendments by number (merge, group)."""

    amendments = SelectMultipleField(
        "Amendments",
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(message="Choose at least one amendment.")],
    )
    offered: list[Amendment]

    @classmethod
    def among(cls, amendments: Sequence[Amendment], **kwargs: Any) -> SelectionForm:
        """The form offering `amendments` by number, filled from the request (or `formdata`)."""
        form = cls(**kwargs)
        form.amendments.choices = choices((a.number, a.label) for a in amendments)
        form.offered = list(amendments)
        return form

    def chosen(self) -> list[Amendment]:
        """The offered amendments ticked (the service judges their states)."""
        numbers = set(self.amendments.data)
        return [a for a in self.offered if a.number in numbers]


class MergeForm(SelectionForm):
    """The merge confirmed from its preview, which carries the amendments chosen there as
    hidden values: a button, with nothing for the convener to type."""

    amendments = SelectMultipleField(
        "Amendments",
        coerce=int,
        widget=HiddenInput(),
        validators=[DataRequired(message="Choose at least one amendment.")],
    )
