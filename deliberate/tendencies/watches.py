"""What a change to a tendency's rows touches in the page cache (deliberate/fragments.py):
tendencies' names and who belongs to which are shown beside people's names."""

from __future__ import annotations

from deliberate.fragments import PEOPLE, watch
from deliberate.tendencies.models import Tendency, TendencyMembership

for _model in (Tendency, TendencyMembership):
    watch(_model, lambda _row, _connection: [PEOPLE])
