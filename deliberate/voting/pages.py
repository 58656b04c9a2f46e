"""What the vote pages need beyond one service call: reading the query, building the page.

The views stay adapters; this module turns request arguments and forms into service calls
and stored results into what the templates show. It imports Flask only for rendering and
redirecting, never for state: every change goes through `deliberate.voting.services`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template, url_for
from markupsafe import Markup

from deliberate import fragments, subjects
from deliberate.accounts.models import Member
from deliberate.bodies.queries import body_choices
from deliberate.database import utcnow
from deliberate.debate.models import thread_stamp
from deliberate.errors import DomainError, NotFound, PermissionDenied, ValidationError
from deliberate.filters import format_datetime
from deliberate.fragments import PEOPLE
from deliberate.papers.models import PAPERS_STAMP
from deliberate.routing import id_from
from deliberate.subjects import SubjectType
from deliberate.timezones import plural
from deliberate.voting import chart, hooks, publish, queries, results, rules, services
from deliberate.voting.forms import (
    CloseForm,
    MeetingForm,
    PaperBallotsForm,
    VoteForm,
    ballot_from_form,
)
from deliberate.voting.models import Vote, VoteOption
from deliberate.voting.permissions import can_run_votes
from deliberate.voting.results import NO_TENDENCY, OTHERS
from deliberate.voting.vocabulary import (
    BlockRule,
    Quota,
    RankedThreshold,
    StvVariant,
    Threshold,
    TieBreak,
    VoteMethod,
)
from deliberate.voting.watches import stamp_of

MAX_UPLOAD = 5 * 1024 * 1024
STV_VARIANT_NAMES: dict[str, str] = {
    StvVariant.WIGM: "weighted inclusive Gregory",
    StvVariant.SCOTTISH: "Scottish STV",
    StvVariant.MEEK: "Meek",
}
FREE_PURPOSES = ("question", "election")
# The method of a vote in a few words, for lists.
METHOD_WORDS: dict[str, str] = {
    VoteMethod.MAJORITY: "Yes or no",
    VoteMethod.IRV: "Ranked choice, one winner",
    VoteMethod.STV: "Ranked choice",  # with the number of seats
    VoteMethod.CONSENSUS: "Consensus",
    VoteMethod.SCHULZE: "Ranked choice, every pair compared",
}


def method_words(vote: Vote) -> str:
    """The vote's method in words ("Ranked choice, 3 seats"), never its code ("stv")."""
    if vote.method == VoteMethod.STV:
        return f"Ranked choice, {plural(vote.seats, 'seat')}"
    return METHOD_WORDS.get(vote.method, vote.method)


def standing_words(vote: Vote, standing: queries.Standing | None) -> str:
    """Where the member stands in a vote, for the list of votes."""
    if vote.in_person:
        return "Held at a meeting"
    if vote.is_scheduled or standing is None:
        return "The roll is taken when it opens"
    if vote.is_cancelled:
        return "Cancelled"
    if standing.voted:
        return "You voted on paper" if standing.on_paper else "You voted"
    if not standing.on_roll:
        return "You are not on the roll"
    return "You may vote" if vote.is_open else "You did not vote"


def purpose_from_args(
    args: Mapping[str, str],
) -> tuple[hooks.Purpose, int | None, hooks.Proposal | None]:
    """The purpose (`?purpose=`) and subject (`?subject=`) a vote is being made for."""
    name = args.get("purpose", "question")
    purpose = hooks.purpose(name)
    if purpose is None:
        raise NotFound("That kind of vote is not known here.")
    if purpose.propose is None:
        return purpose, None, None
    subject_id = id_from(args.get("subject", ""))
    if subject_id is None:
        raise NotFound(f"Say which {purpose.label.lower()} is put to the vote.")
    return purpose, subject_id, purpose.propose(subject_id)


def prepare_vote_form(form: VoteForm, purpose: hooks.Purpose, *, in_person: bool = False) -> None:
    methods = [m for m in purpose.methods if not (in_person and m == VoteMethod.CONSENSUS)]
    form.limit_methods(methods)
    form.set_bodies(body_choices())


