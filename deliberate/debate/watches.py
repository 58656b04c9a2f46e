"""What a change to a comment touches in the page cache (deliberate/fragments.py): its
subject's thread."""

from __future__ import annotations

from deliberate.debate.models import Comment, thread_stamp
from deliberate.fragments import watch

watch(Comment, lambda row, _connection: [thread_stamp(row.subject_type, row.subject_id)])
