"""The organizations the page benchmarks read, and the pages they read in each.

`demo_world` loads the demo organization (thirty members, the demo draft in its third
version, its amendments, papers and a debate of a few hundred comments). `large_world`
generates a national organization: three tendencies sharing `members` members (90,000 by
default, inserted in bulk with one password hash), a draft of 200 paragraphs with 300
amendments proposed, seconded and sponsored through the services, a draft carrying a
2,000-comment thread, and a published position paper signed by a thousand members. Both flush
and commit, and return the pages to read, by name, with the member to read them as (an admin,
so that the members' administration is among them).
"""

from __future__ import annotations

import json
import random
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload

from bench.bench_drafts import busy_draft
from bench.common import PASSWORD, organization
from deliberate.accounts.models import Member, MemberRole, MemberStatus
from deliberate.accounts.passwords import hash_password
from deliberate.database import utcnow
from deliberate.debate.bulk import insert_thread, plan_thread
from deliberate.decisions.models import Commitment, DecisionRecord, Evaluation, MinorityReport
from deliberate.demo import load_demo
from deliberate.demo.comments import comment_texts
from deliberate.demo.people import ADMIN, demo_email
from deliberate.drafts.models import Amendment
from deliberate.drafts.services import create_draft
from deliberate.extensions import db
from deliberate.papers import services as papers
from deliberate.papers.models import PaperSignature
from deliberate.subjects import resolve
from deliberate.tendencies.models import MembershipRole, Tendency, TendencyMembership
from deliberate.voting.models import Participation, RollEntry, Vote, VoteState

SEED = 2026
LOGIN_PAGE = "login page"

# Issue 12's targets, CPU per request as a ratio to the login page's, by page; with 90,000
# members no page above LARGE_CEILING nor heavier than MAX_KIB.
TARGETS = {
    "home": 3.0,
    "demo draft page": 6.0,
    "300-amendment draft page": 15.0,
    "amendment page": 5.0,
    "thread page": 4.0,
    "thread page (2,000 comments)": 4.0,
}
# Issue 22's, for the demo organization: the pages a convention reads while it votes, and
# the draft and amendment pages, within 3x of the login page (a decision record within 4x).
DEMO_TARGETS = {
    **TARGETS,
    "ballot page (open vote, on its roll)": 3.0,
    "paper ballots page (open vote, a convener)": 3.0,
    "largest results page": 3.0,
    "largest decision record": 4.0,
    "archive": 3.0,
    "demo draft page": 3.0,
    "amendment page": 3.0,
}
LARGE_CEILING = 10.0
MAX_KIB = 200


def target_of(page: str, large: bool) -> float | None:
    """The highest ratio to the login page's CPU that `page` may reach."""
    if large:
        return TARGETS.get(page, LARGE_CEILING)
    return DEMO_TARGETS.get(page)


@dataclass
class World:
    """What a benchmark reads: pages by name (the login page first, read anonymously), the
    member who reads the others as a delegate would (an ordinary member of a tendency, with
    no comment of their own), and the admin who reads `admin_pages`."""

    pages: dict[str, str]
    reader_id: int
    reader_token: str
    members: list[tuple[int, str]]  # (id, email) of members who may log in with PASSWORD
    admin_id: int = 0
    admin_token: str = ""
    admin_pages: frozenset[str] = frozenset()
    # Pages read by someone else than the delegate: (member id, session token) by page name.
    other_readers: dict[str, tuple[int, str]] = field(default_factory=dict)

    def reader_of(self, page: str) -> tuple[int, str]:
        if page in self.other_readers:
            return self.other_readers[page]
        if page in self.admin_pages:
            return self.admin_id, self.admin_token
        return self.reader_id, self.reader_token


ADMIN_PAGES = frozenset({"admin members", "demo draft page, read by an admin"})


