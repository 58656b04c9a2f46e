"""The demo's long draft: the convention's rules of procedure, 56 articles opened to amendment
ten days ago, so long that its page shows the text a part at a time, with amendments on
articles of both parts; two compete on how many delegates a branch sends."""

from __future__ import annotations

from datetime import timedelta

from deliberate.demo.people import CONVENER
from deliberate.demo.world import DemoWorld, Storyline
from deliberate.drafts import services
from deliberate.drafts.models import DraftKind

RULES_TITLE = "Rules of procedure for the spring convention"

RULES = [
    # Scope and calendar
    "These rules govern the spring convention of the organization and every session of it.",
    "The convention meets on two consecutive days, at a place and times the conveners publish"
    " four weeks in advance.",
    "Where these rules are silent, the bylaws apply; where the bylaws are silent, the chair"
    " decides and the convention may overturn the decision by a simple majority.",
    "The rules are adopted at the opening of the first session and bind until the convention"
    " closes.",
    # Delegates and credentials
    "Each branch sends one delegate for every twenty members in good standing on the date of"
    " the call, and at least one.",
    "Branches elect their delegates in a general meeting held no later than ten days before the"
    " convention.",
    "The credentials committee checks every delegate's mandate against the branch's minutes and"
    " the membership register.",
    "A challenged mandate is heard by the credentials committee before the first session; its"
    " ruling can be appealed to the convention.",
    "Alternates replace delegates who cannot attend, in the order their branch elected them.",
    "Observers may attend every public session and speak only when the convention invites them.",
    "Members who are not delegates may follow the sessions online and post in the debate threads.",
    # Officers
    "The convention elects a chair and two vice-chairs from among the delegates at its opening.",
    "No two of the chair and vice-chairs may belong to the same tendency.",
    "The chair keeps order, recognizes speakers, puts questions to the vote and announces results.",
    "A vice-chair takes the chair whenever the chair speaks to a motion or steps away.",
    "The convention elects two tellers who count every show of hands and oversee every"
    " electronic vote.",
    "The secretariat keeps the minutes, the list of speakers and the register of decisions.",
    # Agenda
    "The conveners publish a draft agenda with the call to convention.",
    "The convention adopts its agenda at the opening session by a simple majority.",
    "An item may be added to the agenda during the convention by a two-thirds majority.",
    "The order of items may be changed by a simple majority on a motion of procedure.",
    # Motions and amendments
    "Motions to the convention are submitted by branches, by tendencies or by twenty delegates"
    " jointly.",
    "Motions reach the secretariat four weeks before the convention and are published in full"
    " the following day.",
    "Amendments to a motion may be proposed by any member until the deadline the conveners set.",
    "An amendment needs two seconders besides its proposer to be put to the convention.",
    "A tendency may sponsor an amendment; members of other tendencies may co-sponsor it.",
    "Amendments that change the same words compete and are decided together by ranked vote.",
    "The conveners may accept an amendment as friendly and merge it into the text before the"
    " debate.",
    "An amendment out of order is ruled so by the conveners with the reason in writing; the"
    " proposer may appeal to the convention.",
    "Emergency motions on events after the deadline may be tabled with the support of fifty"
    " delegates.",
    # Debate
    "Each motion is moved by a speaker for its proposers and may be opposed by a speaker against.",
    "The chair then calls speakers alternately for and against, drawing from the list of speakers.",
    "The list of speakers gives precedence to delegates who have not yet spoken on the item.",
    "The chair ensures that every tendency holding a position paper on the item is heard.",
    "Speeches are limited to three minutes, and to five for movers.",
    "No delegate speaks twice on the same item until every delegate who asked has spoken once.",
    "Points of order take precedence over every other speech and are ruled on at once by the"
    " chair.",
    "A motion to close the debate may be put after at least four speeches on the item and needs"
    " two thirds.",
    "The chair may extend a speaker's time by one minute once per item.",
    "Interpretation is provided in every language requested by a delegate two weeks in advance.",
    # Voting
    "Each delegate casts one vote; no delegate votes by proxy.",
    "Votes are taken by show of hands unless a roll-call or secret ballot is requested.",
    "A roll-call vote is held when fifty delegates ask for it.",
    "Elections of persons are held by secret ballot.",
    "A simple majority of the votes cast decides, except where these rules or the bylaws"
    " require more.",
    "Abstentions are recorded but do not count as votes cast.",
    "Ranked votes are counted by instant-runoff, and elections to several seats by single"
    " transferable vote.",
    "The tellers announce the counts, which the secretariat records with the decision.",
    "A block by a tendency in a consensus vote sends the question to a second round held on the"
    " following day.",
    # Minority rights and the record
    "A tendency outvoted on a motion may attach a minority report to the decision record.",
    "Every decision record shows the unity-in-action commitments beside the registered"
    " disagreements.",
    "Delegates may register a disagreement while committing to act on the decision.",
    "The record of each decision names its evaluation date and the conveners who will prepare it.",
    # Closing provisions
    "The minutes are published within two weeks of the convention and approved by the next.",
    "These rules may be suspended for one item by a two-thirds majority.",
    "Any amendment to these rules takes effect at the next convention.",
]