def start_vote(
    actor: Member, form: VoteForm, purpose: hooks.Purpose, subject_id: int | None
) -> Vote:
    """Put the question to a vote as the form says: the purpose's domain starts it, or a free
    question is made with the form's own question and options."""
    settings = form.settings()
    opens_at, closes_at = form.times()
    if purpose.start is not None and subject_id is not None:
        return purpose.start(actor, subject_id, settings, opens_at, closes_at)
    return services.create_vote(
        actor,
        title=form.title.data or "",
        settings=settings,
        description=form.description.data or "",
        options=[services.OptionSpec(label) for label in settings.options],
        purpose=purpose.name,
        opens_at=opens_at,
        closes_at=closes_at,
        by_nomination=purpose.name == "election" and bool(form.by_nomination.data),
        nominations_close_at=form.nominations_close() if form.by_nomination.data else None,
    )


def record_meeting_vote(
    actor: Member, form: MeetingForm, purpose: hooks.Purpose, subject_id: int | None
) -> Vote:
    """Record a vote taken at a meeting: on a free question or an election as the form says,
    or on a subject (an amendment, a competing group, a draft's adoption), which the purpose's
    domain puts to the vote as it does for a vote held here."""
    settings = form.settings()
    held_at = form.held_at.data
    upload = form.ballot_file.data
    free = purpose.start is None
    return services.record_in_person_vote(
        actor,
        title=form.title.data or "",
        settings=settings,
        description=form.description.data or "" if free else "",
        options=[services.OptionSpec(label) for label in settings.options] if free else (),
        purpose=purpose.name,
        subject_id=None if free else subject_id,
        counted=services.MeetingCount(
            yes=form.yes.data or 0,
            no=form.no.data or 0,
            abstain=form.abstain.data or 0,
            ballot_file=_read(upload) if upload else None,
            filename=getattr(upload, "filename", "") or "",
        ),
        present=form.present.data or 0,
        held_at=held_at or utcnow(),
    )


def import_paper_ballots(actor: Member, vote: Vote, form: PaperBallotsForm) -> int:
    """Add the form's paper ballots to the vote, with its register of who voted on paper."""
    return services.import_paper_ballots(
        actor,
        vote,
        form.ballot_file.data.filename or "",
        read_upload(form),
        register=form.register.data or "",
    )


def import_page(vote: Vote, form: PaperBallotsForm, error: DomainError | None) -> str:
    """The paper ballots form; a refusal's message goes beside the field it is about."""
    if error is not None:
        field = form.register if isinstance(error, services.RegisterRefused) else form.ballot_file
        field.errors = [*field.errors, error.message]
    return render_template("votes/import.html", vote=vote, form=form, error=error)


def _read(upload: Any) -> bytes:
    data = upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise ValidationError("The file is larger than 5 MB.")
    return data


def read_upload(form: PaperBallotsForm) -> bytes:
    return _read(form.ballot_file.data)


def closed(vote: Vote) -> Vote:
    """The vote, if closed: results and ballots are published only then."""
    if not vote.is_closed:
        raise NotFound("Results and ballots are published when the vote closes.")
    return vote


@dataclass(frozen=True)
class Explained:
    """The settings of a vote in words, as the ballot shows them before anyone votes."""

    method: str
    lines: list[str]


