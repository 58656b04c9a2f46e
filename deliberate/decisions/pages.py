"""What the decision pages show, and who reads them: members always, anyone when the
organization makes its archive public (sealed records only, members' names only if the setting
says so, never who voted what)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from types import EllipsisType
from typing import Any

from flask import current_app
from flask_login import current_user
from flask_wtf import FlaskForm

from deliberate import fragments
from deliberate.accounts.models import Member
from deliberate.database import utcnow
from deliberate.debate.models import thread_stamp
from deliberate.debate.panels import debate_context
from deliberate.decisions import queries
from deliberate.decisions.chart import commitments_chart
from deliberate.decisions.forms import (
    BORNE_OUT_CHOICES,
    CommitmentForm,
    EvaluationForm,
    MinorityReportForm,
    SealEvaluationForm,
    SealForm,
    dissent_field,
)
from deliberate.decisions.models import Commitment, DecisionRecord, Verdict
from deliberate.decisions.permissions import (
    can_evaluate,
    can_read_archive,
    can_record_commitment,
    can_write_record,
)
from deliberate.decisions.services import commitment_of, dissents_of
from deliberate.decisions.watches import ARCHIVE_STAMP, stamp_of
from deliberate.drafts.models import stamp_of as draft_stamp
from deliberate.errors import DomainError, NotFound, PermissionDenied, ValidationError
from deliberate.extensions import db, login_manager
from deliberate.forms import ActionForm
from deliberate.fragments import PEOPLE, Tokens
from deliberate.papers.models import PAPERS_STAMP, PositionPaper
from deliberate.papers.panels import positions_context
from deliberate.routing import id_from, search_text, whole_number
from deliberate.subjects import SubjectType, subject_of
from deliberate.tendencies.queries import MembershipView, tendency_names
from deliberate.voting.models import Vote
from deliberate.voting.pages import chart_for
from deliberate.voting.queries import member_names
from deliberate.voting.rules import POSITION_LABELS
from deliberate.voting.watches import stamp_of as vote_stamp

OUTCOMES = ("adopted", "rejected")


def archive_is_public() -> bool:
    return bool(current_app.config.get("ARCHIVE_PUBLIC"))


def names_shown() -> bool:
    """Members see each other's names; the public only if the organization says so."""
    return bool(current_user.is_authenticated or current_app.config.get("ARCHIVE_PUBLIC_NAMES"))


def public_minimum() -> int:
    """Where members are not named, the fewest entries a group needs to be shown by name:
    the same minimum as a secret vote's breakdown by tendency."""
    return int(current_app.config.get("SECRET_BREAKDOWN_MIN", 10))


def viewer() -> Member | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


def require_reader() -> Any:
    """None if the visitor may read the archive, else the login redirect (or a refusal for a
    suspended member)."""
    if can_read_archive(current_user, public=archive_is_public()):
        return None
    if current_user.is_authenticated:
        raise PermissionDenied("Your account is not active.")
    return login_manager.unauthorized()


def readable_record(record_id: int) -> DecisionRecord:
    """The record, if the visitor may read it: records still being written are the members'
    only, and for anyone else they do not exist."""
    return _readable(queries.get_record(record_id))


def readable_record_and_entry(record_id: int) -> tuple[DecisionRecord, Commitment | None]:
    """The record as `readable_record` gives it, and the member's own entry on it (None for
    the public), read together."""
    member = viewer()
    record, mine = queries.record_and_entry(record_id, member.id if member else None)
    return _readable(record), mine


def _readable(record: DecisionRecord | None) -> DecisionRecord:
    if record is None or (not record.is_sealed and viewer() is None):
        raise NotFound("That decision record does not exist.")
    return record


def _choice(args: Mapping[str, str], name: str, allowed: set[str], what: str) -> str | None:
    raw = args.get(name) or ""
    if not raw:
        return None
    if raw not in allowed:
        raise ValidationError(f"{what} is not one of those offered.")
    return raw


def _day(args: Mapping[str, str], name: str) -> date | None:
    raw = args.get(name) or ""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as error:
        raise ValidationError("Write dates as YYYY-MM-DD.") from error


