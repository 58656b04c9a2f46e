"""The decisions panel of the home page: for conveners, the records to write and the
evaluations due. (Records awaiting a member's commitment are among what waits for them:
`records_awaiting`, listed by deliberate/main/needs.py.)"""

from __future__ import annotations

from typing import Any

from deliberate.accounts.models import Member
from deliberate.database import utcnow
from deliberate.decisions import queries
from deliberate.decisions.permissions import can_evaluate


def home_context(member: Member) -> dict[str, Any]:
    convening = can_evaluate(member)
    return {
        "decisions_due": queries.evaluations_due(utcnow().date()) if convening else [],
        "decisions_drafting": queries.drafting_records() if convening else [],
    }
