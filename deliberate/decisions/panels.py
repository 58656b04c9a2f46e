"""The decisions panel of the home page: records awaiting the member's commitment, and for
conveners the records to write and the evaluations due."""

from __future__ import annotations

from typing import Any

from deliberate.accounts.models import Member
from deliberate.database import utcnow
from deliberate.decisions import queries
from deliberate.decisions.permissions import can_evaluate


def home_context(member: Member) -> dict[str, Any]:
    awaiting, awaiting_count = queries.awaiting_commitment(member)
    convening = can_evaluate(member)
    return {
        "decisions_awaiting": awaiting,
        "decisions_awaiting_count": awaiting_count,
        "decisions_due": queries.evaluations_due(utcnow().date()) if convening else [],
        "decisions_drafting": queries.drafting_records() if convening else [],
    }