def explain(vote: Vote) -> Explained:
    lines: list[str] = []
    if vote.method == VoteMethod.MAJORITY:
        threshold = rules.THRESHOLD_LABELS[vote.threshold or Threshold.SIMPLE]
        lines.append("Majority needed: " + threshold + ".")
        lines.append(
            "Abstentions count in the base."
            if vote.abstentions_in_base
            else "Abstentions are reported but not counted in the base."
        )
    if vote.method == VoteMethod.STV:
        variant = STV_VARIANT_NAMES[vote.stv_variant or StvVariant.WIGM]
        quota = "Hare" if vote.quota == Quota.HARE else "Droop"
        if vote.ranked_threshold == RankedThreshold.FRACTIONAL:
            quota = "fractional Droop quota (votes ÷ (seats + 1) to 4 decimal places, plus 0.0001)"
        else:
            quota += " quota"
        lines.append(f"{plural(vote.seats, 'seat')}; {variant}, {quota}.")
        if vote.one_winner_per_round:
            lines.append(
                "One candidate is elected per round: when several reach the quota, the one with "
                "the most votes; the others may then receive part of that surplus."
            )
    if vote.method == VoteMethod.IRV and vote.ranked_threshold == RankedThreshold.FIRST_ROUND:
        lines.append(
            "To win, an option needs more than half of the first round's votes, kept through "
            "the count; if none reaches it, the count goes on until one option is left."
        )
    if vote.method == VoteMethod.SCHULZE:
        lines.append(
            "Every pair of options is compared: an option you rank is preferred to every option "
            "ranked after it and to every option you leave out."
        )
    if vote.is_ranked:
        lines.append("Rank as many options as you like; an unranked option gets no preference.")
        if vote.shuffled:
            lines.append(
                "The options are listed in a random order of your own, so that none gains from "
                "being listed first; your ranking is counted the same whatever the order."
            )
        lines.append(
            "Ties are settled by the lot drawn at opening."
            if vote.tie_break == TieBreak.LOT or vote.method == VoteMethod.SCHULZE
            else "Ties are settled by earlier rounds, then by the lot drawn at opening."
        )
    if vote.method == VoteMethod.CONSENSUS:
        rule = rules.BLOCK_RULE_LABELS[vote.block_rule or BlockRule.NO_DECISION]
        if vote.block_rule == BlockRule.FALLBACK:
            share = rules.share_words(vote.fallback) if vote.fallback is not None else "?"
            rule += f" of at least {share} of those who take part, less stand-asides"
        lines.append(rule[0].upper() + rule[1:] + ".")
        lines.append("A block needs a reason; the other positions may give one.")
    lines.append(
        f"Quorum: {vote.quorum_percent}% of the roll must take part."
        if vote.quorum_percent
        else "No quorum."
    )
    if vote.secret:
        lines.append(
            "Secret ballot: who voted is stored apart from what was chosen; you get a receipt "
            "code to check your ballot in the published list after the close."
        )
        if not vote.receipts_show_content:
            lines.append(
                "Your receipt proves that your ballot was counted, not what it says: the "
                "receipts and the ballots are published as two separate lists."
            )
        if vote.breakdown_by_tendency:
            minimum = current_app.config.get("SECRET_BREAKDOWN_MIN", 10)
            lines.append(
                "The result will also be broken down by tendency, for tendencies with at least "
                f"{minimum} voters; smaller groups are merged into “others”, and no breakdown "
                f"is published unless “others” also has at least {minimum} (or none)."
            )
    else:
        lines.append("Roll-call: the results show who voted what, grouped by tendency.")
    lines.append(
        "You may replace your ballot until the close."
        if vote.replaceable
        else "A ballot cannot be replaced once cast."
    )
    return Explained(method=rules.METHOD_LABELS[vote.method], lines=lines)


def vote_stamps(vote_id: int) -> fragments.Tokens:
    """The stamps of a vote page's kept parts (its result, its thread, what the tendencies
    say), read before the vote's rows: what is kept is never older (fragments.py)."""
    return fragments.tokens(
        stamp_of(vote_id),
        thread_stamp(SubjectType.VOTE.value, vote_id),
        PEOPLE,
        PAPERS_STAMP,
        *hooks.purpose_stamps(),
    )