def filters_from(
    args: Mapping[str, str], kinds: list[str] | tuple[str, ...] | None = None
) -> queries.ArchiveFilters:
    """The archive's filters from the query string (`kinds`: the kinds of record there are,
    when read already); 400 naming what is wrong."""
    tendency = args.get("tendency") or ""
    return queries.ArchiveFilters(
        public_minimum=None if names_shown() else public_minimum(),
        query=search_text(args)[:200],
        kind=_choice(
            args, "kind", set(queries.record_kinds() if kinds is None else kinds), "The kind"
        ),
        tendency_id=whole_number(tendency, "The tendency", 10**9) if tendency else None,
        outcome=_choice(args, "outcome", set(OUTCOMES), "The outcome"),
        verdict=_choice(args, "verdict", {v.value for v in Verdict}, "The verdict"),
        borne_out=_choice(args, "borne_out", {"1"}, "“Dissent borne out”") == "1",
        decided_from=_day(args, "from"),
        decided_until=_day(args, "to"),
    )


def archive_context(args: Mapping[str, str], page: int) -> dict[str, Any]:
    """The archive: its filters' choices and its list with the chain's head (kept between
    requests under the archive's stamps, read first: fragments.py), and the conveners' and
    evaluators' lists of what waits for them."""
    stamps = fragments.tokens(ARCHIVE_STAMP, PEOPLE)
    kinds = fragments.kept(
        "record kinds", stamps.only(ARCHIVE_STAMP), None, lambda: tuple(queries.record_kinds())
    )
    filters = filters_from(args, kinds)
    today = utcnow().date()
    shown = {k: v for k, v in args.items() if k != "page" and v}

    def render() -> fragments.Part:
        rows, more = queries.archive(filters, page=page)
        return fragments.Part(
            fragments.rendered_blocks(
                "decisions/_archive_parts.html",
                rows=rows,
                page=page,
                has_more=more,
                args=shown,
                head=queries.chain_head(),
                today=today,
            )
        )

    member = viewer()
    return {
        # The filter by tendency and the search read members' entries and the minority
        # reports' papers, which the archive's stamp does not cover: rendered every time.
        "parts": fragments.part(
            "archive",
            stamps.only(ARCHIVE_STAMP),
            (filters, page, today, tuple(sorted(shown.items()))),
            render,
            live=filters.tendency_id is not None or bool(filters.words),
        ),
        "filters": filters,
        "page": page,
        "kinds": kinds,
        "tendencies": fragments.kept(
            "tendency names", stamps.only(PEOPLE), None, lambda: tuple(tendency_names())
        ),
        "verdicts": [(v.value, v.label) for v in Verdict],
        "today": today,
        "args": shown,
        "convening": bool(member and member.is_convener),
        "drafting": queries.drafting_records() if member and member.is_convener else [],
        "due": queries.evaluations_due(today) if member and can_evaluate(member) else [],
    }


def _result_shown(vote: Vote) -> dict[str, Any] | None:
    result: dict[str, Any] | None = json.loads(vote.result_json) if vote.result_json else None
    if result is not None and not names_shown():
        # A roll call's breakdown counts every tendency, one of a single voter too: unnamed,
        # it would still say how that voter voted. A secret vote's has its own minimum.
        hidden = {"roll_call", *(() if vote.secret else ("by_tendency",))}
        result = {k: v for k, v in result.items() if k not in hidden}
    return result


def record_stamps(record_id: int) -> fragments.Tokens | None:
    """The stamps of a record page's kept parts (its body, its thread, what the tendencies
    say), read before the record's rows: what is kept is never older (fragments.py). None
    when there is no such record. (The record's vote and adopted draft never change.)"""
    vote, draft = queries.record_sources(record_id)
    stamps, (vote_id, _draft_id) = fragments.tokens_and_ids(
        [
            stamp_of(record_id),
            thread_stamp(SubjectType.DECISION.value, record_id),
            PEOPLE,
            PAPERS_STAMP,
        ],
        [(vote_stamp, vote), (draft_stamp, draft)],
    )
    return None if vote_id is None else stamps


