"""What a change to a paper's rows touches in the page cache (deliberate/fragments.py)."""

from __future__ import annotations

from deliberate.fragments import watch
from deliberate.papers.models import PAPERS_STAMP, PaperRevision, PaperSignature, PositionPaper

for _model in (PaperRevision, PositionPaper, PaperSignature):
    watch(_model, lambda _row, _connection: [PAPERS_STAMP])
