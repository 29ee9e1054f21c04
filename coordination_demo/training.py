"""The demo's training programmes: the two-year care-work course in Swedish for women of
foreign origin, whose participants' feedback revised its curriculum, carried to its
completions and follow-up outcomes; and the study circle on starting care enterprises,
run by a study association and hosted by the immigrant associations' council.

The participants' names and contacts are invented and obviously fictional; they are
personal data all the same, and so go in sealed with each person's key, as real ones
would.
"""

from __future__ import annotations

from datetime import date, timedelta

from coordination_demo.loader import DemoSummary, Loader, created
from coordination_demo.story import person

#: Fictional participants of the care-work course.
CARE_PARTICIPANTS = [
    "Exempla Påhittsdotter",
    "Fiktiva Låtsasson",
    "Prova Testberg",
    "Demonstra Exempelsson",
    "Imaginara Fantasia",
    "Modella Provsdotter",
]
#: Fictional participants of the study circle, one from each association.
CIRCLE_PARTICIPANTS = [
    "Hypotetica Jämförsson",
    "Skisseria Utkastsdotter",
    "Attrappa Modellsson",
]
CARE_CURRICULUM = (
    "Term 1-2: Swedish for care work, care ethics. Term 3-4: elderly care practice and"
    " placements with the partnership's care providers."
)
CARE_REVISED = (
    "Term 1-2: Swedish for care work, with documentation in Swedish, care ethics."
    " Term 3-4: elderly care practice and placements with the partnership's care providers."
)


def contact(label: str) -> str:
    """A fictional contact on a reserved domain that reaches nobody."""
    return f"{label.split(maxsplit=1)[0].lower()}@example.invalid"


def care_course(ld: Loader, out: DemoSummary) -> None:
    """The care-work cohort of 2024-2026, from its enrolments to what became of them."""
    ld.at(352)
    app = ld.app
    mission = out.ids["member:Stockholms Stadsmission"]
    care_firm = out.ids["member:Vårdföretaget Omsorg i Stockholm AB"]
    programme = created(
        app.launch_programme(
            ld.ctx(),
            partnership_id=out.partnership_id,
            kind="care_work_course",
            title="Care work in Swedish",
            provider_id=mission,
            target_group="Women of foreign origin seeking work in care",
            curriculum=CARE_CURRICULUM,
            duration_months=24,
            options=ld.key("programme:care"),
        )
    )
    out.ids["programme:care"] = programme
    cohort = created(
        app.open_cohort(
            ld.ctx(mission),
            programme,
            title="Care work cohort 2024-2026",
            places=16,
            starts_on=date(2024, 2, 1),
            partner_ids=[care_firm],
            options=ld.key("cohort:care"),
        )
    )
    out.ids["cohort:care"] = cohort
    people = [person(f"participant:care:{index}") for index in range(len(CARE_PARTICIPANTS))]
    for index, (participant, name) in enumerate(zip(people, CARE_PARTICIPANTS, strict=True)):
        app.enrol(
            ld.ctx(mission),
            cohort,
            participant_id=participant,
            name=name,
            contact=contact(name),
            options=ld.key(f"cohort:care:enrol:{index}"),
        )
    ld.at(355)
    session = created(
        app.hold_session(
            ld.ctx(mission),
            cohort,
            held_on=ld.clock.date(),
            topic="Documentation at the workplace",
            options=ld.key("cohort:care:session:1"),
        )
    )
    app.record_session_attendance(
        ld.ctx(mission),
        cohort,
        session_id=session,
        participant_ids=people[:5],
        options=ld.key("cohort:care:attendance:1"),
    )
    request = created(
        app.give_feedback(
            ld.ctx(mission),
            cohort,
            participant_id=people[0],
            kind="request",
            text="We need to practise writing care notes in Swedish",
            options=ld.key("cohort:care:feedback:1"),
        )
    )
    ld.at(358)
    app.answer_feedback(
        ld.ctx(mission),
        cohort,
        feedback_id=request,
        answer="Documentation in Swedish is added to terms 1 and 2",
        revised_curriculum=CARE_REVISED,
        options=ld.key("cohort:care:answer:1"),
    )
    ld.at(362)
    session = created(
        app.hold_session(
            ld.ctx(mission),
            cohort,
            held_on=ld.clock.date(),
            topic="Writing care notes in Swedish",
            options=ld.key("cohort:care:session:2"),
        )
    )
    app.record_session_attendance(
        ld.ctx(mission),
        cohort,
        session_id=session,
        participant_ids=people[:4],
        options=ld.key("cohort:care:attendance:2"),
    )
    app.record_leaving(
        ld.ctx(mission),
        cohort,
        participant_id=people[5],
        reason="Moved out of the county",
        options=ld.key("cohort:care:left"),
    )
    ld.at(383)
    for index, participant in enumerate(people[:4]):
        app.record_completion(
            ld.ctx(mission),
            cohort,
            participant_id=participant,
            options=ld.key(f"cohort:care:completed:{index}"),
        )
    ld.at(410)
    for index, outcome in ((0, "employment"), (1, "employment"), (2, "further_study")):
        app.record_follow_up_outcome(
            ld.ctx(mission),
            cohort,
            participant_id=people[index],
            outcome=outcome,
            recorded_on=ld.clock.date(),
            options=ld.key(f"cohort:care:outcome:{index}"),
        )


