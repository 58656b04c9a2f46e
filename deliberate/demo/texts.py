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


@dataclass(frozen=True)
class ObjectiveText:
    """An earlier situational objective: the draft ({start}, {end} and {evaluation} are the
    dates of its period), then the record conveners wrote once it was adopted ({summary} is
    the vote's outcome)."""

    title: str
    paragraphs: list[str]
    outcome: str
    unity: str


# Adopted five weeks ago, carried out until the council's budget vote, evaluated since.
LIBRARY = ObjectiveText(
    "Keep the Millstone library open: our objective until the budget vote",
    [
        "From {start} until the council's budget vote on {end}, the organization puts its "
        "weight behind one objective: that the council's budget keeps the Millstone library "
        "open.",
        "The council's draft budget closes the library at the end of the year to save 140,000. "
        "It is the only public building on the estate open in the evenings, the only free "
        "internet most of its households have, and the room where two of our branches and the "
        "Millstone tenants meet.",
        "**Petition.** Every branch collects signatures on one petition, at the library door, "
        "at the school gates and door to door on the estate. We aim for 3,000 signatures of "
        "Millstone residents, handed in at the budget meeting.",
        "**The public gallery.** On the evening of the vote we fill the council's public "
        "gallery, and our councillors table an amendment to the budget that keeps the library "
        "open.",
        "**With whom.** We invite the library's users, the library workers' union and the "
        "parents of the estate's school to sign, to come on the evening of the vote and to "
        "speak for themselves.",
        "**Evaluation.** On {evaluation} the branches meet to evaluate the objective: whether "
        "the library stays open, how many residents signed, and how many of them we have met "
        "again since.",
    ],
    "{summary} From {start} until the budget vote on {end}, the organization campaigns to "
    "keep the Millstone library open: one petition, 3,000 signatures of Millstone residents, "
    "a full public gallery on the evening of the vote, and a budget amendment tabled by our "
    "councillors.",
    "Every member collects signatures with their branch at least one evening a week until the "
    "budget vote, and every member who can comes to the public gallery on {end}. Members who "
    "argued for another way take part like everyone else; their disagreements are recorded "
    "here and answered at the evaluation on {evaluation}.",
)

# Registered disagreements: member -> (commits?, reasons).
LIBRARY_DISSENTS = {
    "Samir Haddad": (
        True,
        "A petition asks the council for a favour it can refuse. The library workers' union "
        "is balloting against the cuts to its members' hours: the force that can keep the "
        "library open is the staff and the users acting together, not 3,000 signatures.\n\n"
        "I will collect signatures with my branch. I ask that we meet the library workers "
        "**before** the budget vote, not after.",
    ),
    "Ingrid Solberg": (
        True,
        "Nobody asked the library's users what to demand. An assembly in the library should "
        "have chosen the demand and the speakers before we printed a petition in their name.",
    ),
    "Pavel Horák": (
        False,
        "The council closes the library because the people who run it want it closed. Three "
        "weeks of petitions will not change their minds; winning seats at the city elections "
        "will. I will spend my evenings preparing for those, and I say so here rather than "
        "pretend.",
    ),
}

LIBRARY_EVALUATION = (
    "**Partly achieved.** The council's budget keeps the Millstone library open, but three "
    "days a week instead of six. We collected 3,412 signatures, 2,650 of them from Millstone "
    "residents, and 140 people filled the public gallery on the evening of the vote.\n\n"
    "Our councillors' amendment was defeated. The building was kept by a deal struck the day "
    "before the vote between the council and the library workers' union, which accepted "
    "shorter opening hours in exchange for no redundancies. We had met the union's branch "
    "once, in the last week; we were not part of that deal and could not speak to it.\n\n"
    "We have met 31 of the signatories again since; nine of them now sit on tenant committees "
    "on the estate. The lesson is the one the Eastside objective now under debate already "
    "draws: the people affected choose the demand, and we organize with the workers and "
    "tenants who can act, not only on their behalf."
)

