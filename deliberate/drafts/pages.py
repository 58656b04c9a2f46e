"""What the draft pages need beyond one service call: reading the queries, building the page.

The views stay adapters; this module reads what the draft and amendment pages show (in the
parts the page cache keeps), what a merge would make, and which members a form names. It
imports Flask only for rendering, never for state: every change goes through
`deliberate.drafts.services`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from sqlalchemy import select

from deliberate import fragments
from deliberate.accounts import queries as member_queries
from deliberate.accounts.models import Member
from deliberate.debate.models import thread_stamp
from deliberate.debate.panels import debate_context, margin_context
from deliberate.drafts import queries, rendered, services, text
from deliberate.drafts.forms import (
    ConvenerForm,
    OptionalReasonForm,
    ReasonForm,
    SelectionForm,
    WindowForm,
)
from deliberate.drafts.models import Amendment, Draft, stamp_of
from deliberate.drafts.permissions import (
    can_convene,
    can_edit_amendment,
    can_second_amendment,
    can_withdraw_amendment,
    can_withdraw_second,
)
from deliberate.drafts.rules import MERGEABLE_AMENDMENT_STATES
from deliberate.drafts.subjects import load_draft
from deliberate.errors import NotFound, ValidationError
from deliberate.extensions import db
from deliberate.fragments import PEOPLE
from deliberate.markup import displayed
from deliberate.papers.models import PAPERS_STAMP
from deliberate.papers.panels import positions_context
from deliberate.routing import page_number
from deliberate.subjects import SubjectType, subject_of
from deliberate.tendencies.permissions import is_coordinator
from deliberate.voting.panels import votes_context
from deliberate.voting.watches import VOTES_STAMP


def members_by_email(raw: str) -> list[Member]:
    """The active members a form names by email, one a line or separated by commas.

    Raises ValidationError for more than 50 names or an address no active member has.
    """
    emails = [line.strip().lower() for line in (raw or "").replace(",", "\n").splitlines()]
    emails = [e for e in emails if e]
    if len(emails) > 50:
        raise ValidationError("Name at most 50 conveners at once.")
    # A suspended member is refused like an unknown address: the one asking (perhaps a named
    # convener, an ordinary member) learns neither who has an account nor who is suspended.
    found = {e: m for e, m in member_queries.members_by_email(emails).items() if m.is_active}
    unknown = [e for e in emails if e not in found]
    if unknown:
        raise ValidationError("No active member has the email " + ", ".join(unknown[:5]) + ".")
    return [found[e] for e in emails]


def draft_context(
    draft_id: int,
    actor: Member,
    args: Mapping[str, str],
    *,
    forms: Mapping[str, FlaskForm] | None = None,
) -> dict[str, Any]:
    """What the draft page shows: its text a window at a time, its amendments and history
    (each a part the page cache keeps), the conveners' panel, and the debate, papers and votes
    on it. `forms`: the conveners' forms as posted, after a refusal, shown again with their
    input and errors in place of fresh ones (the panel is then rendered for this request
    alone). Raises NotFound for a draft that does not exist."""
    # The stamps first, then the rows: what is kept was read after its tokens (fragments.py).
    stamps = fragments.tokens(
        stamp_of(draft_id),
        thread_stamp(SubjectType.DRAFT.value, draft_id),
        PEOPLE,
        PAPERS_STAMP,
        VOTES_STAMP,
    )
    draft = load_draft(draft_id)  # with its current version, which the comment form numbers
    if draft is None:
        raise NotFound("That draft does not exist.")
    subject = subject_of(SubjectType.DRAFT, draft)
    conveners = kept_conveners(draft, stamps)
    convening = can_convene(actor, draft, {m.id for m in conveners})
    window_closed = services.window_closed_message(draft)
    config = current_app.config
    window = queries.TextWindow.of(
        draft.current_version.paragraph_count,
        config["DRAFT_TEXT_PAGE"],
        page_number(args, "text"),
    )
    debate = debate_context(subject, stamps=stamps)
    page = cache(lambda: queries.draft_page(draft))  # read only when a part is rendered
    layout = cache(lambda: queries.draft_layout(page()))

    def render() -> fragments.Part:
        shown = {
            "draft": draft,
            "page": page(),
            "layout": layout(),
            "window": window,
            "shown_per_state": config["DRAFT_AMENDMENTS_SHOWN"],
        }
        return fragments.Part(
            (
                fragments.rendered("drafts/_draft_head.html", window_closed=window_closed, **shown),
                fragments.rendered(
                    "drafts/_draft_text.html",
                    window_closed=window_closed,
                    can_post=subject.is_open,
                    **shown,
                    **margin_context(subject),
                ),
                fragments.rendered("drafts/_draft_amendments.html", convening=convening, **shown),
                fragments.rendered("drafts/_draft_history.html", **shown),
            )
        )

    def render_panel() -> fragments.Part:
        panel = fragments.rendered(
            "drafts/_convener_panel.html",
            draft=draft,
            page=page(),
            layout=layout(),
            **{
                "window_form": WindowForm(formdata=None),
                "reason_form": ReasonForm(formdata=None),
                "convener_form": ConvenerForm(formdata=None),
                "group_form": None,
                **(forms or {}),
            },
        )
        return fragments.Part((panel,))

    variant = (subject.state, window_closed, convening, window)
    parts = fragments.part("draft", stamps, variant, render)
    panel = None
    if convening and not draft.is_final:
        panel = fragments.part(
            "convener panel", stamps, (subject.state,), render_panel, live=bool(forms)
        )
    return {
        "draft": draft,
        "parts": parts,
        "convener_panel": panel,
        "conveners": conveners,
        "convening": convening,
        **debate,
        **positions_context(subject, stamps=stamps),
        **votes_context(subject, stamps=stamps),
    }


@dataclass(frozen=True)
class NamedConvener:
    """A member named to convene a draft, as its pages show them (kept between requests)."""

    id: int
    display_name: str


def kept_conveners(draft: Draft, stamps: fragments.Tokens) -> tuple[NamedConvener, ...]:
    """The draft's named conveners, read once per change of the draft or of a name."""
    return fragments.kept(
        "draft conveners",
        stamps.only(stamp_of(draft.id), PEOPLE),
        draft.id,
        lambda: tuple(NamedConvener(m.id, m.display_name) for m in queries.named_conveners(draft)),
    )


