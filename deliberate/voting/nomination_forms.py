"""Forms of an election's nominations: putting a member forward, a statement, the period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length, Optional

from deliberate.accounts.models import Member
from deliberate.forms import ZonedDateTimeField, choices, no_control_characters
from deliberate.voting.services.nominations import MAX_STATEMENT, MAX_STATEMENT_INPUT


def _statement_field(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[Optional(), Length(max=MAX_STATEMENT_INPUT), no_control_characters],
        render_kw={"rows": 6},
    )


class NominateForm(FlaskForm):
    """Put a member forward: oneself (with a statement) or another eligible member."""

    nominee = SelectField("Who stands", coerce=str)
    statement = _statement_field(
        f"Your statement, if you stand yourself (Markdown, at most {MAX_STATEMENT} characters, "
        "optional)"
    )

    def set_members(self, me: Member, members: Sequence[Member]) -> None:
        others = [(str(m.id), m.display_name) for m in members if m.id != me.id]
        self.nominee.choices = choices([(str(me.id), f"Myself ({me.display_name})"), *others])

    def nominee_id(self) -> int | None:
        raw = self.nominee.data or ""
        return int(raw) if raw.isdigit() else None


class StatementForm(FlaskForm):
    """A candidate's statement, written on accepting or later until the election opens."""

    statement = _statement_field(
        f"Statement (Markdown, at most {MAX_STATEMENT} characters; empty: none)"
    )


class OpenNominationsForm(FlaskForm):
    """The nomination period a convener announces for an election that has not opened."""

    close_at = ZonedDateTimeField(
        "Nominations close at ({zone} time; empty: when a convener opens the election)",
        validators=[Optional()],
    )

    def close_time(self) -> datetime | None:
        """The moment nominations close (aware UTC), None when left empty."""
        return self.close_at.data