# What the evaluation found of each registered disagreement: (borne out?, comment).
LIBRARY_ASSESSMENTS = {
    "Samir Haddad": (
        "borne_out",
        "Borne out. The library's future was settled in the library workers' union's own talks "
        "with the council. We had not organized with them before the vote, and the opening "
        "hours were lost in a deal we had no part in.",
    ),
    "Ingrid Solberg": (
        "partly_borne_out",
        "Partly borne out. The users' meeting we held in the second week asked for the library "
        "to stay open six days, not only for the building to stay open; had it met first, the "
        "petition would have asked for what people needed. Nobody resented the petition itself.",
    ),
    "Pavel Horák": (
        "not_borne_out",
        "Not borne out. The council withdrew the closure without any election: the petition, "
        "the full gallery and the workers' union together changed its budget.",
    ),
}

# The evaluation's debate: (author, text), each answering the one before.
LIBRARY_EVALUATION_DEBATE = [
    (
        "Samir Haddad",
        "Thank you for recording it plainly. Next time the first meeting is with the workers.",
    ),
    (
        "Priya Raman",
        "Agreed, and the signatures were not wasted: nine new committee members came from them.",
    ),
    ("Ingrid Solberg", "Then let the users' assembly meet in week one, not week two."),
]


# Adopted four weeks ago; its polling day has passed and its evaluation is due.
BY_ELECTION = ObjectiveText(
    "Northgate by-election: our objective until polling day",
    [
        "From {start} until polling day on {end}, the organization's first objective is to win "
        "the Northgate ward by-election for our candidate, Hannah Okafor, and to come out of "
        "it with more members in Northgate than we went in with.",
        "The seat fell vacant when its councillor resigned. The ward borders Eastside; a third "
        "of its households rent privately, and the rent rises that drive the Eastside campaign "
        "are reaching it too. A seat there gives renters one more voice on the council.",
        "**Canvassing.** Every branch sends a team to Northgate at least two evenings a week "
        "and on Saturdays. We aim to speak with 4,000 households, to record every conversation "
        "in one contact list, and to invite everyone who backs our platform to a meeting in the "
        "ward.",
        "**The platform.** Our candidate stands on three pledges: a public register of rents in "
        "the ward, a council lettings agency that charges tenants no fees, and no sale of "
        "council land to developers. She reports to a meeting of the Northgate members every "
        "fortnight.",
        "**Money.** The campaign has 6,000 from the national treasury for leaflets, posters and "
        "the hall for the eve-of-poll meeting.",
        "**Evaluation.** On {evaluation} the branches meet to evaluate the objective: the "
        "result, the households we spoke with, and the members we won in Northgate.",
    ],
    "{summary} From {start} until polling day on {end}, the organization's first objective is "
    "to win the Northgate by-election for Hannah Okafor on the platform of rents, fees and "
    "council land, and to grow our membership in the ward.\n\n"
    "The Rank-and-File Caucus and part of the Assembly Network voted against: they argued "
    "that the campaign takes members away from the Eastside tenants just as their committees "
    "are forming, and that the candidate should have been chosen by an assembly in the ward.",
    "Every member takes part in the by-election campaign until polling day on {end}: at least "
    "one canvassing session a week in Northgate, or a shift at the campaign office for those "
    "who cannot walk the streets. Branches keep their Eastside door-knocking going on the "
    "evenings that are not Northgate's.\n\n"
    "Members who voted against are asked to canvass like everyone else. Their disagreements "
    "are recorded here and will be heard at the evaluation on {evaluation}.",
)