def a_delegate(tendency: Tendency) -> Member:
    """A new ordinary member of `tendency`, who reads as most delegates do: without a
    comment of their own on the pages."""
    delegate = Member(
        display_name="A delegate",
        email="delegate@bench.example",
        password_hash=hash_password(PASSWORD),
        role=MemberRole.MEMBER,
        status=MemberStatus.ACTIVE,
        session_token=secrets.token_urlsafe(16),
    )
    db.session.add(delegate)
    db.session.flush()
    db.session.add(
        TendencyMembership(
            tendency_id=tendency.id, member_id=delegate.id, role=MembershipRole.MEMBER
        )
    )
    db.session.commit()
    return delegate


def an_open_vote_and_a_voter(role: MemberRole = MemberRole.MEMBER) -> tuple[Vote, Member]:
    """The open vote with the most options, and a member of `role` on its roll who has not
    voted (the first by id): the ballot page as the roll reads it while the vote is open (a
    convener's shows the conveners' box and the turnout besides)."""
    vote = max(
        db.session.scalars(
            select(Vote).options(selectinload(Vote.options)).where(Vote.state == VoteState.OPEN)
        ),
        key=lambda v: (len(v.options), v.id),
    )
    voted = select(Participation.member_id).where(Participation.vote_id == vote.id)
    member_id = db.session.scalars(
        select(RollEntry.member_id)
        .join(Member, Member.id == RollEntry.member_id)
        .where(
            RollEntry.vote_id == vote.id,
            RollEntry.member_id.not_in(voted),
            Member.role == role,
        )
        .order_by(RollEntry.member_id)
        .limit(1)
    ).one()
    return vote, db.session.get_one(Member, member_id)


def largest_results() -> Vote:
    """The closed vote whose stored result is the largest (the most rounds and options)."""
    closed = db.session.scalars(select(Vote).where(Vote.state == VoteState.CLOSED)).all()
    return max(closed, key=lambda v: (len(json.dumps(v.result, default=str)), v.id))


def largest_record() -> DecisionRecord:
    """The decision record with the most rows to show: commitments, their entries, minority
    reports and evaluations, then the longest statements."""
    records = db.session.scalars(select(DecisionRecord)).all()

    def rows(record: DecisionRecord) -> tuple[int, int, int]:
        counted = sum(
            db.session.scalar(select(func.count()).select_from(model).where(column == record.id))
            or 0
            for model, column in (
                (Commitment, Commitment.record_id),
                (MinorityReport, MinorityReport.record_id),
                (Evaluation, Evaluation.record_id),
            )
        )
        return counted, len(record.outcome_html) + len(record.unity_html), record.id

    return max(records, key=rows)


def demo_world() -> World:
    demo = load_demo()
    db.session.commit()
    admin = db.session.scalars(select(Member).where(Member.email == demo_email(ADMIN))).one()
    draft = demo.demo_draft()
    amendment = min(
        (a for a in demo.amendments.values() if a.draft_id == draft.id), key=lambda a: a.number
    )
    tendency = db.session.scalars(select(Tendency).order_by(Tendency.id).limit(1)).one()
    paper = next(p for p in demo.papers.values() if p.published_at is not None)
    delegate = a_delegate(tendency)
    vote, voter = an_open_vote_and_a_voter()
    _vote, convening_voter = an_open_vote_and_a_voter(MemberRole.CONVENER)
    convener = db.session.scalars(
        select(Member).where(Member.role == MemberRole.CONVENER).order_by(Member.id).limit(1)
    ).one()
    results, record = largest_results(), largest_record()
    return World(
        pages={
            LOGIN_PAGE: "/login",
            "home": "/",
            "draft list": "/drafts/",
            "ballot page (open vote, on its roll)": f"/votes/{vote.id}",
            "ballot page (open vote, a convener on its roll)": f"/votes/{vote.id}",
            "paper ballots page (open vote, a convener)": f"/votes/{vote.id}/import",
            "largest results page": f"/votes/{results.id}",
            "largest decision record": f"/decisions/{record.id}",
            "archive": "/decisions/",
            "demo draft page": f"/drafts/{draft.id}",
            "demo draft page, read by an admin": f"/drafts/{draft.id}",
            "amendment page": f"/drafts/{draft.id}/amendments/{amendment.number}",
            "thread page": f"/debate/draft/{draft.id}",
            "tendency page": f"/tendencies/{tendency.id}",
            "members directory": "/members/",
            "admin members": "/admin/members",
            "paper page": f"/papers/{paper.id}",
        },
        reader_id=delegate.id,
        reader_token=delegate.session_token,
        members=[],
        admin_id=admin.id,
        admin_token=admin.session_token,
        admin_pages=ADMIN_PAGES,
        other_readers={
            "ballot page (open vote, on its roll)": (voter.id, voter.session_token),
            "ballot page (open vote, a convener on its roll)": (
                convening_voter.id,
                convening_voter.session_token,
            ),
            "paper ballots page (open vote, a convener)": (convener.id, convener.session_token),
        },
    )