def vote_page(
    vote: Vote,
    member: Member,
    *,
    refused: DomainError | None = None,
    ballot_input: Mapping[str, str] | None = None,
    close_form: CloseForm | None = None,
    stamps: fragments.Tokens | None = None,
) -> dict[str, Any]:
    """Everything the vote page shows; after a refused ballot, the refusal (shown beside the
    field it names) and what the member sent, for the ballot form to show again; after a
    refused early close, why. `stamps` from `vote_stamps`, read before `vote`; without, the
    result is rendered for this request alone."""
    purpose = hooks.purpose(vote.purpose)
    result = vote.result
    # Where the reader stands and the turnout matter while the vote is open (the ballot);
    # afterwards the result says who took part.
    standing, voted_count = (
        queries.standing_and_count(vote, member) if vote.is_open else (None, None)
    )
    second_round = result is not None and result["count"].get("outcome") == "second_round_needed"
    return {
        "vote": vote,
        "purpose": purpose,
        "ballot_options": ballot_options(vote, member),
        **_of_purpose(vote, purpose, stamps),
        "explained": explain(vote),
        "standing": standing,
        "voted_count": voted_count,
        "now": utcnow(),
        "running": can_run_votes(member),
        "result": result,
        "results_part": results_part(vote, result, stamps) if result else None,
        "positions": rules.POSITION_LABELS,
        "candidates": queries.candidates(vote),
        "ballot_error": refused.message if refused else None,
        "ballot_field": refused.field if refused else None,
        # The early close's form, for the conveners of an open vote alone.
        "close_form": close_form
        or (CloseForm() if vote.is_open and can_run_votes(member) else None),
        "turnout": turnout(vote) if vote.is_open and can_run_votes(member) else None,
        "turnout_minimum": current_app.config.get("SECRET_BREAKDOWN_MIN", 10),
        "closes_early": early(vote),
        "close_error": close_form.confirm_early.errors[0]
        if close_form and close_form.confirm_early.errors
        else None,
        "ballot_input": ballot_input or {},
        "member_key": member_key(member),
        "next_round": queries.next_round(vote) if second_round else None,
        "related": [
            (label, url_for(endpoint, **values)) for label, endpoint, values in _links(vote, stamps)
        ]
        if vote.is_closed
        else [],
    }


def ballot_options(vote: Vote, member: Member) -> list[tuple[int, VoteOption]]:
    """The options as this member's ballot lists them, each with the number of its rank field
    (`rank_<n>`, n its place in the vote's order). A vote with `shuffled` lists them in an
    order of the member's own, the same on every page and visit: each option sorted by an
    HMAC, under the app's key, of the vote, the member and the option. Nothing is stored, and
    the ballot names options, not places."""
    numbered = list(enumerate(vote.options, start=1))
    if not vote.shuffled:
        return numbered
    secret = str(current_app.config["SECRET_KEY"]).encode()

    def place(item: tuple[int, VoteOption]) -> bytes:
        message = f"deliberate-ballot-order:{vote.id}:{member.id}:{item[0]}".encode()
        return hmac.new(secret, message, hashlib.sha256).digest()

    return sorted(numbered, key=place)


def _of_purpose(
    vote: Vote, purpose: hooks.Purpose | None, stamps: fragments.Tokens | None
) -> dict[str, Any]:
    """What the vote page shows of the domain behind the vote's purpose: the link to its
    subject and, while the vote is open, what each option proposes. Kept under the vote's
    stamp and the purpose's own (`hooks.Purpose.stamps`), which its domain's every change to
    them touches; read for this request alone when the purpose names none."""

    def load() -> tuple[tuple[str, str] | None, tuple[tuple[int, hooks.OptionText], ...]]:
        texts = option_texts(vote) if vote.is_open else {}
        return _subject_link(vote), tuple(sorted(texts.items()))

    if stamps is None or purpose is None or not purpose.stamps:
        link, texts = load()
    else:
        link, texts = fragments.kept(
            "vote purpose",
            stamps.only(stamp_of(vote.id), *purpose.stamps),
            (vote.id, vote.is_open),
            load,
        )
    return {"subject_link": link, "option_texts": dict(texts)}


def option_texts(vote: Vote) -> dict[int, hooks.OptionText]:
    """What each option proposes, by option position, as the purpose's domain shows it (an
    amendment's change); empty when the options are their labels."""
    purpose = hooks.purpose(vote.purpose)
    if purpose is None or purpose.option_texts is None or not vote.is_ranked:
        return {}
    return dict(purpose.option_texts(vote, vote.options))


def receipts_page(vote: Vote, member: Member, page: int) -> str:
    """A page of a closed secret vote's published receipts: the hashes and, apart, the
    ballots; or, for content-verifiable receipts, each hash beside its ballot. With what this
    browser needs to find the receipt it kept for the member (votes.js): its key."""
    finding = {"member_key": member_key(member), "page_size": queries.RECEIPTS_PAGE_SIZE}
    if vote.receipts_show_content:
        ballots, more = queries.published_page(vote, page)
        rows = [
            (receipt, publish.describe(vote.method, content), weight)
            for receipt, content, weight in ballots
        ]
        return render_template(
            "votes/receipts.html", vote=vote, rows=rows, page=page, has_more=more, **finding
        )
    hashes, more_hashes = queries.receipts_page(vote, page)
    counted, more_ballots = queries.ballot_groups(vote, page)
    groups = [(count, publish.describe(vote.method, content)) for content, count in counted]
    return render_template(
        "votes/receipts.html",
        vote=vote,
        hashes=hashes,
        groups=groups,
        page=page,
        has_more=more_hashes or more_ballots,
        **finding,
    )