def amendment_stamps(draft_id: int, number: int) -> fragments.Tokens:
    """The stamps of an amendment page's parts (its draft's, its thread's, the names', the
    papers' and the votes'), read before its rows (fragments.py), in one statement."""
    amendment_id = (
        select(Amendment.id)
        .where(Amendment.draft_id == draft_id, Amendment.number == number)
        .scalar_subquery()
    )
    stamps, _found = fragments.tokens_and_ids(
        [stamp_of(draft_id), PEOPLE, PAPERS_STAMP, VOTES_STAMP],
        [(partial(thread_stamp, SubjectType.AMENDMENT.value), amendment_id)],
    )
    return stamps


def viewed_amendment(
    draft_id: int, number: int, actor: Member, stamps: fragments.Tokens
) -> tuple[Draft, Amendment, queries.Support]:
    """The draft, its amendment numbered `number` and its support as `actor` reads them: the
    counts kept between requests under the draft's stamp (`stamps`, read first). Raises
    NotFound for a draft or an amendment that does not exist."""
    viewed = queries.amendment_for(draft_id, number, actor)
    if viewed is None:
        if db.session.get(Draft, draft_id) is None:
            raise NotFound("That draft does not exist.")
        raise NotFound(f"This draft has no amendment A{number}.")
    found = queries.with_relations(viewed.amendment, proposer=False, group=False)
    seconds, cosponsors = fragments.kept(
        "amendment support",
        stamps.only(stamp_of(draft_id)),
        found.id,
        lambda: queries.support_counts(found.id),
    )
    support = queries.Support(seconds, cosponsors, viewed.viewer_seconded, viewed.viewer_cosponsors)
    return found.draft, found, support


