"""What a change to a draft's rows touches in the page cache (deliberate/fragments.py): the
draft's own stamp, and for a draft or an amendment the list of drafts too."""

from __future__ import annotations

from sqlalchemy import Connection, select

from deliberate.drafts.models import (
    DRAFTS_STAMP,
    Amendment,
    AmendmentCosponsor,
    AmendmentEvent,
    AmendmentSecond,
    CompetitionGroup,
    Draft,
    DraftConvener,
    DraftVersion,
    stamp_of,
)
from deliberate.fragments import EVERYTHING, watch


def _draft_itself(row: Draft | Amendment, _connection: Connection) -> list[str]:
    return [stamp_of(row.id if isinstance(row, Draft) else row.draft_id), DRAFTS_STAMP]


def _of_draft(
    row: DraftVersion | DraftConvener | CompetitionGroup, _connection: Connection
) -> list[str]:
    return [stamp_of(row.draft_id)]


def _of_amendment(
    row: AmendmentSecond | AmendmentCosponsor | AmendmentEvent, connection: Connection
) -> list[str]:
    draft_id = connection.scalar(select(Amendment.draft_id).where(Amendment.id == row.amendment_id))
    return [stamp_of(draft_id)] if draft_id is not None else [EVERYTHING]


watch(Draft, _draft_itself)
watch(Amendment, _draft_itself)
for _parent in (DraftVersion, DraftConvener, CompetitionGroup):
    watch(_parent, _of_draft)
for _child in (AmendmentSecond, AmendmentCosponsor, AmendmentEvent):
    watch(_child, _of_amendment)