def votes_list(member: Member, page: int) -> dict[str, Any]:
    """The list of votes: open and coming, then closed a page at a time, each with where the
    member stands in it; a fixed number of queries however many votes there are."""
    closed, more = queries.votes_in(("closed",), page=page)
    current = queries.open_and_scheduled()
    standings = queries.standings([*current, *closed], member)
    return {
        "current": current,
        "closed": closed,
        "page": page,
        "has_more": more,
        "standing_of": {
            vote.id: standing_words(vote, standings.get(vote.id)) for vote in [*current, *closed]
        },
        "can_run": can_run_votes(member),
    }


@dataclass(frozen=True)
class TurnoutGroup:
    tendency: str
    roll: int
    voted: int


@dataclass(frozen=True)
class Turnout:
    """How many on an open vote's roll have voted, by the tendency the roll took, for the
    conveners: never what anyone voted. A secret vote shows a tendency only when at least
    `minimum` of it have voted, the rest as "others", and nothing when "others" would be a
    smaller group (`withheld` says so): the rule of the published breakdown."""

    groups: list[TurnoutGroup]
    roll: int
    voted: int
    minimum: int | None = None
    withheld: str | None = None


def turnout(vote: Vote) -> Turnout:
    counted = queries.turnout_by_tendency(vote)
    roll, voted = sum(c[2] for c in counted), sum(c[3] for c in counted)
    if not vote.secret:
        groups = [TurnoutGroup(name or NO_TENDENCY, r, v) for _, name, r, v in counted]
        return Turnout(sorted(groups, key=lambda g: g.tendency.casefold()), roll, voted)
    minimum = int(current_app.config.get("SECRET_BREAKDOWN_MIN", 10))
    names = {t: name or NO_TENDENCY for t, name, _, _ in counted if t is not None}
    published = results.published_tendencies(
        {tendency_id: v for tendency_id, _, _, v in counted}, names, breakdown_min=minimum
    )
    if published is None:
        withheld = (
            f"Nothing is shown by tendency yet: a group shown would have fewer than {minimum} "
            "voters."
        )
        return Turnout([], roll, voted, minimum, withheld)
    groups = sorted(
        (
            TurnoutGroup(names[t], r, v)
            for t, _, r, v in counted
            if t is not None and t in published
        ),
        key=lambda g: g.tendency.casefold(),
    )
    rest = [c for c in counted if c[0] not in published]
    if rest:
        groups.append(TurnoutGroup(OTHERS, sum(c[2] for c in rest), sum(c[3] for c in rest)))
    return Turnout(groups, roll, voted, minimum)


def not_voted_page(vote: Vote, page: int) -> str:
    """Who on an open roll-call vote's roll has not voted yet, for a convener to remind them;
    a secret vote shows no one's participation, conveners' included."""
    if not vote.is_open:
        raise NotFound("The list of who has not voted yet is kept while the vote is open.")
    if vote.secret:
        raise NotFound("A secret vote shows no one who has or has not voted, conveners included.")
    members, more = queries.not_voted(vote, page)
    return render_template(
        "votes/not_voted.html",
        vote=vote,
        members=members,
        page=page,
        has_more=more,
        turnout=turnout(vote),
    )


def _links(vote: Vote, stamps: fragments.Tokens | None) -> list[tuple[str, str, dict[str, Any]]]:
    """The pages other domains have about a closed vote (its decision record), kept under the
    vote's stamp: what they link to is made in the transaction that closes the vote."""

    def load() -> tuple[tuple[str, str, tuple[tuple[str, Any], ...]], ...]:
        found = hooks.vote_links(vote)
        return tuple((label, endpoint, tuple(values.items())) for label, endpoint, values in found)

    kept = (
        load()
        if stamps is None
        else fragments.kept("vote links", stamps.only(stamp_of(vote.id)), vote.id, load)
    )
    return [(label, endpoint, dict(values)) for label, endpoint, values in kept]