def amendment_context(
    draft: Draft,
    found: Amendment,
    actor: Member,
    stamps: fragments.Tokens,
    *,
    support: queries.Support | None = None,
    forms: Mapping[str, FlaskForm] | None = None,
) -> dict[str, Any]:
    """What an amendment page shows: its change against the text it amends, its support (a
    part the page cache keeps), what the member may do with it, and the debate, papers and
    votes on it. `stamps` come from `amendment_stamps`, read before `draft` and `found`;
    `support`, when read with them (`viewed_amendment`).
    `forms`: the forms as posted, after a refusal, shown again with their input and errors in
    place of fresh ones."""
    subject = subject_of(SubjectType.AMENDMENT, found)
    support = support or queries.support_of(found, actor)
    is_proposer = found.proposer_id == actor.id
    can_edit = can_edit_amendment(actor, found, support.seconds)

    def render() -> fragments.Part:
        queries.with_relations(found)
        page = queries.amendment_page(draft, found, support)
        return fragments.Part(
            fragments.rendered_blocks(
                "drafts/_amendment_parts.html",
                draft=draft,
                amendment=found,
                page=page,
                rows=rendered.change_diff(page.version, queries.as_change(found)),
                lines={p.number: p for p in page.paragraphs},
                sponsorship=queries.sponsorship_line(found, page.cosponsor_tendencies),
                seconds=support.seconds,
                is_proposer=is_proposer,
                can_edit=can_edit,
            )
        )

    variant = (subject.state, is_proposer, can_edit)
    sponsor = found.sponsor_tendency
    convening = can_convene(actor, draft, {m.id for m in kept_conveners(draft, stamps)})
    if convening:
        queries.with_relations(found, proposer=False)  # the conveners' panel names its group
    can_withdraw = can_withdraw_amendment(actor, found)
    return {
        "draft": draft,
        "amendment": found,
        # A refusal's page renders its parts for itself: its rows were read before the stamps.
        "parts": fragments.part("amendment", stamps, variant, render, live=bool(forms)),
        "seconds": support.seconds,
        "already_seconded": support.viewer_seconded,
        "convening": convening,
        "can_edit": can_edit,
        "can_withdraw": can_withdraw,
        "can_second": can_second_amendment(actor, found, support.viewer_seconded),
        "can_unsecond": can_withdraw_second(actor, found, support.viewer_seconded),
        "coordinating_sponsor": sponsor is not None and is_coordinator(actor, sponsor),
        "cosponsoring": support.viewer_cosponsors,
        # Built only for those shown them: the conveners' and the proposer's.
        "reason_form": ReasonForm(formdata=None) if convening else None,
        "optional_reason_form": OptionalReasonForm(formdata=None) if can_withdraw else None,
        **(forms or {}),
        **debate_context(subject, stamps=stamps),
        **positions_context(subject, stamps=stamps),
        **votes_context(subject, stamps=stamps),
    }


def merge_preview_context(draft: Draft, args: Mapping[str, str]) -> dict[str, Any]:
    """What merging the amendments ticked in `args` would make of the current version, or why
    it cannot. Raises ValidationError when none is ticked."""
    amendments = queries.amendments_of(draft)
    form = SelectionForm.among(amendments, formdata=args, meta={"csrf": False})
    if not form.validate():
        raise ValidationError("Choose at least one accepted or adopted amendment to merge.")
    chosen = form.chosen()
    version = queries.version(draft, draft.current_version_number)
    if version is None:
        raise NotFound("This draft has no current version.")
    changes = [queries.as_change(a) for a in chosen]
    refusals = [
        f"{a.label} is {a.state_label}; only accepted or adopted amendments can be merged."
        for a in chosen
        if a.state not in MERGEABLE_AMENDMENT_STATES or a.version_id != version.id
    ] + [f"{a.label} and {b.label} change the same paragraphs." for a, b in _clashes(chosen)]
    old = rendered.markdowns(version)
    rows = (
        []
        if refusals
        else text.diff_paragraphs(old, text.merge_changes(old, changes), display=displayed)
    )
    return {
        "draft": draft,
        "version": version,
        "chosen": chosen,
        "rows": [row for row in rows if row.kind != "equal"],
        "unchanged": sum(1 for row in rows if row.kind == "equal"),
        "refusals": refusals,
    }


def _clashes(chosen: list[Amendment]) -> list[tuple[Amendment, Amendment]]:
    return [
        (a, b)
        for i, a in enumerate(chosen)
        for b in chosen[i + 1 :]
        if text.collides(queries.as_change(a), queries.as_change(b))
    ]


def sponsor(actor: Member, amendment: Amendment, verb: str, reason: str) -> str:
    """Ask the actor's tendency to sponsor the amendment, confirm or decline its sponsorship;
    the message to show (the view commits)."""
    if verb == "request":
        tendency = services.request_sponsorship(actor, amendment)
        return f"{tendency.name}'s coordinators are asked to sponsor {amendment.label}."
    if verb == "confirm":
        services.confirm_sponsorship(actor, amendment)
        return f"Your tendency sponsors {amendment.label}."
    services.decline_sponsorship(actor, amendment, reason)
    return f"{amendment.label} is no longer sponsored."
