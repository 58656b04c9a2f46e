"""What the modules share: limits, the settings and options of a stored vote, its lock, its lot."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from deliberate.accounts.models import Member
from deliberate.cleaning import clean_line
from deliberate.errors import PermissionDenied
from deliberate.extensions import db
from deliberate.voting.models import Vote, VoteOption
from deliberate.voting.permissions import can_run_votes
from deliberate.voting.rules import Settings

MAX_TITLE = 300
MAX_DESCRIPTION = 20_000


@dataclass(frozen=True)
class OptionSpec:
    """An option as the caller proposes it; `ref_id` points into the subject's domain."""

    label: str
    ref_id: int | None = None


def settings_of(vote: Vote, options: Sequence[VoteOption] | None = None) -> Settings:
    """The pure settings of a stored vote (options must be loaded or given)."""
    labels = tuple(o.label for o in (options if options is not None else vote.options))
    return Settings(
        method=vote.method,
        options=labels if vote.is_ranked else (),
        seats=vote.seats,
        stv_variant=vote.stv_variant,
        quota=vote.quota,
        threshold=vote.threshold,
        abstentions_in_base=vote.abstentions_in_base,
        quorum_percent=vote.quorum_percent,
        block_rule=vote.block_rule,
        fallback=vote.fallback,
        secret=vote.secret,
        replaceable=vote.replaceable,
        breakdown_by_tendency=vote.breakdown_by_tendency,
        receipts_show_content=vote.receipts_show_content,
        lot=tuple(vote.lot_order),
        tie_break=vote.tie_break,
        ranked_threshold=vote.ranked_threshold,
        one_winner_per_round=vote.one_winner_per_round,
        body_id=vote.body_id,
        shuffled=vote.shuffled,
    )


def _require_runner(actor: Member, what: str) -> None:
    if not can_run_votes(actor):
        raise PermissionDenied(f"Only conveners {what}.")


def _clean_title(raw: str | None) -> str:
    return clean_line(
        raw,
        max_length=MAX_TITLE,
        empty="The question cannot be empty.",
        too_long="The question has at most {limit} characters.",
        field="title",
    )


def _lock(vote: Vote, *, shared: bool = False) -> Vote:
    """Lock the vote's row (FOR SHARE to cast, FOR UPDATE to close) and reload it."""
    return db.session.execute(
        select(Vote)
        .where(Vote.id == vote.id)
        .with_for_update(read=shared)
        .execution_options(populate_existing=True)
    ).scalar_one()


def load_options(vote: Vote) -> list[VoteOption]:
    return list(
        db.session.scalars(
            select(VoteOption).where(VoteOption.vote_id == vote.id).order_by(VoteOption.position)
        )
    )


def _draw_lot(options: Sequence[VoteOption]) -> list[str]:
    """The tie-break order of the options, drawn from the system's secure random source."""
    drawn = [o.label for o in options]
    secrets.SystemRandom().shuffle(drawn)
    return drawn
