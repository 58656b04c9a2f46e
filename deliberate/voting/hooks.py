"""What a vote is for, and how the domain that asked for it reacts when it opens and closes.

Voting knows no drafts. A domain that puts its objects to a vote registers a `Purpose` (drafts
registers "amendment", "group" and "adoption"); voting calls its hooks in the same transaction
as opening and closing, so the subject moves together with the vote or not at all. When the
vote closes, the purpose says what it decided (a `Decision`), since only the domain that owns
the subject knows what the subject reached: decisions records that, never a guess from the
count. Listeners of every vote (`on_every_open`, `on_every_close`, `on_decision`) run in the
same transaction too; deliberate/wiring.py lists who registers what.

What happens outside the database (mail, webhooks, live pages) is no hook: `vote_opened` and
`vote_closed` record a `VoteOpened` or `VoteClosed` event (deliberate/voting/events.py), which
deliberate/events.py dispatches once the transaction has committed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from deliberate import events
from deliberate.accounts.models import Member
from deliberate.voting.events import VoteClosed, VoteOpened
from deliberate.voting.results import Result
from deliberate.voting.rules import Settings
from deliberate.voting.vocabulary import METHODS, VoteMethod

if TYPE_CHECKING:
    from deliberate.voting.models import Nomination, Vote, VoteOption


@dataclass(frozen=True)
class Proposal:
    """What is about to be put to a vote: the question, and the subject's name and page."""

    title: str
    subject_label: str
    endpoint: tuple[str, dict[str, Any]]
    # The options the subject's ranked vote would offer (a competing group's amendments and
    # "No change"), which a meeting's paper count must name; empty for a yes/no question.
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class OptionText:
    """What one option of a vote proposes, as the subject's domain shows it: the page that
    holds it in full, and its text or change as HTML (sanitized, rendered by that domain), so
    that a ballot shows what each option would do beside its name. `name` is how the text
    is called in a sentence ("A5")."""

    name: str
    endpoint: tuple[str, dict[str, Any]]
    html: str


# The texts of a vote's options, by option position (options without one are left out).
OptionTexts = Callable[["Vote", Sequence["VoteOption"]], Mapping[int, OptionText]]


class Start(Protocol):
    """Put a subject to a vote: `start(actor, subject_id, settings, opens_at, closes_at)`;
    with `in_person`, a vote held at a meeting whose counts the caller enters."""

    def __call__(
        self,
        actor: Member,
        subject_id: int,
        settings: Settings,
        opens_at: datetime | None,
        closes_at: datetime | None,
        /,
        *,
        in_person: bool = False,
    ) -> Vote: ...


@dataclass(frozen=True)
class Decision:
    """What a closed vote decided about its subject, as the subject's own domain reports it.

    - `adopted`: the proposal was adopted (True) or refused (False); None where the question
      was a choice rather than a proposal (an election, a ranked question's winner).
    - `summary`: the outcome in one sentence, as the record states it.
    - `version_id`: for a text's adoption, the version adopted (with whatever the vote merged
      into it); None otherwise.
    """

    adopted: bool | None
    summary: str
    version_id: int | None = None


def decision_from_result(result: Result) -> Decision | None:
    """What a vote with no subject of its own decided (a question, an election): the count's
    outcome as it stands; None when it decided nothing (no quorum, a second round)."""
    outcome = result["outcome"]
    if not outcome["decided"]:
        return None
    return Decision(adopted=outcome.get("adopted"), summary=str(outcome["summary"]))


@dataclass(frozen=True)
class Purpose:
    """A kind of question: its name and label, and the hooks of the domain behind it.

    - `methods`: the voting methods that may decide it.
    - `propose(subject_id)`: the question about that subject (NotFound if there is none);
      None for a free question, whose convener writes the question and the options.
    - `start(actor, subject_id, settings, opens_at, closes_at, *, in_person=False)`: put the
      subject to a vote (the domain moves its object and calls `voting.services.create_vote`,
      passing `in_person` on); returns the vote. `voting.services.record_in_person_vote` calls
      it with `in_person=True` for a meeting's vote on the subject, then enters its counts.
    - `on_open(actor, vote)`: the vote has opened (actor None: opened on schedule).
    - `on_close(vote, result)`: the vote has closed with its stored result (a dict as in
      `deliberate.voting.results`); the domain moves its subject and returns the `Decision`
      the subject reached (None: it decided nothing). Without this hook, the decision is the
      count's outcome (`decision_from_result`).
    - `decides`: whether a decided outcome is a decision of the organization (a question, an
      election, a draft's adoption) rather than a step towards one (an amendment's vote).
    - `option_texts(vote, options)`: what each option proposes (`OptionText` by option
      position), shown on the ballot and the review page; None: the options are their labels.
    - `stamps`: the stamps (deliberate/fragments.py) that every change to what the vote page
      shows of the domain touches (its options' texts, its subject's title): the page keeps
      them between requests under these; none: it reads them on every request.
    """

    name: str
    label: str
    methods: tuple[str, ...] = METHODS
    propose: Callable[[int], Proposal] | None = None
    start: Start | None = None
    on_open: Callable[[Member | None, Vote], None] | None = None
    on_close: Callable[[Vote, Result], Decision | None] | None = None
    decides: bool = True
    option_texts: OptionTexts | None = None
    stamps: tuple[str, ...] = ()