def add_members(count: int, tendencies: list[Tendency], password_hash: str) -> list[int]:
    """`count` active members inserted in bulk, spread evenly over the tendencies."""
    ids: list[int] = []
    batch = 10_000
    for start in range(0, count, batch):
        rows = db.session.execute(
            insert(Member).returning(Member.id),
            [
                {
                    "display_name": f"Member {n:06d}",
                    "email": f"m{n}@large.example",
                    "password_hash": password_hash,
                    "role": MemberRole.MEMBER,
                    "status": MemberStatus.ACTIVE,
                    "session_token": secrets.token_urlsafe(16),
                }
                for n in range(start, min(count, start + batch))
            ],
        ).scalars()
        new = list(rows)
        db.session.execute(
            insert(TendencyMembership),
            [
                {
                    "tendency_id": tendencies[i % len(tendencies)].id,
                    "member_id": member_id,
                    "role": MembershipRole.MEMBER,
                }
                for i, member_id in enumerate(new, start=start)
            ],
        )
        ids.extend(new)
    return ids


def large_world(members: int = 90_000, comments: int = 2_000, amendments: int = 300) -> World:
    rng = random.Random(SEED)
    convener, founders, tendencies = organization()
    admin = founders[59]
    admin.role = MemberRole.ADMIN
    large = busy_draft(convener, founders, rng, 200, amendments)
    body = "\n\n".join(f"Paragraph {n}: what the organization will do." for n in range(1, 13))
    debated = create_draft(convener, title="The long debate", kind="resolution", body=body)
    plan = plan_thread(comments, founders, comment_texts(rng, 400), rng, max_depth=8, paragraphs=12)
    insert_thread(
        resolve("draft", debated.id),
        plan,
        start=utcnow() - timedelta(days=10),
        spacing=timedelta(minutes=5),
        anchor_version=1,
    )
    paper = papers.create_paper(
        founders[0], tendencies[0], resolve("draft", large.id), "Our line", "We *agree*."
    )
    papers.publish_paper(founders[0], paper)
    db.session.flush()
    added = add_members(members, tendencies, hash_password(PASSWORD))
    signers = added[: 3 * 1000 : 3]  # members of the first tendency
    db.session.execute(
        insert(PaperSignature),
        [{"paper_id": paper.id, "member_id": m, "revision": 1} for m in signers],
    )
    db.session.commit()
    delegate = a_delegate(tendencies[0])
    amendment = db.session.scalars(
        select(Amendment).where(Amendment.draft_id == large.id).order_by(Amendment.number)
    ).all()[amendments // 2]
    return World(
        pages={
            LOGIN_PAGE: "/login",
            "home": "/",
            "draft list": "/drafts/",
            "300-amendment draft page": f"/drafts/{large.id}",
            "amendment page": f"/drafts/{large.id}/amendments/{amendment.number}",
            "thread page (2,000 comments)": f"/debate/draft/{debated.id}",
            "tendency page (30,000 members)": f"/tendencies/{tendencies[0].id}",
            "members directory": "/members/",
            "admin members": "/admin/members",
            "paper page (1,000 signatories)": f"/papers/{paper.id}",
        },
        reader_id=delegate.id,
        reader_token=delegate.session_token,
        members=[(m, f"m{n}@large.example") for n, m in enumerate(added)],
        admin_id=admin.id,
        admin_token=admin.session_token,
        admin_pages=ADMIN_PAGES,
    )
