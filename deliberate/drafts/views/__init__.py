"""Draft pages: list, create, text with line numbers, versions, compare; amendment pages and
every action on them. Views adapt requests to one service call each.

One blueprint, `drafts`, defined in `common`; one module per concern adds its routes to it:
`drafts` (the list, the draft page, details, window, withdrawal, conveners), `versions`
(revise, read, compare), `amendments` (propose, read, list, edit, withdraw, second),
`sponsorship` (a tendency's sponsorship, co-sponsors) and `convening` (merge, group, accept,
rule out, ungroup).
"""

from deliberate.drafts.views import (  # noqa: F401 (importing a module adds its routes)
    amendments,
    convening,
    drafts,
    sponsorship,
    versions,
)
from deliberate.drafts.views.common import bp

__all__ = ["bp"]
