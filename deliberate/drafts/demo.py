"""The demo organization's draft: a six-month situational objective in its second version,
with amendments in every state, two competing groups and tendency-sponsored amendments."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from deliberate.accounts.models import Member
from deliberate.database import utcnow
from deliberate.drafts import services
from deliberate.drafts.models import Amendment, Draft, DraftKind
from deliberate.extensions import db

TITLE = "Eastside Tenants First: our objective for the next six months"

PARAGRAPHS = [
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


def _members() -> dict[str, Member]:
    from deliberate.demo import PEOPLE, demo_email

    emails = {demo_email(name): name for name, *_rest in PEOPLE}
    found = db.session.scalars(select(Member).where(Member.email.in_(emails)))
    return {emails[m.email]: m for m in found}


def load_drafts_demo() -> Draft:
    """Create the demo objective (flushes; the caller commits). Needs the demo members."""
    people = _members()
    kwame, lucia = people["Kwame Mensah"], people["Lucía Fernández"]
    today = utcnow().date()
    start, end = today, today + timedelta(days=182)
    evaluation = end + timedelta(days=14)

    def day(moment: object) -> str:
        return f"{moment:%d %B %Y}".lstrip("0")

    body = "\n\n".join(PARAGRAPHS).format(
        start=day(start), end=day(end), evaluation=day(evaluation)
    )
    draft = services.create_draft(
        kwame,
        title=TITLE,
        kind=DraftKind.SITUATIONAL_OBJECTIVE,
        body=body,
        valid_from=start,
        valid_until=end,
        evaluation_date=evaluation,
        conveners=[people["Julia Novak"]],
    )
    services.open_amendment_window(kwame, draft, utcnow() + timedelta(days=12))
    paragraphs = body.split("\n\n")

    def propose(name: str, first: int, last: int | None, new_text: str, title: str, why: str,
                kind: str = "replace") -> Amendment:  # fmt: skip
        return services.propose_amendment(
            people[name],
            draft,
            version_number=draft.current_version_number,
            kind=kind,
            first=first,
            last=last if last is not None else first,
            new_text=new_text,
            title=title,
            rationale=why,
        )

    def second(amendment: Amendment, *names: str) -> None:
        for name in names:
            services.second_amendment(people[name], amendment)

    # A1, friendly: interpretation at the trainings. Merged at once into version 2, which
    # leaves A2 (same paragraph, written against version 1) needing an update.
    a1 = propose(
        "Mei Lin",
        5,
        5,
        paragraphs[4].replace(
            "each training.",
            "each training. Trainings are interpreted into the district's main languages, so "
            "that tenant organizers can take part from the start.",
        ),
        "Interpret the trainings",
        "Half of the tenants already active on the Millstone estate do not speak English at "
        "home. If the trainings are only in English we train *our* members, not theirs.",
    )
    a2 = propose(
        "Grace Mwangi",
        5,
        5,
        "**Training.** Tenant organizers from Harbour View and Millstone lead the trainings "
        "together with our members, in the estates' own community rooms, every fortnight. "
        "Each branch sends at least three members to each training.",
        "Trainings led by tenants, in the estates",
        "People learn organizing from organizers who have won something. The tenants on "
        "Harbour View stopped two evictions last winter; they should teach, not only learn.",
    )
    second(a2, "Samir Haddad")
    services.accept_amendment(kwame, a1)

    # A3 and A4 compete on the measurable aims (¶3), each sponsored by a tendency.
    a3 = propose(
        "Samir Haddad",
        3,
        3,
        "**Measurable aims.** By the evaluation date we aim to have tenant committees in at "
        "least 20 buildings; 1,000 households paying dues to the tenants' union; a list of "
        "demands adopted by an assembly of those committees; one rent strike prepared with "
        "the tenants who will carry it; and at least one landlord negotiating with the union.",
        "Aim higher: 20 buildings, 1,000 households",
        "Twelve buildings is what the tenants already have. An objective that the campaign "
        "would reach without us does not tell us whether our work made a difference.",
    )
    services.request_sponsorship(people["Samir Haddad"], a3)
    services.confirm_sponsorship(people["Rosa Keller"], a3)
    services.cosponsor_amendment(people["Ben Carter"], a3)
    services.cosponsor_amendment(people["Mei Lin"], a3)
    second(a3, "Luis Ortega", "Nadia Rahman", "Zainab Sesay")

    a4 = propose(
        "Diego Morales",
        3,
        3,
        paragraphs[2].replace(
            "negotiating with the union.",
            "negotiating with the union. We also aim to welcome 200 tenants who join the "
            "organization itself through the campaign.",
        ),
        "Count the members we win, too",
        "The campaign is also how the organization grows. If we do not count new members we "
        "will not plan for them: for their first meeting, their training, their branch.",
    )
    services.request_sponsorship(people["Diego Morales"], a4)
    services.confirm_sponsorship(people["Priya Raman"], a4)
    second(a4, "Fatima Zahra Bennani", "Oskar Lindqvist")

    # A5 and A6 compete on the councillors (¶8); A6 is being voted on.
    a5 = propose(
        "Ben Carter",
        8,
        None,
        "The tenant assembly mandates the councillors on every council vote about housing in "
        "the district. A councillor who cannot follow the mandate says so to the assembly "
        "before the vote.",
        "Mandate the councillors",
        "Reporting back is not enough: the people affected should decide how their "
        "representatives vote, as our own standing orders already say for delegates.",
        kind="insert_after",
    )
    second(a5, "Ingrid Solberg")
    a6 = propose(
        "Hannah Okafor",
        8,
        8,
        "**Elected representatives.** Our two councillors in the district put the campaign's "
        "demands to the council, table a motion for a rent freeze in the district within two "
        "months, and report back to the tenant assembly each month. They do not negotiate with "
        "landlords or the council on the union's behalf.",
        "A rent freeze motion within two months",
        "A concrete motion gives the door-knocking teams something to talk about and gives "
        "tenants a vote to watch.",
    )
    second(a6, "Mei Lin", "Jonah Feld")
    services.put_amendments_to_vote(kwame, [a6])

    # A7 adopted by a vote (waiting to be merged); A8 rejected by a vote.
    a7 = propose(
        "Aoife Byrne",
        7,
        7,
        paragraphs[6].replace(
            "employed by the tenants' union.",
            "employed by the tenants' union and accountable to its elected committee, not to us.",
        ),
        "The organizer answers to the union",
        "If we pay the organizer, we must say plainly who they work for.",
    )
    second(a7, "Viktor Petrov", "Grace Mwangi")
    services.put_amendments_to_vote(kwame, [a7])
    services.record_vote_outcome(
        kwame, a7, adopted=True, summary="Adopted by the delegate assembly, 41 for, 12 against."
    )
    a8 = propose(
        "Oskar Lindqvist",
        9,
        9,
        "**Alliances.** We invite the trades council, the faith groups of the district, the "
        "student union and every party that backs the tenants' demands to support the campaign "
        "publicly, and we offer our members to support their own actions in return.",
        "Work with any party that backs the demands",
        "Refusing platforms in advance could cost the tenants allies in the council vote.",
    )
    second(a8, "Hannah Okafor", "Fatima Zahra Bennani")
    services.put_amendments_to_vote(kwame, [a8])
    services.record_vote_outcome(
        kwame, a8, adopted=False, summary="Rejected by the delegate assembly, 17 for, 38 against."
    )

    # A9 ruled out of order; A10 withdrawn by its proposer.
    a9 = propose(
        "Pavel Horák",
        1,
        1,
        "For the next six months the organization concentrates on the city elections and "
        "stands candidates in every Eastside ward.",
        "Put the elections first instead",
        "Elections are where most people meet politics.",
    )
    services.rule_out_amendment(
        lucia,
        a9,
        "It replaces the objective with a different one. A different objective is a new "
        "draft, which any ten members may ask for (standing orders §4.2), not an amendment.",
    )
    a10 = propose(
        "Kofi Asante",
        10,
        10,
        paragraphs[9].replace("four main languages", "six most spoken languages"),
        "Six languages, not four",
        "The 2021 census lists six languages spoken by more than 3% of the district.",
    )
    services.withdraw_amendment(
        people["Kofi Asante"],
        a10,
        "The tenant committees chose the languages themselves last week; I withdraw.",
    )

    # A11 accepted as friendly, merged later with others; A12 awaits its tendency.
    a11 = propose(
        "Ingrid Solberg",
        12,
        12,
        paragraphs[11].replace(
            "hears the registered disagreements,",
            "hears the registered disagreements and the tendencies' minority reports,",
        ),
        "Hear the minority reports at the evaluation",
        "The minority reports are where the arguments lost in the vote are kept.",
    )
    services.accept_amendment(lucia, a11, merge=False)
    a12 = propose(
        "Mateo Silva",
        11,
        11,
        "**Unity in action.** Every member takes part in the campaign for these six months, "
        "whatever they argued in the debate. Disagreements are recorded with the decision, "
        "answered at the evaluation, and never held against anyone.",
        "Say that dissent is never held against anyone",
        "Unity in action works when nobody fears that disagreeing costs them their standing.",
    )
    services.request_sponsorship(people["Mateo Silva"], a12)
    second(a12, "Clara Dubois")
    db.session.flush()
    return draft