def record_page(
    record: DecisionRecord,
    forms: Mapping[str, FlaskForm] | None = None,
    *,
    stamps: fragments.Tokens | None = None,
    mine: Commitment | EllipsisType | None = ...,
) -> dict[str, Any]:
    """The record page: the record's body (a part kept for every reader alike until the
    record, its vote, its adopted text or a name it shows changes; `stamps` from
    `record_stamps`, read before `record`; without, rendered for this request alone), and
    for a member their entry, its form, its debate and what the tendencies say.
    `forms`: a form as posted (`commitment_form`, `report_form`, `seal_form`), when it was
    refused, shown again with the member's input and the message beside the field.
    `mine`: the member's own entry, when read with the record (`readable_record_and_entry`)."""
    member = viewer()
    names = names_shown()
    today = utcnow().date()
    thread = thread_stamp(SubjectType.DECISION.value, record.id)
    keys = [key for key, _token in stamps.values if key != thread] if stamps else []
    facts = (
        fragments.kept("record facts", stamps.only(*keys), record.id, lambda: _facts(record))
        if stamps
        else _facts(record)
    )
    evaluation = facts.evaluation
    body = fragments.part(
        "decision record",
        stamps.only(*keys) if stamps else Tokens(()),
        # What the body shows besides its rows: the public are told less than members.
        (record.id, names, member is not None, today, None if names else public_minimum()),
        lambda: fragments.Part(
            (fragments.rendered("decisions/_record_body.html", **record_context(record)),)
        ),
        live=stamps is None,
    )
    context: dict[str, Any] = {
        "record": record,
        "record_body": body.pieces[0],
        "evaluation": evaluation,
        # Who wrote each revision is named to members (and where the organization names them).
        "revisions": [(r, author if names else "") for r, author in facts.revisions],
        "names": names,
        "today": today,
        "member": member,
    }
    if member is not None:
        subject = subject_of(SubjectType.DECISION, record)
        positions = positions_context(subject, stamps=stamps)
        context |= debate_context(subject, stamps=stamps) | positions
        context |= _member_context(
            record,
            member,
            commitment_of(record, member) if mine is ... else mine,
            evaluation,
            forms or {},
            positions["viewer_membership"],
            stamps,
        )
    return context


@dataclass(frozen=True)
class EvaluationShown:
    """Whether a record's evaluation is open or sealed, as the record page says it."""

    id: int
    is_sealed: bool


@dataclass(frozen=True)
class RevisionShown:
    number: int
    written_at: datetime
    outcome_markdown: str
    unity_markdown: str


@dataclass(frozen=True)
class RecordFacts:
    """What the record page reads of the record besides its body, the same for every reader:
    its evaluation and the revisions of its statements with their authors (kept between
    requests under the record's stamps)."""

    evaluation: EvaluationShown | None
    revisions: tuple[tuple[RevisionShown, str], ...]


def _facts(record: DecisionRecord) -> RecordFacts:
    evaluation = queries.evaluation_of(record)
    return RecordFacts(
        EvaluationShown(evaluation.id, evaluation.is_sealed) if evaluation else None,
        tuple(
            (
                RevisionShown(r.number, r.written_at, r.outcome_markdown, r.unity_markdown),
                author,
            )
            for r, author in queries.revisions(record)
        ),
    )


def record_context(record: DecisionRecord) -> dict[str, Any]:
    """Everything the record's body shows (`decisions/_record_body.html`), the same for every
    reader of the page and of its print version (members are told more than the public)."""
    member = viewer()
    vote = db.session.get_one(Vote, record.vote_id)
    result = _result_shown(vote)
    names = names_shown()
    summary = queries.commitment_summary(record)
    if not names:
        summary = queries.public_summary(summary, minimum=public_minimum())
    evaluation = queries.evaluation_of(record)
    dissents, more_dissents = queries.disagreements(record)
    dissents = [replace(d, tendency="") if d.tendency in summary.hidden else d for d in dissents]
    return {
        "record": record,
        "vote": vote,
        "result": result,
        "chart": chart_for(vote, result) if result else None,
        "positions": POSITION_LABELS,
        "roll_call_names": _roll_call_names(result),
        "adopted": queries.adopted_text(record),
        "summary": summary,
        "commitments_chart": commitments_chart([summary.overall, *summary.by_tendency])
        if summary.overall.entries
        else None,
        "dissents": dissents,
        "more_dissents": more_dissents,
        "reports": queries.minority_reports(record),
        "evaluation": evaluation,
        "assessments": queries.assessments(evaluation) if evaluation else {},
        "seal": queries.seal_link(record),
        "links": queries.links(record),
        "names": names,
        "today": utcnow().date(),
        "member": member,
    }


def _roll_call_names(result: dict[str, Any] | None) -> dict[int, str]:
    if not result or "roll_call" not in result:
        return {}
    return member_names([row["member_id"] for row in result["roll_call"]])


