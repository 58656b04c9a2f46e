"""The demo's debate: tendencies' position papers and a lively thread on the demo draft.

Comment texts are put together from written fragments (an opening, a claim, a reason, now
and then a question, a proposal or a quotation), so a few hundred comments read like a real
argument without repeating themselves much.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from deliberate.accounts.models import Member
from deliberate.database import utcnow
from deliberate.debate import services as debate_services
from deliberate.debate.bulk import insert_thread, plan_thread
from deliberate.debate.models import Comment
from deliberate.debate.subjects import Subject, resolve
from deliberate.extensions import db

OPENINGS = [
    "I agree with the direction here.",
    "I have doubts about this.",
    "Speaking from my branch's experience:",
    "Two points.",
    "This is the crux of the whole draft.",
    "Comrades, let's be careful here.",
    "I was at the last assembly, and",
    "Short version: yes, but.",
    "I disagree, respectfully.",
    "Building on what was said above,",
    "Honest question:",
    "For the record,",
    "We discussed this in our workplace committee.",
    "Let me push back a little.",
    "I'm new here, so forgive me if this is naive.",
    "Strongly in favour.",
    "Not convinced yet.",
    "A practical point.",
    "Our tendency has argued this for years:",
    "I changed my mind on this after reading the papers.",
]

CLAIMS = [
    "rent control only wins where tenants are already organized building by building",
    "an open assembly every month is too much for the smaller branches",
    "the evaluation in January comes too late to correct course",
    "we should name concrete targets, not just a direction",
    "the campaign needs a press of its own, not only social media",
    "standing candidates can strengthen the campaign if the mandate is binding",
    "the dues structure decides who can take part, more than any resolution",
    "the draft says nothing about who pays for the organizers",
    "paragraph 2 mixes a goal and a method; they should be separate",
    "delegates must carry mandates back to their assemblies",
    "workplace committees should come before electoral work",
    "we underestimate how long it takes to train new organizers",
    "a united campaign is worth more than a perfect text",
    "the wording on evaluation is too vague to hold anyone to account",
    "the branches in smaller towns will be left out again",
    "the tenants' unions should be partners, not recruiting grounds",
    "we need one clear demand that fits on a placard",
    "without childcare at meetings, half our members cannot come",
    "a majority decision binds us in action even if we disagree",
    "the registered disagreement should be part of the record, not a footnote",
    "this duplicates what the last congress already decided",
    "we should budget for translation so every member can read the drafts",
]

REASONS = [
    "In Eastside we doubled attendance once we moved meetings to the evening.",
    "The last campaign lost momentum exactly because nobody evaluated it.",
    "Look at what happened with the transit fare campaign two years ago.",
    "Our numbers show most new members join through a concrete fight, not a program.",
    "Three branches already tried this and reported back mixed results.",
    "The union locals we talked to want a written commitment first.",
    "Otherwise the work falls on the same ten people again.",
    "A vague text gives the leadership room to do whatever it wants.",
    "People join for the fight and stay for the community.",
    "We cannot ask members to commit to something they have not seen costed.",
    "The landlords' lobby will outspend us; our only advantage is numbers.",
    "Every hour in a meeting is an hour not spent knocking on doors.",
]

QUESTIONS = [
    "Who decides what counts as success?",
    "What happens if a branch cannot hold its assembly in time?",
    "Has anyone costed this?",
    "Would the other tendencies accept a compromise on the timing?",
    "How do we include members who work nights?",
    "Is this a goal or a method?",
    "Who carries the mandate between assemblies?",
]

PROPOSALS = [
    "I would add: *each branch reports back within two weeks*.",
    "Suggested wording: **“by the end of the month, where possible”**.",
    "Let's move the evaluation to **November**, with a second one in January.",
    "Can we split this paragraph in two and vote on each?",
    "I'll propose an amendment along these lines.",
    "Proposal: a shared calendar and one coordinator per city.",
    "We could pilot it in three cities first.",
]

QUOTES = [
    "> Decisions belong to those affected.",
    "> Power grows where people work and live.",
    "> Dissent should be recorded, never buried.",
    "> We measure success by disputes won.",
]

CLOSINGS = [
    "",
    "",
    "",
    "Happy to be convinced otherwise.",
    "Solidarity.",
    "See the caucus paper for the longer argument.",
    "More at the next assembly.",
    "Thanks to everyone for keeping this constructive.",
]

REPLIES = [
    "Fair point.",
    "I don't think that follows.",
    "Agreed, and",
    "That's not what the paragraph says, though.",
    "Exactly this.",
    "Partly agree.",
    "Good question.",
    "We tried that;",
    "Can you say more?",
    "I see it differently:",
]


def comment_text(rng: random.Random, *, reply: bool = False) -> str:
    """One plausible comment, from one to four sentences (Markdown)."""
    opening = rng.choice(REPLIES if reply and rng.random() < 0.6 else OPENINGS)
    parts = [f"{opening} {rng.choice(CLAIMS).capitalize()}."]
    roll = rng.random()
    if roll < 0.45:
        parts.append(rng.choice(REASONS))
    elif roll < 0.6:
        parts.append(rng.choice(QUESTIONS))
    elif roll < 0.72:
        parts.append(rng.choice(PROPOSALS))
    elif roll < 0.8:
        return f"{rng.choice(QUOTES)}\n\n{parts[0]}"
    closing = rng.choice(CLOSINGS)
    if closing:
        parts.append(closing)
    return " ".join(parts)


def comment_texts(rng: random.Random, count: int) -> list[str]:
    """`count` comment texts (duplicates are rare but possible)."""
    return [comment_text(rng, reply=rng.random() < 0.5) for _ in range(count)]


def load_debate(
    subject: Subject,
    members: list[Member],
    moderator: Member,
    *,
    count: int = 320,
    seed: int = 1917,
) -> list[int]:
    """A lively thread on `subject`: `count` comments up to 6 deep, some anchored to
    paragraphs, spread over the last two weeks, one hidden by `moderator` with a reason."""
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not a secret)
    scope = subject.paragraphs()
    plan = plan_thread(
        count,
        members,
        comment_texts(rng, count),
        rng,
        max_depth=6,
        paragraphs=scope.count if scope else 0,
        anchored_share=0.4,
    )
    ids = insert_thread(
        subject,
        plan,
        start=utcnow() - timedelta(days=14),
        spacing=timedelta(days=13) / max(count, 1),
        anchor_version=scope.version_number if scope else None,
    )
    rude = db.session.get_one(Comment, ids[len(ids) // 3])
    debate_services.hide_comment(
        moderator, rude, "A personal attack on another member; argue the point, not the person."
    )
    return ids


def demo_thread_subject(draft_id: int) -> Subject:
    return resolve("draft", draft_id)


def active_members() -> list[Member]:
    return list(
        db.session.scalars(select(Member).where(Member.status == "active").order_by(Member.id))
    )
