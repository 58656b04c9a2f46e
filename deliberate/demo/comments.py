"""The demo's comment texts, put together from written fragments (an opening, a claim, a reason,
now and then a question, a proposal or a quotation), so that a few hundred comments read like a
real argument without repeating themselves much."""

from __future__ import annotations

import random

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
