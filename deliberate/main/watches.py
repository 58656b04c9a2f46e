"""What a change touches among the stamps every page of a member reads (deliberate/stamps.py):
the organization's settings, and what waits for members (deliberate/main/needs.py), so that
the navigation's count and the organization's zone are kept between requests
(deliberate/fragments.py) and a change is seen on the next one.

What waits for a member is read from these rows, and each change to them touches:
- NEEDS, for every member: a vote opened, closed or retitled (its roll is taken in the same
  transaction as it opens, and never changes afterwards), a record sealed, an evaluation
  opened or sealed, a draft's state, an amendment's state, proposer, sponsor or title, a
  tendency's name, who belongs to a tendency and who coordinates it, a join request.
- the member's own stamp (`needs_of`), for what concerns one member alone: their
  participation in a vote (their ballot cast, or their name on a paper register: a register
  marks many members at once and touches NEEDS), their entry on a record, their seconding of
  an amendment, their comments (a member who speaks in a thread has answered its replies and
  debated its evaluation), and a reply to their comment, posted, edited, hidden or deleted.
A member's own role and status are read with the member on every request: they are part of
what the kept count is kept for. A reply's author's name is kept under PEOPLE.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_login import current_user
from sqlalchemy import Connection, select

from deliberate import fragments
from deliberate.accounts.models import OrganizationSettings
from deliberate.debate.models import Comment
from deliberate.decisions.models import Commitment, DecisionRecord, Evaluation
from deliberate.drafts.models import Amendment, AmendmentSecond, Draft
from deliberate.stamps import NEEDS, ORGANIZATION, needs_of
from deliberate.tendencies.models import JoinRequest, Tendency, TendencyMembership
from deliberate.voting.models import Participation, Vote


def _of_member(row: Participation | Commitment | AmendmentSecond, _: Connection) -> list[str]:
    return [needs_of(row.member_id)]


def _of_comment(row: Comment, connection: Connection) -> list[str]:
    """The author's stamp, and the stamp of the author of the comment it replies to."""
    keys = [needs_of(row.author_id)]
    if row.parent_id is not None:
        parent_author = connection.scalar(
            select(Comment.author_id).where(Comment.id == row.parent_id)
        )
        keys.append(needs_of(parent_author) if parent_author is not None else NEEDS)
    return keys


def _navigation() -> Iterable[str]:
    """The ambient stamps of a request: the organization's (its zone, on every page showing a
    time), and for a member, what the navigation's count depends on."""
    if current_user and current_user.is_authenticated:
        return (ORGANIZATION, NEEDS, needs_of(current_user.id))
    return (ORGANIZATION,)


fragments.watch_all(OrganizationSettings, ORGANIZATION)
for _model in (
    Vote,
    DecisionRecord,
    Evaluation,
    Draft,
    Amendment,
    Tendency,
    TendencyMembership,
    JoinRequest,
):
    fragments.watch_all(_model, NEEDS)
for _own in (Participation, Commitment, AmendmentSecond):
    fragments.watch(_own, _of_member)
fragments.watch(Comment, _of_comment)
fragments.ambient(_navigation)
