"""The demo's debate: tendencies' position papers and a lively thread on the demo draft.

Comment texts are put together from written fragments (an opening, a claim, a reason, now
and then a question, a proposal or a quotation), so a few hundred comments read like a real
argument without repeating themselves much.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from deliberate.accounts.models import Member, MemberStatus
from deliberate.database import utcnow
from deliberate.debate import services as debate_services
from deliberate.debate.bulk import insert_thread, plan_thread
from deliberate.debate.models import Comment
from deliberate.extensions import db
from deliberate.papers import services as paper_services
from deliberate.papers.models import PositionPaper
from deliberate.subjects import Subject, resolve

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
    "concentrating on one district is right; spreading thin lost us the last campaign",
    "the tenants started this, and we should keep saying so",
    "six months is short, and that is a reason to start with what the tenants already have",
    "we should name concrete targets, not just a direction",
    "the campaign needs a press of its own, not only social media",
    "the dues structure decides who can take part, more than any resolution",
    "nobody has said yet who pays for the organizer after six months",
    "delegates must carry mandates back to their assemblies",
    "workplace committees in the district should be asked to join in",
    "we underestimate how long it takes to train new organizers",
    "a united campaign is worth more than a perfect text",
    "the branches outside the city will be left out again",
    "the tenants' union should be a partner, not a recruiting ground",
    "we need one clear demand that fits on a placard",
    "without childcare at meetings, half our members cannot come",
    "a majority decision binds us in action even if we disagree",
    "the registered disagreements should be part of the record, not a footnote",
    "we should budget for translation so every member can read the drafts",
    "the landlords will answer with legal threats, and we should be ready",
    "this is the most concrete objective we have debated in years",
]

# Claims about each paragraph of the demo objective, for comments pointing to it.
PARAGRAPH_CLAIMS: dict[int, list[str]] = {
    1: [
        "six months is too short to win a collective agreement",
        "a first agreement with one landlord is the right test of our strength",
        "putting our collective weight behind one district is exactly right",
    ],
    2: [
        "choosing Eastside because two branches meet there is a weak reason",
        "the rent figures should say where they come from",
        "strengthening what the tenants started is the heart of this",
    ],
    3: [
        "twelve buildings is where the tenants already are",
        "600 dues-paying households is ambitious but possible",
        "aims we cannot measure will not be evaluated honestly",
    ],
    4: [
        "two evenings a week is too much for members with children",
        "one shared script keeps us from contradicting each other at the door",
        "the contact list must belong to the tenants' union, not to us",
    ],
    5: [
        "the trainings must be interpreted, or we only train ourselves",
        "tenants who stopped evictions should lead the trainings",
        "three members per branch per training is not realistic for small branches",
    ],
    6: [
        "the Law Centre agreement should be in writing before we promise anything",
        "a week is too slow when a hearing is three days away",
        "members with legal training are few; the rota has to be citywide",
    ],
    7: [
        "18,000 is too little for six months with a paid organizer",
        "the organizer must answer to the union, not to us",
        "childcare at meetings should be the first line of the budget",
    ],
    8: [
        "the councillors should carry a mandate, not just report back",
        "a rent freeze motion gives the door-knockers something concrete",
        "keeping the councillors out of negotiations protects the union",
    ],
    9: [
        "refusing every party platform in advance could cost the tenants allies",
        "the trades council will want something in return, and we should say what",
        "the faith groups have rooms we badly need",
    ],
    10: [
        "four languages is a minimum; the committees should choose them",
        "a newsletter delivered by hand is worth ten posts online",
        "our press must never speak for the union",
    ],
    11: [
        "nobody should be held back for having argued for something else",
        "unity in action means nothing if dissent is not recorded",
        "members who disagree should still knock on doors",
    ],
    12: [
        "the minority reports should be heard at the evaluation",
        "the evaluation should be an open assembly, not a committee report",
        "the numbers must be collected from the first week, not at the end",
    ],
}

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
    "That's not what the draft says, though.",
    "Exactly this.",
    "Partly agree.",
    "Good question.",
    "We tried that;",
    "Can you say more?",
    "I see it differently:",
]


def comment_text(rng: random.Random, *, reply: bool = False, paragraph: int | None = None) -> str:
    """One plausible comment, from one to four sentences (Markdown); about `paragraph` of
    the demo objective when given."""
    opening = rng.choice(REPLIES if reply and rng.random() < 0.6 else OPENINGS)
    claim = rng.choice(PARAGRAPH_CLAIMS.get(paragraph or 0, CLAIMS))
    if opening.endswith((".", "?", "!")):
        claim = claim[0].upper() + claim[1:]
    parts = [f"{opening} {claim}."]
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
    paragraphs, one hidden by `moderator` with a reason."""
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
    for planned in plan:  # texts that fit: replies answer, anchored comments discuss ¶n
        planned.text = comment_text(
            rng, reply=planned.parent is not None, paragraph=planned.paragraph
        )
    # The comments fall between the subject's creation and now, in posting order.
    start = getattr(subject.obj, "created_at", None) or utcnow() - timedelta(hours=1)
    ids = insert_thread(
        subject,
        plan,
        start=start,
        spacing=max(utcnow() - start, timedelta(seconds=1)) / max(count, 1),
        anchor_version=scope.version_number if scope else None,
    )
    rude = db.session.get_one(Comment, ids[len(ids) // 3])
    debate_services.hide_comment(
        moderator, rude, "A personal attack on another member; argue the point, not the person."
    )
    return ids


# Each tendency's papers: (coordinator, subject, title, text, signatories). A subject is
# "draft" or the title of one of the demo draft's amendments.
PAPERS: dict[str, list[tuple[str, str, str, str]]] = {
    "Mass Party Platform": [
        (
            "Priya Raman",
            "draft",
            "Win Eastside, then the city",
            """\
Eastside is the right place to start, and the draft is right to concentrate our strength
there. But an objective that ends at the district boundary wastes what the campaign teaches
us.

- **Grow while we fight.** Every tenant who joins a committee should be invited to the
  organization too, with a first meeting within a week.
- **Tell the story citywide.** One press, one newsletter, one set of demands that tenants in
  every district can recognise as theirs.
- **Prepare the next step now.** At the evaluation we want a plan for two more districts,
  not only a verdict on this one.

We will vote for the draft, and for amendment A4 so that the members we win are counted.
""",
        ),
        (
            "Jonah Feld",
            "Count the members we win, too",
            "Why we count the members we win",
            """\
An organization that does not count its new members does not plan for them. The 200 members
of A4 are a modest aim: one in three of the households the campaign hopes to organize.
Counting them means a first meeting, a training place and a branch ready for each.
""",
        ),
    ],
    "Rank-and-File Caucus": [
        (
            "Rosa Keller",
            "draft",
            "Tenants lead, we support",
            """\
The draft gets the most important thing right: **the tenants started this, and the tenant
committees decide.** Our members are there to knock on doors, train and defend, not to speak
for the union.

1. Keep the councillors out of negotiations (¶8 as it stands).
2. Hold the door-knocking to two evenings a week in every branch, without exception.
3. Measure success by committees built and disputes won.

We support the draft with amendment A3, which sets aims that tell us whether *our* work
made a difference.
""",
        ),
        (
            "Rosa Keller",
            "Aim higher: 20 buildings, 1,000 households",
            "Aim for what the campaign changes",
            """\
Twelve buildings is where the tenants already are. If the objective can be met without us,
the evaluation will tell us nothing. Twenty buildings and a prepared rent strike are hard, and
they are the point.
""",
        ),
    ],
    "Assembly Network": [
        (
            "Yusuf Demir",
            "draft",
            "The assembly decides",
            """\
> Decisions belong to those affected.

This objective is the first the organization has written *with* the people it concerns, and
the tenant assembly should hold every lever it can: the demands, the spokespeople, the
evaluation.

- The evaluation in ¶12 must be an open assembly, with the tendencies' minority reports read
  out (A11 does this).
- Our councillors should carry mandates, not only report back: see our paper on A5.
""",
        ),
        (
            "Clara Dubois",
            "Mandate the councillors",
            "Mandates, not reports",
            """\
Reporting back after a vote tells the tenants what was done in their name. A mandate lets them
decide it. Our standing orders already bind delegates this way; A5 asks the same of our
councillors on housing votes in the district.
""",
        ),
    ],
}

REVISED = (
    "Rank-and-File Caucus",
    """\

**Revision after the assembly of the Harbour View committee:** the committee asked that our
members never chair a building meeting. We agree, and add it here.
""",
)

SUPERSEDED = (
    "Mass Party Platform",
    "Eastside as the first step",
    "Eastside is the right start. We will propose that the objective name the next districts.",
)

AMENDMENT_DEBATE = {
    "Aim higher: 20 buildings, 1,000 households": [
        ("Samir Haddad", "Twelve buildings is where we already are. An aim should stretch us."),
        ("Priya Raman", "Twenty buildings in six months with the teams we have? Be realistic."),
        ("Grace Mwangi", "Harbour View went from 2 to 5 committees in *eight weeks*."),
        ("Ben Carter", "I support A3, but the rent strike must be the tenants' decision."),
    ],
    "Mandate the councillors": [
        ("Ben Carter", "Reporting back is not enough. The assembly should decide the vote."),
        ("Kwame Mensah", "A mandate on every housing vote could paralyse the councillors."),
        ("Ingrid Solberg", "Only on votes about the district, as the amendment says."),
    ],
}


def _demo_members() -> dict[str, Member]:
    from deliberate.demo import PEOPLE, demo_email

    emails = {demo_email(name): name for name, *_rest in PEOPLE}
    found = db.session.scalars(select(Member).where(Member.email.in_(emails)))
    return {emails[m.email]: m for m in found}


def _amendment_subject(draft_id: int, title: str) -> Subject:
    from deliberate.drafts.models import Amendment

    amendment_id = db.session.scalar(
        select(Amendment.id).where(Amendment.draft_id == draft_id, Amendment.title == title)
    )
    if amendment_id is None:
        raise RuntimeError(f"the demo draft has no amendment titled “{title}”")
    return resolve("amendment", amendment_id)


def _tendency_members(tendency_name: str) -> list[Member]:
    from deliberate.tendencies.models import Tendency, TendencyMembership

    return list(
        db.session.scalars(
            select(Member)
            .join(TendencyMembership, TendencyMembership.member_id == Member.id)
            .join(Tendency, Tendency.id == TendencyMembership.tendency_id)
            .where(
                Tendency.name == tendency_name,
                TendencyMembership.left_at.is_(None),
                Member.status == MemberStatus.ACTIVE,
            )
            .order_by(Member.id)
        )
    )


def _write_papers(draft_id: int, people: dict[str, Member]) -> None:
    from deliberate.tendencies.models import Tendency

    draft_subject = resolve("draft", draft_id)
    for tendency_name, papers in PAPERS.items():
        tendency = db.session.scalars(select(Tendency).where(Tendency.name == tendency_name)).one()
        signers = _tendency_members(tendency_name)
        for coordinator_name, on, title, text in papers:
            coordinator = people[coordinator_name]
            subject = draft_subject if on == "draft" else _amendment_subject(draft_id, on)
            if (tendency_name, on) == (SUPERSEDED[0], "draft"):
                earlier = paper_services.create_paper(
                    coordinator, tendency, subject, SUPERSEDED[1], SUPERSEDED[2]
                )
                paper_services.publish_paper(coordinator, earlier)
                paper_services.sign_paper(coordinator, earlier)
            paper = paper_services.create_paper(coordinator, tendency, subject, title, text)
            paper_services.publish_paper(coordinator, paper)
            for signer in signers[: max(2, len(signers) - (1 if on == "draft" else 3))]:
                paper_services.sign_paper(signer, paper)
            if (tendency_name, on) == (REVISED[0], "draft"):
                paper_services.revise_paper(coordinator, paper, title, text + REVISED[1])
    # A paper still being drafted, seen only by the Assembly Network's members.
    network = db.session.scalars(select(Tendency).where(Tendency.name == "Assembly Network")).one()
    paper_services.create_paper(
        people["Clara Dubois"],
        network,
        _amendment_subject(draft_id, "A rent freeze motion within two months"),
        "A rent freeze motion: our questions",
        "Who drafts the motion, and does the tenant assembly see it before it is tabled?",
    )


def _small_debates(draft_id: int, people: dict[str, Member]) -> None:
    for title, lines in AMENDMENT_DEBATE.items():
        subject = _amendment_subject(draft_id, title)
        parent = None
        for name, text in lines:
            parent = debate_services.post_comment(people[name], subject, text, parent=parent)
    paper_id = db.session.scalar(
        select(PositionPaper.id).where(PositionPaper.title == "Win Eastside, then the city")
    )
    paper = resolve("paper", paper_id)
    first = debate_services.post_comment(
        people["Samir Haddad"], paper, "Growth is good, but not at the tenants' expense."
    )
    debate_services.post_comment(
        people["Jonah Feld"],
        paper,
        "Agreed: nobody is recruited at a building meeting.",
        parent=first,
    )
    # On the draft: a comment edited by its author (its history is viewable), and one its
    # author deleted, whose reply stays in place.
    draft = resolve("draft", draft_id)
    edited = debate_services.post_comment(
        people["Rosa Keller"], draft, "Two evenings a week is the minimum.", paragraph=4
    )
    debate_services.edit_comment(
        people["Rosa Keller"],
        draft,
        edited,
        "Two evenings a week is the minimum, and the teams must include tenants.",
    )
    regretted = debate_services.post_comment(
        people["Pavel Horák"], draft, "Elections matter more than any of this."
    )
    debate_services.post_comment(
        people["Zainab Sesay"],
        draft,
        "They matter, but not for these six months.",
        parent=regretted,
    )
    debate_services.delete_comment(people["Pavel Horák"], regretted)


def load_debate_demo() -> None:
    """Position papers and debate on the demo draft (flushes; the caller commits).

    Needs the demo members, tendencies and draft (`deliberate.drafts.demo`).
    """
    from deliberate.drafts.demo import TITLE
    from deliberate.drafts.models import Draft

    draft = db.session.scalars(select(Draft).where(Draft.title == TITLE)).one()
    people = _demo_members()
    _write_papers(draft.id, people)
    active = [m for m in people.values() if m.is_active]
    load_debate(resolve("draft", draft.id), active, people["Lucía Fernández"])
    _small_debates(draft.id, people)