# (article, proposer, kind, new text, title, rationale): one near the start, one in the
# second part, one that removes an article.
RULES_AMENDMENTS = [
    (
        5,
        "Samir Haddad",
        "replace",
        "Each branch sends one delegate for every fifteen members in good standing on the date"
        " of the call, and at least two.",
        "Smaller branches send two delegates",
        "A single delegate cannot both take part and report back to a small branch.",
    ),
    (
        52,
        "Clara Dubois",
        "replace",
        "Delegates may register a disagreement while committing to act on the decision, up to"
        " the opening of its evaluation.",
        "Disagreements may be registered until the evaluation",
        "Some delegates only see the cost of a decision once it is carried out.",
    ),
    (
        38,
        "Priya Raman",
        "delete",
        "",
        "No closure of the debate",
        "Closing a debate after four speeches silences the smaller tendencies; the time limits"
        " already keep debates short.",
    ),
    (
        5,
        "Ravi Iyer",
        "replace",
        "Each branch sends one delegate for every twenty members in good standing on the date"
        " of the call; branches of fewer than twenty members send one delegate jointly with a"
        " neighbouring branch.",
        "Delegates in proportion, without a floor",
        "A floor of two delegates gives a member of a ten-member branch four times the weight of"
        " a member of a large one.",
    ),
]
# The two amendments on article 5 compete; each is seconded, and the delegates decide between
# them (the votes part): (amendment's place in RULES_AMENDMENTS, seconder).
RULES_SECONDS = [(0, "Mei Lin"), (0, "Jonah Feld"), (3, "Grace Mwangi"), (3, "Ben Carter")]


def rules_storylines(world: DemoWorld) -> list[Storyline]:
    return [_rules(world)]


def _rules(world: DemoWorld) -> Storyline:
    clock = world.clock
    yield clock.ago(11)
    convener = world.members[CONVENER]
    draft = services.create_draft(
        convener,
        title=RULES_TITLE,
        kind=DraftKind.RESOLUTION,
        body="\n\n".join(f"**Article {n}.** {text}" for n, text in enumerate(RULES, start=1)),
    )
    yield clock.ago(10)
    services.open_amendment_window(
        convener, draft, clock.now + timedelta(days=9), now=clock.current
    )
    proposed = []
    for days, (article, proposer, kind, new_text, title, rationale) in zip(
        (8, 6, 3, 2.9), RULES_AMENDMENTS, strict=True
    ):
        yield clock.ago(days)
        amendment = services.propose_amendment(
            world.members[proposer],
            draft,
            version_number=draft.current_version_number,
            kind=kind,
            first=article,
            last=article,
            new_text=f"**Article {article}.** {new_text}" if new_text else "",
            title=title,
            rationale=rationale,
        )
        proposed.append(amendment)
    for days, (index, seconder) in zip((2.8, 2.75, 2.7, 2.65), RULES_SECONDS, strict=True):
        yield clock.ago(days)
        services.second_amendment(world.members[seconder], proposed[index])
