"""Who may do what with decision records (the services check again, with reasons)."""

from __future__ import annotations

from typing import Any

from deliberate.accounts.models import Member
from deliberate.decisions.models import DecisionRecord, Evaluation


def can_read_archive(actor: Any, *, public: bool) -> bool:
    """Members read the archive; anyone does when the organization makes it public."""
    return public or (actor.is_authenticated and actor.is_active)


def can_write_record(actor: Member, record: DecisionRecord) -> bool:
    return actor.is_active and actor.is_convener and not record.is_sealed


def can_record_commitment(
    actor: Member, record: DecisionRecord, evaluation: Evaluation | None
) -> bool:
    """Every active member, on the roll or not, once the record is sealed and until its
    evaluation opens."""
    return actor.is_active and record.is_sealed and evaluation is None


def can_evaluate(actor: Member) -> bool:
    return actor.is_active and actor.is_convener