def study_circle(ld: Loader, out: DemoSummary) -> None:
    """The study circle on care enterprises: ABF runs it, the associations' council hosts."""
    ld.at(412)
    app = ld.app
    abf = out.ids["member:ABF Stockholm"]
    council = out.ids["member:Invandrarföreningarnas samverkansråd"]
    programme = created(
        app.launch_programme(
            ld.ctx(),
            partnership_id=out.partnership_id,
            kind="entrepreneurship_study_circle",
            title="Starting and running a care enterprise",
            provider_id=abf,
            target_group="Members of immigrant associations",
            curriculum="Business plans, cooperative forms, public procurement, care regulation",
            duration_months=24,
            options=ld.key("programme:circle"),
        )
    )
    out.ids["programme:circle"] = programme
    cohort = created(
        app.open_cohort(
            ld.ctx(abf),
            programme,
            title="Study circle 2026-2028",
            places=6,
            starts_on=ld.clock.date(),
            partner_ids=[council],
            options=ld.key("cohort:circle"),
        )
    )
    out.ids["cohort:circle"] = cohort
    people = [person(f"participant:circle:{index}") for index in range(len(CIRCLE_PARTICIPANTS))]
    for index, (participant, name) in enumerate(zip(people, CIRCLE_PARTICIPANTS, strict=True)):
        app.enrol(
            ld.ctx(abf),
            cohort,
            participant_id=participant,
            name=name,
            organisation_id=council,
            options=ld.key(f"cohort:circle:enrol:{index}"),
        )
    ld.at(426)
    for number in (1, 2):
        session = created(
            app.hold_session(
                ld.ctx(abf),
                cohort,
                held_on=ld.clock.date() - timedelta(days=7 * (2 - number)),
                topic="Cooperative forms" if number == 1 else "Care regulation",
                options=ld.key(f"cohort:circle:session:{number}"),
            )
        )
        app.record_session_attendance(
            ld.ctx(abf),
            cohort,
            session_id=session,
            participant_ids=people,
            options=ld.key(f"cohort:circle:attendance:{number}"),
        )
    feedback = created(
        app.give_feedback(
            ld.ctx(abf),
            cohort,
            participant_id=people[1],
            kind="request",
            text="Could we meet in the evenings instead?",
            options=ld.key("cohort:circle:feedback:1"),
        )
    )
    app.answer_feedback(
        ld.ctx(abf),
        cohort,
        feedback_id=feedback,
        answer="The host association's rooms are free in the evenings only from autumn",
        options=ld.key("cohort:circle:answer:1"),
    )
    ld.at(440)
    app.record_leaving(
        ld.ctx(abf),
        cohort,
        participant_id=people[2],
        reason="Left to start her own home-care cooperative",
        options=ld.key("cohort:circle:left"),
    )
    app.record_follow_up_outcome(
        ld.ctx(abf),
        cohort,
        participant_id=people[2],
        outcome="enterprise_started",
        recorded_on=ld.clock.date(),
        options=ld.key("cohort:circle:outcome"),
    )
