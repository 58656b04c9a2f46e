"""Forms of decision records: the conveners' statements, a member's entry, a minority report,
the evaluation, and the archive's filters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from deliberate.decisions.models import BorneOut, Verdict
from deliberate.decisions.services import DissentKey, EvaluationText, Statements
from deliberate.errors import ValidationError
from deliberate.forms import choices, no_control_characters

STATEMENT_MAX = 20_000


class StatementsForm(FlaskForm):
    outcome = TextAreaField(
        "Outcome statement (Markdown): what the organization decided",
        validators=[Length(max=STATEMENT_MAX), no_control_characters],
    )
    unity = TextAreaField(
        "Unity in action (Markdown): what every member now commits to do",
        validators=[Length(max=STATEMENT_MAX), no_control_characters],
    )
    valid_from = DateField("Valid from", validators=[Optional()])
    valid_until = DateField("Valid until", validators=[Optional()])
    evaluation_date = DateField("Evaluation date", validators=[Optional()])
    # The revision the convener started from: a stale form changes nothing.
    revision = IntegerField(validators=[InputRequired(), NumberRange(0, 1_000_000)])

    def statements(self) -> Statements:
        return Statements(
            outcome=self.outcome.data or "",
            unity=self.unity.data or "",
            valid_from=self.valid_from.data,
            valid_until=self.valid_until.data,
            evaluation_date=self.evaluation_date.data,
        )


class CommitmentForm(FlaskForm):
    commits = BooleanField("I commit to act on this decision", default=True)
    disagreement = TextAreaField(
        "Registered disagreement (Markdown, optional): why you disagree",
        validators=[Optional(), Length(max=10_000), no_control_characters],
    )


class MinorityReportForm(FlaskForm):
    # The page offers the coordinator's tendency's papers; the service judges the one sent.
    paper = SelectField(
        "Published position paper of your tendency", coerce=int, choices=[], validate_choice=False
    )


class SealForm(FlaskForm):
    """Sealing a record: final, so confirmed by a box ticked on the form."""

    confirm = BooleanField(
        "I have read the record below: seal it. Nothing of it can be changed afterwards; it "
        "joins the archive's chain and members can record their commitment.",
        validators=[DataRequired(message="Sealing is final: tick the box to confirm it.")],
    )


class SealEvaluationForm(FlaskForm):
    """Sealing an evaluation: final, so confirmed by a box ticked on the form."""

    confirm = BooleanField(
        "Seal the evaluation: it joins the archive's chain and cannot be changed afterwards.",
        validators=[
            DataRequired(message="Sealing the evaluation is final: tick the box to confirm it.")
        ],
    )


class EvaluationForm(FlaskForm):
    verdict = SelectField(
        "Verdict",
        choices=choices([("", "not yet given"), *((v.value, v.label) for v in Verdict)]),
    )
    assessment = TextAreaField(
        "Assessment (Markdown): did the decision work?",
        validators=[Length(max=STATEMENT_MAX), no_control_characters],
    )


BORNE_OUT_CHOICES = [("", "not yet assessed"), *((b.value, b.label) for b in BorneOut)]


def dissent_field(key: DissentKey) -> str:
    if key.member_id is not None:
        return f"member-{key.member_id}"
    return f"report-{key.minority_report_id}"


def evaluation_text(
    form: EvaluationForm, dissents: Sequence[DissentKey], data: Mapping[str, str]
) -> EvaluationText:
    """The evaluation as the form says it: per dissent, `<key>-borne_out` and `<key>-comment`
    (one pair of fields per dissent, which the template renders)."""
    assessed: dict[DissentKey, tuple[str, str]] = {}
    for key in dissents:
        name = dissent_field(key)
        borne_out = data.get(f"{name}-borne_out", "")
        comment = data.get(f"{name}-comment", "")
        if not borne_out:
            continue
        if borne_out not in {b.value for b in BorneOut}:
            raise ValidationError("Choose, for each dissent, whether events bore it out.")
        assessed[key] = (borne_out, comment)
    return EvaluationText(
        verdict=form.verdict.data or None,
        assessment=form.assessment.data or "",
        dissents=assessed,
    )