def results_part(
    vote: Vote,
    result: dict[str, Any],
    stamps: fragments.Tokens | None,
    *,
    variant: Hashable = None,
) -> Markup:
    """A closed vote's stored result as every reader sees it (`votes/_results.html`, with its
    chart): rendered once and kept until the vote or a name it shows changes. `result` is
    what this reader may see of it (`variant` says which: the public archive's leaves out
    the roll call). Nothing in it is the reader's: where they stand, their receipt and
    whether they voted stay out of it."""

    def render() -> fragments.Part:
        names = queries.member_names([row["member_id"] for row in result.get("roll_call", [])])
        shown = fragments.rendered(
            "votes/_results.html",
            vote=vote,
            result=result,
            chart=chart_for(vote, result),
            standing=standing_order(result.get("count") or {}),
            roll_call_names=names,
            positions=rules.POSITION_LABELS,
        )
        return fragments.Part((shown,))

    keys = (stamp_of(vote.id), PEOPLE)
    kept = fragments.part(
        "vote result",
        stamps.only(*keys) if stamps else fragments.Tokens(()),
        (vote.id, variant),
        render,
        live=stamps is None,
    )
    return kept.pieces[0]


def standing_order(count: dict[str, Any]) -> list[str]:
    """A count's options round by round in the order a reader looks for them: the elected in
    the order they were elected, then those still standing by their last count, then the
    eliminated, the last one out first."""
    rounds = count.get("rounds") or []
    elected: list[str] = []
    eliminated: list[str] = []
    for each in rounds:
        votes = each.get("votes") or each.get("tally") or {}
        newly = sorted(each.get("elected") or [], key=lambda name: -(votes.get(name) or 0))
        elected += [name for name in newly if name not in elected]
        eliminated += [name for name in each.get("eliminated") or [] if name not in eliminated]
    last = (rounds[-1].get("votes") or rounds[-1].get("tally") or {}) if rounds else {}
    placed = {*elected, *eliminated}
    standing = [name for name in count.get("candidates") or [] if name not in placed]
    standing.sort(key=lambda name: -(last.get(name) or 0))
    return [*elected, *standing, *reversed(eliminated)]


def member_key(member: Member) -> str:
    """An opaque value per member, stable across sessions, for this browser's keys of kept
    receipts: one member's receipts are never offered to another on a shared browser."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    message = f"deliberate-receipt-key:{member.id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:24]


def _subject_link(vote: Vote) -> tuple[str, str] | None:
    """What the vote decides, as (label, address), through the subjects registry."""
    if vote.subject_type is None or vote.subject_id is None:
        return None
    try:
        label, title, (endpoint, values) = subjects.link(vote.subject_type, vote.subject_id)
    except NotFound:
        return None
    return f"the {label} “{title}”", url_for(endpoint, **values)


def chart_for(vote: Vote, result: dict[str, Any]) -> str | None:
    """The SVG charts of a closed vote's rounds (or of its majority count): one drawn for a
    wide page and one for a phone, the style sheet showing the one that fits the width."""
    if vote.method == VoteMethod.SCHULZE:
        return None  # no rounds: the results show the pairwise matrix and strongest paths
    count = result["count"]
    if vote.is_ranked:
        return chart.rounds_chart(count) + chart.rounds_chart(count, narrow=True)
    if vote.method == VoteMethod.MAJORITY:
        return chart.majority_chart(count) + chart.majority_chart(count, narrow=True)
    return None


def confirmation(vote: Vote, member: Member, checked: dict[str, Any], receipt: str | None) -> str:
    """The page that shows exactly what will be recorded (`checked`, the ballot as
    `services.review_ballot` returns it), before the voter confirms: the ranking with what each
    option proposes, the options left unranked in the ballot's order."""
    ranking = checked.get("ranking", [])
    by_label = {o.label: o for o in vote.options}
    return render_template(
        "votes/confirm.html",
        vote=vote,
        content=checked,
        receipt=receipt,
        ranked=[by_label[label] for label in ranking],
        unranked=[o for _n, o in ballot_options(vote, member) if o.label not in ranking],
        option_texts=option_texts(vote),
        positions=rules.POSITION_LABELS,
        candidates=queries.candidates(vote),
        rank_fields={
            f"rank_{i}": str(checked["ranking"].index(o.label) + 1)
            for i, o in enumerate(vote.options, start=1)
            if o.label in checked.get("ranking", [])
        },
    )


