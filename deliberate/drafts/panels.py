"""What drafts shows on other domains' pages: the change each amendment on a ballot proposes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial

from flask import render_template
from sqlalchemy import select

from deliberate.drafts import queries, rendered
from deliberate.drafts.models import Amendment, DraftVersion
from deliberate.extensions import db
from deliberate.lru import Immutables
from deliberate.voting.hooks import OptionText
from deliberate.voting.models import Vote, VoteOption

# An amendment's change as a ballot shows it, kept per process: its key holds everything it
# is rendered from (the amendment's text and range, and the version it amends).
_shown: Immutables[str] = Immutables(512)


def amendment_texts(vote: Vote, options: Sequence[VoteOption]) -> Mapping[int, OptionText]:
    """For each option of `vote` that is an amendment (its `ref_id`), by option position: its
    page and its change against the version it amends, as the amendment page shows it (the
    diff and its HTML are made once per process). Two queries, whatever the number of
    options."""
    wanted = {o.ref_id: o.position for o in options if o.ref_id is not None}
    if not wanted:
        return {}
    amendments = db.session.scalars(select(Amendment).where(Amendment.id.in_(wanted))).all()
    versions = {
        v.id: v
        for v in db.session.scalars(
            select(DraftVersion).where(DraftVersion.id.in_({a.version_id for a in amendments}))
        )
    }
    texts: dict[int, OptionText] = {}
    for amendment in amendments:
        version = versions[amendment.version_id]
        html = _shown.get(
            (
                "option-change",
                version.id,
                version.body,
                amendment.id,
                amendment.label,
                amendment.kind,
                amendment.first_paragraph,
                amendment.last_paragraph,
                amendment.new_text,
            ),
            partial(_render, amendment, version),
        )
        endpoint = (
            "drafts.amendment",
            {"draft_id": amendment.draft_id, "number": amendment.number},
        )
        texts[wanted[amendment.id]] = OptionText(name=amendment.label, endpoint=endpoint, html=html)
    return texts


def _render(amendment: Amendment, version: DraftVersion) -> str:
    return render_template(
        "drafts/_option_change.html",
        amendment=amendment,
        version=version,
        rows=rendered.change_diff(version, queries.as_change(amendment)),
        lines={p.number: p for p in rendered.paragraphs(version)},
    )
