"""The demo's prose: the tendencies' lines, the draft and its amendments, the papers and the
short debates."""

from __future__ import annotations

from dataclasses import dataclass

# The line of each tendency, in the order they were registered.
TENDENCY_LINES = {
    "Mass Party Platform": """\
We want an organization of **tens of thousands** that stands candidates, wins reforms and
makes socialism a common word again.

- Grow membership through open campaigns that anyone can join in a week.
- Contest elections where a campaign strengthens local organizing, and hold our
  representatives to the program by binding mandates.
- Build one press and one school for the whole organization.
""",
    "Rank-and-File Caucus": """\
Power grows where people work and live. We put **unions, tenant unions and workplace
committees** before elections.

1. Every member belongs to an organizing project, not just a branch.
2. Salaried staff answer to elected committees of members.
3. We measure success by new organizers trained and disputes won, not by votes.
""",
    "Assembly Network": """\
Decisions belong to those affected. We build **neighbourhood assemblies** and
federate them, and we want the organization itself run the same way.

> Delegates carry mandates; they do not make policy alone.

We ask that every situational objective be evaluated in open assemblies, and that
dissent be recorded, never buried.
""",
}


# The demo draft: a six-month situational objective ({start}, {end} and {evaluation} are
# the dates of its period).
DRAFT_TITLE = "Eastside Tenants First: our objective for the next six months"

DRAFT_PARAGRAPHS = [
    "From {start} to {end}, the organization puts its collective weight behind one "
    "objective: to build a tenants' union in the Eastside district strong enough to stop the "
    "wave of rent increases and evictions there, and to win a first collective agreement with "
    "at least one large landlord.",
    "We choose Eastside because rents there have risen by a third in three years, because two "
    "of our branches already meet there, and because the tenants of the Harbour View and "
    "Millstone estates have begun organizing on their own. Our task is to strengthen what they "
    "started, not to replace it.",
    "**Measurable aims.** By the evaluation date we aim to have tenant committees in at least "
    "12 buildings; 600 households paying dues to the tenants' union; a list of demands adopted "
    "by an assembly of those committees; and at least one landlord negotiating with the union.",
    "**Door-knocking.** Every branch in the city adopts a part of the district and sends a team "
    "out at least two evenings a week. Teams use one script, agreed with the tenant committees, "
    "and record every conversation in the campaign's contact list so that no tenant is asked "
    "the same thing twice.",
    "**Training.** The political education committee runs an organizer training every month: "
    "how to hold a one-to-one conversation, how to chair a building meeting, how to prepare a "
    "rent strike, and the basics of tenancy law. Each branch sends at least three members to "
    "each training.",
    "**Legal defence.** We set up a rota of members with legal training who accompany tenants "
    "to eviction hearings and help them answer landlords' letters. We seek an agreement with "
    "the Law Centre so that every tenant threatened with eviction in the district sees a lawyer "
    "within a week.",
    "**Money.** The campaign gets a budget of 18,000 from the national treasury for the six "
    "months, for printing, rooms, childcare at meetings and one part-time organizer employed by "
    "the tenants' union. The treasurer reports spending to every meeting of the national "
    "committee.",
    "**Elected representatives.** Our two councillors in the district put the campaign's "
    "demands to the council and report back to the tenant assembly each month. They do not "
    "negotiate with landlords or the council on the union's behalf; the tenant committees "
    "choose who speaks for them.",
    "**Alliances.** We invite the trades council, the faith groups of the district and the "
    "student union to support the campaign publicly, and we offer our members to support their "
    "own actions in return. We do not join any platform led by a party in the city government.",
    "**Communication.** The campaign has one newsletter, written with the tenant committees, "
    "printed in the four main languages of the district and delivered by hand. Our own press "
    "reports on the campaign every week but speaks only for the organization, never for the "
    "union.",
    "**Unity in action.** Members who argued for a different priority in the debate are asked "
    "to take part like everyone else for these six months. Disagreements are recorded with the "
    "decision and revisited at the evaluation; they are not a reason to sit the campaign out.",
    "**Evaluation.** On {evaluation} an open assembly of all Eastside members and the tenant "
    "committees evaluates the objective against the measurable aims above, hears the registered "
    "disagreements, and recommends to the national committee whether to continue, widen or end "
    "the campaign.",
]


@dataclass(frozen=True)
class AmendmentText:
    """What a member proposes: ¶`first`–¶`last` (after ¶`first` for an insertion) becomes
    `new_text`, or, given `edit` (old, new), the paragraph with `old` replaced by `new`."""

    proposer: str
    first: int
    last: int
    title: str
    rationale: str
    new_text: str = ""
    edit: tuple[str, str] | None = None
    kind: str = "replace"


