"""Forms of votes: the settings a convener fixes before opening, a meeting's count, paper files.

Ballots themselves are read from the request by `ballot_from_form`, because their fields
depend on the vote (one rank field per option).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms import ValidationError as FormValidationError
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from deliberate.errors import ValidationError
from deliberate.forms import ActionForm, ZonedDateTimeField, choices, no_control_characters
from deliberate.voting.rules import (
    BLOCK_RULE_LABELS,
    IRV_THRESHOLD_LABELS,
    MAX_OPTIONS,
    MAX_PRESENT,
    METHOD_LABELS,
    THRESHOLD_LABELS,
    TIE_BREAK_LABELS,
    Settings,
    parse_fallback,
    ranking_from_ranks,
)
from deliberate.voting.vocabulary import (
    RANKED_METHODS,
    BlockRule,
    Quota,
    RankedThreshold,
    StvVariant,
    Threshold,
    TieBreak,
    VoteMethod,
)

MAX_OPTION_LINES = 20_000
#: The quota field's third choice: the Droop quota counted with RCTab's fractional threshold
#: (stored as `Quota.DROOP` with `RankedThreshold.FRACTIONAL`).
FRACTIONAL_DROOP = "droop_fractional"


class VoteForm(FlaskForm):
    """The settings of a vote, fixed before it opens and shown on the ballot."""

    title = StringField("Question", validators=[Optional(), Length(max=300), no_control_characters])
    description = TextAreaField(
        "Explanation (Markdown, optional)",
        validators=[Optional(), Length(max=20_000), no_control_characters],
    )
    method = SelectField("Method", choices=choices(METHOD_LABELS.items()))
    options = TextAreaField(
        "Options or candidates, one per line (ranked votes)",
        validators=[Optional(), Length(max=MAX_OPTION_LINES), no_control_characters],
    )
    seats = IntegerField("Seats to fill (STV)", default=1, validators=[NumberRange(1, 59)])
    stv_variant = SelectField(
        "STV variant",
        default=StvVariant.WIGM,
        choices=choices(
            [
                (StvVariant.WIGM, "weighted inclusive Gregory, exact fractions"),
                (StvVariant.SCOTTISH, "Scottish STV (5 decimal places)"),
                (StvVariant.MEEK, "Meek's method"),
            ]
        ),
    )
    quota = SelectField(
        "Quota (STV)",
        default=Quota.DROOP,
        choices=choices(
            [
                (Quota.DROOP, "Droop: whole votes, votes ÷ (seats + 1), rounded down, plus 1"),
                (
                    FRACTIONAL_DROOP,
                    "Droop, fractional: votes ÷ (seats + 1) to 4 decimal places, plus 0.0001 "
                    "(weighted inclusive Gregory)",
                ),
                (Quota.HARE, "Hare: votes ÷ seats"),
            ]
        ),
    )
    one_winner_per_round = BooleanField(
        "One winner per round: when several reach the quota, only the one with the most votes "
        "is elected in that round, and the others may receive part of that surplus (weighted "
        "inclusive Gregory)"
    )
    irv_threshold = SelectField(
        "Majority needed (instant runoff)",
        default=RankedThreshold.STANDARD,
        choices=choices(IRV_THRESHOLD_LABELS.items()),
    )
    tie_break = SelectField(
        "Ties (ranked votes) are settled by",
        default=TieBreak.EARLIER_ROUNDS,
        choices=choices(TIE_BREAK_LABELS.items()),
    )
    threshold = SelectField(
        "Majority needed", default=Threshold.SIMPLE, choices=choices(THRESHOLD_LABELS.items())
    )
    abstentions_in_base = BooleanField("Abstentions count in the base (they weigh like a no)")
    quorum_percent = IntegerField(
        "Quorum: share of the roll that must take part (percent)",
        default=0,
        validators=[InputRequired(), NumberRange(0, 100)],
    )
    block_rule = SelectField(
        "What a block does",
        default=BlockRule.NO_DECISION,
        choices=choices(BLOCK_RULE_LABELS.items()),
    )
    fallback = StringField(
        "Fallback supermajority (two-thirds, three-quarters, 3/5 or 60 %)",
        validators=[no_control_characters],
    )
    secret = BooleanField("Secret ballot (otherwise roll-call, shown by tendency)", default=True)
    replaceable = BooleanField("A voter may replace their ballot until the close", default=True)
    breakdown_by_tendency = BooleanField(
        "Announce a breakdown of the secret result by tendency (small tendencies merged)"
    )
    receipts_show_content = BooleanField(
        "Receipts show the ballot's content (a voter can then prove her vote to anyone, "
        "a coercer too; by default a receipt proves only that the ballot was counted)"
    )
    shuffled = BooleanField(
        "List the options in a random order for each voter (ranked votes), so that none gains "
        "from being listed first"
    )
    body_id = SelectField("Who votes", coerce=str, default="")
    by_nomination = BooleanField(
        "Candidates stand by nomination (elections): members nominate themselves or others "
        "before it opens, and the ballot lists the accepted candidates; type no names above"
    )
    nominations_close_at = ZonedDateTimeField(
        "Nominations close at ({zone} time; empty: when a convener opens the election)",
        validators=[Optional()],
    )
    opens_at = ZonedDateTimeField("Open at ({zone} time; empty: open now)", validators=[Optional()])
    closes_at = ZonedDateTimeField(
        "Close at ({zone} time; empty: a convener closes it)", validators=[Optional()]
    )

    def set_bodies(self, bodies: Sequence[tuple[int, str, int]]) -> None:
        self.body_id.choices = choices(
            [("", "every active member"), *((str(i), f"{n} ({s} members)") for i, n, s in bodies)]
        )

    def limit_methods(self, methods: Sequence[str]) -> None:
        self.method.choices = choices((m, METHOD_LABELS[m]) for m in methods)

    def option_labels(self) -> list[str]:
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]

    def settings(self) -> Settings:
        method = self.method.data or ""
        ranked = method in RANKED_METHODS
        stv = method == VoteMethod.STV
        labels = self.option_labels() if ranked else []
        if len(labels) > MAX_OPTIONS:
            raise ValidationError(f"A vote has at most {MAX_OPTIONS} options.")
        return Settings(
            method=method,
            options=tuple(labels),
            seats=(self.seats.data or 1) if stv else 1,
            stv_variant=self.stv_variant.data if stv else None,
            quota=Quota.DROOP if self._fractional() else (self.quota.data or Quota.DROOP),
            threshold=self.threshold.data if method == VoteMethod.MAJORITY else None,
            abstentions_in_base=(
                bool(self.abstentions_in_base.data) and method == VoteMethod.MAJORITY
            ),
            quorum_percent=self.quorum_percent.data or 0,
            block_rule=self.block_rule.data if method == VoteMethod.CONSENSUS else None,
            fallback=parse_fallback(self.fallback.data) if self._falls_back() else None,
            secret=bool(self.secret.data),
            replaceable=bool(self.replaceable.data),
            breakdown_by_tendency=bool(self.breakdown_by_tendency.data and self.secret.data),
            receipts_show_content=bool(self.receipts_show_content.data and self.secret.data),
            tie_break=(
                (self.tie_break.data or TieBreak.EARLIER_ROUNDS)
                if ranked
                else TieBreak.EARLIER_ROUNDS
            ),
            ranked_threshold=self._ranked_threshold(),
            one_winner_per_round=bool(self.one_winner_per_round.data) and stv,
            body_id=self.body(),
            shuffled=bool(self.shuffled.data) and ranked,
        )

    def _fractional(self) -> bool:
        return self.quota.data == FRACTIONAL_DROOP

    def _ranked_threshold(self) -> RankedThreshold:
        if self.method.data == VoteMethod.STV and self._fractional():
            return RankedThreshold.FRACTIONAL
        if (
            self.method.data == VoteMethod.IRV
            and self.irv_threshold.data == RankedThreshold.FIRST_ROUND
        ):
            return RankedThreshold.FIRST_ROUND
        return RankedThreshold.STANDARD

    def validate_quota(self, field: SelectField) -> None:
        """A fractional quota asked of a count that has none is refused beside the quota."""
        if (
            self.method.data == VoteMethod.STV
            and self._fractional()
            and self.stv_variant.data != StvVariant.WIGM
        ):
            raise FormValidationError(
                "The fractional quota is counted by weighted inclusive Gregory; choose that "
                "variant, or the whole-vote Droop quota."
            )

    def validate_one_winner_per_round(self, field: BooleanField) -> None:
        if (
            self.method.data == VoteMethod.STV
            and field.data
            and self.stv_variant.data != StvVariant.WIGM
        ):
            raise FormValidationError(
                "One winner per round is counted by weighted inclusive Gregory; choose that "
                "variant, or leave this unticked."
            )

    def _falls_back(self) -> bool:
        return (
            self.method.data == VoteMethod.CONSENSUS and self.block_rule.data == BlockRule.FALLBACK
        )

    def validate_fallback(self, field: StringField) -> None:
        """The fallback is read where it was written, so a refusal stands beside it."""
        if self._falls_back():
            try:
                parse_fallback(field.data)
            except ValidationError as refusal:
                raise FormValidationError(str(refusal)) from None

    def body(self) -> int | None:
        """The body chosen (None: every active member); the select refuses any other value."""
        return int(self.body_id.data) if self.body_id.data else None

    def times(self) -> tuple[datetime | None, datetime | None]:
        """The opening and closing moments entered (aware UTC), None when left empty."""
        return self.opens_at.data, self.closes_at.data

    def nominations_close(self) -> datetime | None:
        """The moment nominations close (aware UTC), None when left empty."""
        return self.nominations_close_at.data


def _count(label: str, *, least: int = 0) -> IntegerField:
    """A count of a meeting: a whole number from `least` to MAX_PRESENT (a 31-digit count is
    refused here with the bound, before any service sees it)."""
    return IntegerField(
        label,
        default=None if least else 0,
        validators=[
            InputRequired() if least else Optional(),
            NumberRange(
                least,
                MAX_PRESENT,
                message=f"A count is a whole number from {least} to {MAX_PRESENT}.",
            ),
        ],
    )


class MeetingForm(VoteForm):
    """A vote taken at a meeting: its settings, when it was held, and what was counted."""

    held_at = ZonedDateTimeField("Held at ({zone} time)", validators=[InputRequired()])
    present = _count("Members entitled to vote at the meeting", least=1)
    yes = _count("For")
    no = _count("Against")
    abstain = _count("Abstentions")
    ballot_file = FileField("Ranked paper count (BLT or CSV)")


class PaperBallotsForm(FlaskForm):
    """Paper ballots added to an online vote, with the register of who cast them."""

    ballot_file = FileField("Paper ballots (BLT or CSV)", validators=[DataRequired()])
    register = TextAreaField(
        "Who voted on paper: the email address of each member whose ballot is in the file, one "
        "a line",
        validators=[Optional(), no_control_characters],
    )


def ballot_from_form(
    method: str, options: Sequence[str], form: Mapping[str, Any]
) -> dict[str, Any]:
    """The ballot a member sent: a choice, a position with a reason, or a ranking built from
    the rank fields `rank_<position>` (1 = first choice; blank = unranked)."""
    if method == VoteMethod.MAJORITY:
        return {"choice": form.get("choice")}
    if method == VoteMethod.CONSENSUS:
        return {"position": form.get("position"), "reason": form.get("reason", "")}
    ranks = {label: form.get(f"rank_{i}", "") for i, label in enumerate(options, start=1)}
    return {"ranking": ranking_from_ranks(options, ranks)}


class CloseForm(ActionForm):
    """Closing a vote: before its scheduled close, the convener ticks that they mean it."""

    confirm_early = BooleanField("Close it before its scheduled time: members may still be voting")