def _member_context(
    record: DecisionRecord,
    member: Member,
    mine: Commitment | None,
    evaluation: Any,
    posted: Mapping[str, FlaskForm],
    membership: MembershipView | None,
    stamps: fragments.Tokens | None,
) -> dict[str, Any]:
    coordinates = membership is not None and membership.is_coordinator
    report_form = None
    if coordinates and membership is not None and record.is_sealed:
        report_form = posted.get("report_form") or MinorityReportForm(formdata=None)
        papers = queries.attachable_papers(record, membership.tendency_id)
        report_form.paper.choices = [(p.id, p.title) for p in papers]
    can_commit = can_record_commitment(member, record, evaluation)
    can_write = can_write_record(member, record)

    def render_entry() -> fragments.Part:
        commitment_form = posted.get("commitment_form") or CommitmentForm(
            formdata=None,
            data={
                "commits": mine.commits if mine else True,
                "disagreement": mine.disagreement_markdown if mine else "",
            },
        )
        entry = fragments.rendered(
            "decisions/_your_entry.html",
            record=record,
            member=member,
            mine=mine,
            can_commit=can_commit,
            commitment_form=commitment_form,
        )
        return fragments.Part((entry,))

    # Every member without an entry is shown the same section; one with an entry, or a form
    # refused, their own.
    entry = (
        fragments.part(
            "your entry",
            stamps.only(stamp_of(record.id)) if stamps else Tokens(()),
            (record.id, can_commit),
            render_entry,
            live=stamps is None or mine is not None or "commitment_form" in posted,
        ).pieces[0]
        if record.is_sealed
        else None
    )
    return {
        "mine": mine,
        "can_commit": can_commit,
        "can_write": can_write,
        "can_evaluate": can_evaluate(member),
        # Before opening the evaluation (which freezes entries): how many have not entered.
        "without_entry": queries.members_without_entry(record)
        if can_evaluate(member) and record.is_sealed and evaluation is None
        else None,
        "your_entry": entry,
        "report_form": report_form if report_form and report_form.paper.choices else None,
        "coordinates": coordinates,
        "seal_form": (posted.get("seal_form") or SealForm(formdata=None)) if can_write else None,
    }


def evaluation_context(
    record: DecisionRecord, seal_form: SealEvaluationForm | None = None
) -> dict[str, Any]:
    """What the evaluation page shows, its form filled from the evaluation as it stands: the
    verdict, the assessment, and whether events bore out each dissent and minority report.
    `seal_form`: the seal as posted, when it was refused, with the message beside its box.
    Raises NotFound when the evaluation is not open yet."""
    evaluation = queries.evaluation_of(record)
    if evaluation is None:
        raise NotFound("This decision has no evaluation yet.")
    # The evaluation form reads the request, unless the request was the seal's.
    unposted: dict[str, Any] = {"formdata": None} if seal_form is not None else {}
    form = EvaluationForm(
        **unposted,
        data={"verdict": evaluation.verdict or "", "assessment": evaluation.assessment_markdown},
    )
    dissents = queries.all_disagreements(record)
    reports = queries.minority_reports(record)
    assessed = queries.assessments(evaluation)
    return {
        "record": record,
        "evaluation": evaluation,
        "form": form,
        "keys": dissents_of(record),
        "dissents": {d.member_id: d for d in dissents},
        "reports": {r.id: r for r in reports},
        "assessed": assessed,
        "field_name": dissent_field,
        "borne_out_choices": BORNE_OUT_CHOICES,
        "names": names_shown(),
        "seal_form": seal_form or SealEvaluationForm(formdata=None),
        "action_form": ActionForm(),
    }


def evaluation_shown(
    context: dict[str, Any], member: Member, error: DomainError | None
) -> dict[str, Any]:
    """The evaluation page's `context` with its debate, what the member may do, and a refusal
    to show beside the form; read only when the page is rendered, not on a saved form."""
    subject = subject_of(SubjectType.EVALUATION, context["evaluation"])
    return {
        **context,
        **debate_context(subject),
        "can_evaluate": can_evaluate(member),
        "error": error,
    }


def entry_names(history: list[Any]) -> dict[str, Any]:
    """The member's name and the tendencies named by their entries."""
    names = member_names([history[0].member_id])
    return {
        "member_name": names.get(history[0].member_id, "former member"),
        "tendency_names": dict(tendency_names()),
    }


def chosen_paper(form: Mapping[str, str]) -> PositionPaper:
    """The position paper a minority report form names. Raises ValidationError when it names
    none that exists (the service judges whether it may be attached)."""
    paper_id = id_from(form.get("paper", ""))
    paper = db.session.get(PositionPaper, paper_id) if paper_id is not None else None
    if paper is None:
        raise ValidationError("Choose a published position paper of your tendency.")
    return paper