# The amendments to the demo draft, in the order they were proposed (A1, A2, ...).
AMENDMENTS = [
    AmendmentText(
        "Mei Lin",
        5,
        5,
        "Interpret the trainings",
        "Half of the tenants already active on the Millstone estate do not speak English at "
        "home. If the trainings are only in English we train *our* members, not theirs.",
        edit=(
            "each training.",
            "each training. Trainings are interpreted into the district's main languages, so "
            "that tenant organizers can take part from the start.",
        ),
    ),
    AmendmentText(
        "Grace Mwangi",
        5,
        5,
        "Trainings led by tenants, in the estates",
        "People learn organizing from organizers who have won something. The tenants on "
        "Harbour View stopped two evictions last winter; they should teach, not only learn.",
        "**Training.** Tenant organizers from Harbour View and Millstone lead the trainings "
        "together with our members, in the estates' own community rooms, every fortnight. "
        "Each branch sends at least three members to each training.",
    ),
    AmendmentText(
        "Samir Haddad",
        3,
        3,
        "Aim higher: 20 buildings, 1,000 households",
        "Twelve buildings is what the tenants already have. An objective that the campaign "
        "would reach without us does not tell us whether our work made a difference.",
        "**Measurable aims.** By the evaluation date we aim to have tenant committees in at "
        "least 20 buildings; 1,000 households paying dues to the tenants' union; a list of "
        "demands adopted by an assembly of those committees; one rent strike prepared with "
        "the tenants who will carry it; and at least one landlord negotiating with the union.",
    ),
    AmendmentText(
        "Diego Morales",
        3,
        3,
        "Count the members we win, too",
        "The campaign is also how the organization grows. If we do not count new members we "
        "will not plan for them: for their first meeting, their training, their branch.",
        edit=(
            "negotiating with the union.",
            "negotiating with the union. We also aim to welcome 200 tenants who join the "
            "organization itself through the campaign.",
        ),
    ),
    AmendmentText(
        "Ben Carter",
        8,
        8,
        "Mandate the councillors",
        "Reporting back is not enough: the people affected should decide how their "
        "representatives vote, as our own standing orders already say for delegates.",
        "The tenant assembly mandates the councillors on every council vote about housing in "
        "the district. A councillor who cannot follow the mandate says so to the assembly "
        "before the vote.",
        kind="insert_after",
    ),
    AmendmentText(
        "Hannah Okafor",
        8,
        8,
        "A rent freeze motion within two months",
        "A concrete motion gives the door-knocking teams something to talk about and gives "
        "tenants a vote to watch.",
        "**Elected representatives.** Our two councillors in the district put the campaign's "
        "demands to the council, table a motion for a rent freeze in the district within two "
        "months, and report back to the tenant assembly each month. They do not negotiate with "
        "landlords or the council on the union's behalf.",
    ),
    AmendmentText(
        "Aoife Byrne",
        7,
        7,
        "The organizer answers to the union",
        "If we pay the organizer, we must say plainly who they work for.",
        edit=(
            "employed by the tenants' union.",
            "employed by the tenants' union and accountable to its elected committee, not to us.",
        ),
    ),
    AmendmentText(
        "Oskar Lindqvist",
        9,
        9,
        "Work with any party that backs the demands",
        "Refusing platforms in advance could cost the tenants allies in the council vote.",
        "**Alliances.** We invite the trades council, the faith groups of the district, the "
        "student union and every party that backs the tenants' demands to support the campaign "
        "publicly, and we offer our members to support their own actions in return.",
    ),
    AmendmentText(
        "Pavel Horák",
        1,
        1,
        "Put the elections first instead",
        "Elections are where most people meet politics.",
        "For the next six months the organization concentrates on the city elections and "
        "stands candidates in every Eastside ward.",
    ),
    AmendmentText(
        "Kofi Asante",
        10,
        10,
        "Six languages, not four",
        "The 2021 census lists six languages spoken by more than 3% of the district.",
        edit=("four main languages", "six most spoken languages"),
    ),
    AmendmentText(
        "Ingrid Solberg",
        12,
        12,
        "Hear the minority reports at the evaluation",
        "The minority reports are where the arguments lost in the vote are kept.",
        edit=(
            "hears the registered disagreements,",
            "hears the registered disagreements and the tendencies' minority reports,",
        ),
    ),
    AmendmentText(
        "Mateo Silva",
        11,
        11,
        "Say that dissent is never held against anyone",
        "Unity in action works when nobody fears that disagreeing costs them their standing.",
        "**Unity in action.** Every member takes part in the campaign for these six months, "
        "whatever they argued in the debate. Disagreements are recorded with the decision, "
        "answered at the evaluation, and never held against anyone.",
    ),
]

# Each tendency's papers: (coordinator, subject, title, text). A subject is "draft" or the
# title of one of the demo draft's amendments.
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

# The paper on the draft that its tendency revised after publishing it, and what it added.
REVISED = (
    "Rank-and-File Caucus",
    """\

**Revision after the assembly of the Harbour View committee:** the committee asked that our
members never chair a building meeting. We agree, and add it here.
""",
)

# A tendency's first paper on the draft, superseded by its paper above:
# (tendency, coordinator, title, text).
SUPERSEDED = (
    "Mass Party Platform",
    "Priya Raman",
    "Eastside as the first step",
    "Eastside is the right start. We will propose that the objective name the next districts.",
)

# Short exchanges on amendments, each reply answering the line before: (author, text).
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

# A paper still being drafted, seen only by its tendency's members:
# (tendency, coordinator, amendment title, paper title, text).
DRAFTING_PAPER = (
    "Assembly Network",
    "Clara Dubois",
    "A rent freeze motion within two months",
    "A rent freeze motion: our questions",
    "Who drafts the motion, and does the tenant assembly see it before it is tabled?",
)

# A short exchange on a paper: (paper title, [(author, text)]).
PAPER_DEBATE = (
    "Win Eastside, then the city",
    [
        ("Samir Haddad", "Growth is good, but not at the tenants' expense."),
        ("Jonah Feld", "Agreed: nobody is recruited at a building meeting."),
    ],
)

# On the draft: a comment its author edited (first text, then the edit), on ¶4.
EDITED_COMMENT = (
    "Rosa Keller",
    "Two evenings a week is the minimum.",
    "Two evenings a week is the minimum, and the teams must include tenants.",
)

# On the draft: a comment its author later deleted, and the reply that stays in place.
DELETED_COMMENT = [
    ("Pavel Horák", "Elections matter more than any of this."),
    ("Zainab Sesay", "They matter, but not for these six months."),
]