# Listeners of every vote: (actor, vote) at its opening (actor None: opened on schedule),
# (vote, purpose, result) at its close, (vote, purpose, decision) when it decided.
Opened = Callable[[Member | None, "Vote"], object]
Closed = Callable[["Vote", Purpose, Result], object]
Decided = Callable[["Vote", Purpose, Decision], object]

# (nomination, actor) when a member nominates another, and when the nominee accepts or
# declines a nomination by another.
Nominated = Callable[["Nomination", Member], object]

_purposes: dict[str, Purpose] = {}
_opened_listeners: list[Opened] = []
_nomination_listeners: list[Nominated] = []
_closed_listeners: list[Closed] = []
_decision_listeners: list[Decided] = []


def register_purpose(purpose: Purpose) -> None:
    _purposes[purpose.name] = purpose


def purpose(name: str) -> Purpose | None:
    return _purposes.get(name)


def purpose_stamps() -> list[str]:
    """Every purpose's stamps: what a vote page reads before it knows the vote's purpose."""
    return sorted({stamp for found in _purposes.values() for stamp in found.stamps})


# What other domains show on a vote's page about it: (label, endpoint, values) or None.
VoteLink = Callable[["Vote"], tuple[str, str, dict[str, Any]] | None]
_vote_links: list[VoteLink] = []


def on_vote_page(link: VoteLink) -> None:
    """Let a domain name a page of its own about a vote (decisions: the record it produced).
    The vote page keeps the links of a closed vote until the vote's row changes: a link must
    name what the vote's closing transaction made."""
    if link not in _vote_links:
        _vote_links.append(link)


def vote_links(vote: Vote) -> list[tuple[str, str, dict[str, Any]]]:
    return [found for link in _vote_links if (found := link(vote)) is not None]


def on_every_open(listener: Opened) -> None:
    """Call `listener(actor, vote)` when any vote opens, after its purpose's own hook, in the
    same transaction (actor None: opened at its scheduled time)."""
    if listener not in _opened_listeners:
        _opened_listeners.append(listener)


def on_every_close(listener: Closed) -> None:
    """Call `listener(vote, purpose, result)` when any vote closes, after its purpose's own
    hook, in the same transaction (decisions records what a closed vote decided)."""
    if listener not in _closed_listeners:
        _closed_listeners.append(listener)


def on_decision(listener: Decided) -> None:
    """Call `listener(vote, purpose, decision)` when a closed vote decided something for the
    organization (its purpose `decides`), after the purpose's own hook and before the
    listeners of every close, in the same transaction (decisions makes the vote's record)."""
    if listener not in _decision_listeners:
        _decision_listeners.append(listener)


def on_nomination(listener: Nominated) -> None:
    """Call `listener(nomination, actor)` when a member is nominated by another, and when she
    accepts or declines that nomination, in the same transaction (notifications: the nominee
    is told, then the one who nominated her)."""
    if listener not in _nomination_listeners:
        _nomination_listeners.append(listener)


def nomination_changed(nomination: Nomination, actor: Member) -> None:
    for listener in _nomination_listeners:
        listener(nomination, actor)


def vote_opened(actor: Member | None, vote: Vote) -> None:
    """Run the hooks of a vote that has just opened, and record `VoteOpened` for after the
    commit."""
    known = purpose(vote.purpose)
    if known is not None and known.on_open is not None:
        known.on_open(actor, vote)
    for listener in _opened_listeners:
        listener(actor, vote)
    events.record(
        VoteOpened(
            vote_id=vote.id,
            purpose=vote.purpose,
            actor_id=actor.id if actor is not None else None,
            roll_size=vote.roll_size or 0,
        )
    )


def vote_closed(vote: Vote, result: Result) -> None:
    """Run the hooks of a vote that has just closed with `result`, and record `VoteClosed` for
    after the commit."""
    known = purpose(vote.purpose)
    if known is not None:
        if known.on_close is not None:
            decision = known.on_close(vote, result)
        else:
            decision = decision_from_result(result)
        # Every close's listeners before the decision's: decisions chains the closed vote
        # first, then makes the record that, once sealed, names the vote's link.
        for listener in _closed_listeners:
            listener(vote, known, result)
        if known.decides and decision is not None:
            for decided in _decision_listeners:
                decided(vote, known, decision)
    events.record(
        VoteClosed(
            vote_id=vote.id,
            purpose=vote.purpose,
            actor_id=vote.closed_by_id,
            decided=bool(result["outcome"]["decided"]),
        )
    )


register_purpose(
    Purpose(
        "question",
        "A question put to the members",
        (VoteMethod.MAJORITY, VoteMethod.IRV, VoteMethod.SCHULZE, VoteMethod.CONSENSUS),
    )
)
register_purpose(
    Purpose("election", "An election", (VoteMethod.STV, VoteMethod.IRV, VoteMethod.SCHULZE))
)