# Entries that changed: member -> [(commits?, reasons or None), ...] in the order recorded.
BY_ELECTION_DISSENTS: dict[str, list[tuple[bool, str | None]]] = {
    "Rosa Keller": [
        (
            True,
            "I will canvass in Northgate. But four weeks of evenings there come out of the "
            "evenings the Harbour View and Millstone tenants need from us, just as their "
            "committees are forming. The Caucus's minority report sets out what we should "
            "measure at the evaluation.",
        )
    ],
    "Viktor Petrov": [
        (
            False,
            "I will not canvass for a council seat. I will spend those evenings at Harbour "
            "View, where the eviction hearings are this month. I would rather say so plainly "
            "than sign a commitment I will not keep.",
        )
    ],
    "Clara Dubois": [
        (
            True,
            "The candidate was chosen by the branch committee, not by an assembly of our "
            "Northgate members and the tenants who would vote for her. A councillor without a "
            "mandate from the people she represents is what we say we are against.\n\n"
            "I will canvass. I ask that a ward assembly mandate her after polling day.",
        )
    ],
    "Samir Haddad": [
        (False, "I cannot commit to leaving the Millstone tenants for four weeks."),
        (
            True,
            "The Millstone committee told us to go and win the seat, so I will canvass. I "
            "still think the timing is wrong for Eastside, and I keep my disagreement on the "
            "record.",
        ),
    ],
    "Zainab Sesay": [
        (True, None),
        (
            True,
            "Four weeks is too short to reach people who do not vote already. We are knocking "
            "on the doors of the register, and the renters who moved in this year are not on "
            "it. I'll keep doing my shifts, but we should be registering voters, not only "
            "canvassing them.",
        ),
    ],
}

# The record's debate once polling day has passed: (author, text), each answering the one before.
BY_ELECTION_DEBATE = [
    (
        "Hannah Okafor",
        "The result: 1,184 votes, second of five candidates, 212 behind the winner. Thank you "
        "to everyone who knocked on doors in the rain.",
    ),
    (
        "Rosa Keller",
        "Well fought, Hannah. For the evaluation: the Harbour View committee met twice in these "
        "four weeks instead of four times.",
    ),
    ("Priya Raman", "And 38 people joined us in Northgate, where we had no branch at all."),
    ("Clara Dubois", "Then let those 38 decide how our next candidate there is chosen."),
]

# The Caucus's minority report on the by-election: (coordinator, title, text).
BY_ELECTION_MINORITY_REPORT = (
    "Rosa Keller",
    "Tenants before ballots: minority report on the Northgate by-election",
    """\
The Caucus voted against this objective, and its members will carry it out. We record here
why we think it is a mistake, so that the evaluation can judge it.

1. **It takes the doors from Eastside.** Two evenings a week in Northgate are two evenings
   not spent in Harbour View and Millstone, just as the tenants there are forming their
   committees. A committee visited every week holds; one visited every fortnight does not.
2. **A seat is not power.** One more councillor does not change a single rent. Rents change
   when tenants can act together, and that is what our members should be building.
3. **What to measure.** Beside the result, we ask the evaluation for three figures: how many
   Eastside visits were cancelled during the campaign, how many tenant committees met in
   those weeks, and how many of the members we win in Northgate are still active three
   months on.
""",
)

# The record of the committee election: outcome ({summary}: who was elected) and unity.
COMMITTEE_STATEMENTS = (
    "{summary} The three coordinate the Eastside campaign between assemblies: they keep the "
    "contact list and the door-knocking rota, call the branches' teams together, and report "
    "to every branch meeting.",
    "Every member works with the committee on the campaign's plans and takes questions about "
    "the campaign to it through their branch. The committee answers to the tenant assembly "
    "and to the branches, not to any tendency.",
)

# The record of the venue question, as two conveners wrote it in turn; not sealed yet.
VENUE_REVISIONS = [
    (
        "Lucía Fernández",
        "{summary} The spring assembly meets in the Eastside community hall on the first "
        "Saturday of the month. One member blocked because the hall has no step-free "
        "entrance; the vote fell back to a three-quarters majority, which the proposal "
        "reached.",
        "Every member helps to bring their branch to the assembly: one delegate per ten "
        "members, and everyone else welcome in the gallery.",
    ),
    (
        "Kwame Mensah",
        "{summary} The spring assembly meets in the Eastside community hall on the first "
        "Saturday of the month. One member blocked because the hall has no step-free "
        "entrance; the vote fell back to a three-quarters majority, which the proposal "
        "reached. The block stands in this record with its reason.",
        "Every member helps to bring their branch to the assembly: one delegate per ten "
        "members, and everyone else welcome in the gallery.\n\n"
        "The conveners book the ramp the housing office lends and confirm step-free access "
        "before the assembly is announced. If it cannot be had, they come back to the members "
        "with another hall.",
    ),
]