@dataclass(frozen=True)
class BallotStep:
    """What a ballot sent shows the member: the ballot back for confirmation (nothing cast),
    or, once confirmed, the receipt of the ballot just cast."""

    page: str
    cast: bool


def ballot_step(actor: Member, vote: Vote, sent: Mapping[str, str]) -> BallotStep:
    """Read the ballot the member `sent`: without `confirm=1`, the page showing exactly what
    would be recorded; with it, cast the ballot and render its receipt page now, inside the
    transaction (the view commits): the commit expires what the page shows, and the receipt's
    code is shown this once and kept nowhere. Raises the refusals of `ballot_from_form` and
    of `services.review_ballot` or `services.cast_ballot` (ValidationError,
    InvalidTransition, PermissionDenied): the review step meets every refusal the cast would,
    a replacement's wrong receipt code included."""
    labels = [o.label for o in vote.options]
    receipt = sent.get("receipt") or None
    content = ballot_from_form(vote.method, labels, sent)
    if sent.get("confirm") != "1":
        checked = services.review_ballot(actor, vote, content, receipt=receipt)
        return BallotStep(confirmation(vote, actor, checked, receipt), cast=False)
    result = services.cast_ballot(actor, vote, content, receipt=receipt)
    page = render_template(
        "votes/receipt.html",
        vote=vote,
        receipt=result,
        content=content,
        member_key=member_key(actor),
    )
    return BallotStep(page, cast=True)


class EarlyClose(ValidationError):
    """A convener asked to close a vote before its scheduled time without ticking that they
    mean it: the vote page comes back with this message beside the close button."""

    status = 409


def early(vote: Vote) -> bool:
    """Whether closing the vote now would end it before its scheduled close."""
    return vote.is_open and vote.closes_at is not None and utcnow() < vote.closes_at


def act(actor: Member, vote: Vote, verb: str, *, confirmed_early: bool = False) -> str:
    """Open, close or cancel a vote; the message to show (the view commits).

    Conveners do all three; closing before the scheduled time needs `confirmed_early` (the
    ticked confirmation), or raises EarlyClose. Any member may ask to close a vote past its
    scheduled close: the system closes it then, as it would on schedule.
    """
    breakdown_min = current_app.config.get("SECRET_BREAKDOWN_MIN", 10)
    if verb == "close" and services.is_due(vote) and not can_run_votes(actor):
        services.close_vote(None, vote, breakdown_min=breakdown_min)
        message = f"The voting time was over; the vote is now counted: {vote.outcome}"
    elif not can_run_votes(actor):
        raise PermissionDenied("Only conveners run votes.")
    elif verb == "open":
        services.open_vote(actor, vote)
        on_roll = plural(vote.roll_size or 0, "member is", "members are")
        message = f"The vote is open: {on_roll} on its roll."
    elif verb == "close" and early(vote) and not confirmed_early:
        raise EarlyClose(
            f"This vote is scheduled to close {format_datetime(vote.closes_at or utcnow())}, and "
            "members on the roll may still be voting. Tick “Close it before its scheduled "
            "time” to close it now.",
            field="confirm_early",
        )
    elif verb == "close":
        was_closed = vote.is_closed
        services.close_vote(actor, vote, breakdown_min=breakdown_min)
        message = "The vote was already closed." if was_closed else f"Closed: {vote.outcome}"
    else:
        services.cancel_vote(actor, vote)
        message = "The vote is cancelled."
    return message


def close_due(vote: Vote) -> str:
    """Close, as the system, a vote past its scheduled close that a ballot arrived for; the
    message for the member whose ballot came too late."""
    services.close_vote(
        None, vote, breakdown_min=current_app.config.get("SECRET_BREAKDOWN_MIN", 10)
    )
    return "Voting had ended; your ballot was not recorded. The vote is now counted."
