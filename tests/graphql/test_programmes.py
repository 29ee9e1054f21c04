"""B5 read over GraphQL, both backends: programme and cohort funnels, the feedback →
curriculum trace, and participants' names and the words of their feedback opened for the
secretariat and the provider only, reading as erased once the person is forgotten."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from coordination.bootstrap import System
from coordination.projections import Projections
from tests.graphql.conftest import Gql, caught_up
from tests.graphql.scenario import Scenario

#: Invented, obviously fictional participants.
NAMES = ["Testa Fictiva Ek", "Exempla Påhittad", "Imaginara Lund", "Prova Låtsas"]
CONTACT = "testa.fictiva@example.org"
CURRICULUM_2 = "Term 1: language of care, with Swedish for the workplace. Term 2: placements."

PROGRAMME = """query($id: UUID!) { programme(uuid: $id) {
  title curriculumVersion
  funnel { places enrolled takingPart left completed sessionsHeld attendances
           outcomes { outcome participants } }
  cohorts { title funnel { places enrolled takingPart left completed sessionsHeld attendances
            outcomes { outcome participants } } }
  curriculumVersions { version reason }
  feedbackTrace { uuid kind answered accepted answer ledTo { version curriculum reason } }
} }"""
PARTICIPANTS = """query($id: UUID!) { cohortParticipants(cohortId: $id) {
  participantId status sessionsAttended outcomes erased name contact } }"""
FEEDBACK = """query($id: UUID!) { cohortFeedback(cohortId: $id) {
  uuid participantId kind accepted curriculumVersion erased text } }"""
WORDS = ["More workplace Swedish", "Too fast"]
IDS = "query($id: UUID!) { cohortParticipants(cohortId: $id) { participantId erased } }"
ERASE = "mutation($input: EraseSubjectInput!) { eraseSubject(input: $input) { __typename } }"


@dataclass
class Course:
    programme: UUID
    cohort: UUID
    people: list[UUID]
    accepted: UUID
    explained: UUID


def course(scn: Scenario) -> Course:
    """A care-work course (provided by B) with a cohort of four and a small second one."""
    app, ctx = scn.app, scn.secretariat()
    programme = scn.created(
        app.launch_programme(
            ctx,
            partnership_id=scn.partnership,
            kind="care_work_course",
            title="Care work in Swedish",
            provider_id=scn.orgs["B"],
            target_group="women of foreign origin",
            curriculum="Term 1: language of care. Term 2: placements.",
            duration_months=24,
        )
    )
    starts = scn.start.date() - timedelta(days=30)
    cohort = scn.created(
        app.open_cohort(ctx, programme, title="Cohort A", places=4, starts_on=starts)
    )
    second = scn.created(
        app.open_cohort(ctx, programme, title="Cohort B", places=2, starts_on=starts)
    )
    people = [uuid4() for _ in NAMES]
    for person, name in zip(people, NAMES, strict=True):
        app.enrol(ctx, cohort, participant_id=person, name=name, contact=CONTACT)
    app.enrol(ctx, second, participant_id=uuid4(), name="Nomen Nescio")
    first = scn.created(app.hold_session(ctx, cohort, held_on=starts, topic="Language of care"))
    later = scn.created(
        app.hold_session(ctx, cohort, held_on=starts + timedelta(days=7), topic="Hygiene")
    )
    app.record_session_attendance(ctx, cohort, session_id=first, participant_ids=people[:3])
    app.record_session_attendance(ctx, cohort, session_id=later, participant_ids=people[:2])
    accepted = scn.created(
        app.give_feedback(ctx, cohort, participant_id=people[0], kind="request", text=WORDS[0])
    )
    explained = scn.created(
        app.give_feedback(ctx, cohort, participant_id=people[1], kind="feedback", text=WORDS[1])
    )
    app.answer_feedback(
        ctx,
        cohort,
        feedback_id=accepted,
        answer="Workplace Swedish added to term 1",
        revised_curriculum=CURRICULUM_2,
    )
    app.answer_feedback(
        ctx, cohort, feedback_id=explained, answer="The pace follows the placements' calendar"
    )
    app.record_completion(ctx, cohort, participant_id=people[0])
    app.record_completion(ctx, cohort, participant_id=people[1])
    app.record_leaving(ctx, cohort, participant_id=people[2], reason="Moved to another town")
    today = scn.start.date()
    for person, outcome in ((0, "employment"), (1, "further_study"), (2, "employment")):
        app.record_follow_up_outcome(
            ctx, cohort, participant_id=people[person], outcome=outcome, recorded_on=today
        )
    return Course(programme, cohort, people, accepted, explained)


async def test_funnels_count_places_enrolments_leaving_completion_outcomes_and_sessions(
    system: System, projections: Projections, scenario: Scenario, gql: Gql
) -> None:
    taken = course(scenario)
    await caught_up(system, projections)
    seen = (
        await gql.data(
            PROGRAMME, {"id": str(taken.programme)}, scenario.principal("representative_other")
        )
    )["programme"]
    outcomes = [
        {"outcome": "EMPLOYMENT", "participants": 2},
        {"outcome": "FURTHER_STUDY", "participants": 1},
    ]
    first = {
        "places": 4,
        "enrolled": 4,
        "takingPart": 1,
        "left": 1,
        "completed": 2,
        "sessionsHeld": 2,
        "attendances": 5,
        "outcomes": outcomes,
    }
    assert seen["cohorts"] == [
        {"title": "Cohort A", "funnel": first},
        {
            "title": "Cohort B",
            "funnel": {
                "places": 2,
                "enrolled": 1,
                "takingPart": 1,
                "left": 0,
                "completed": 0,
                "sessionsHeld": 0,
                "attendances": 0,
                "outcomes": [],
            },
        },
    ]
    assert seen["funnel"] == {**first, "places": 6, "enrolled": 5, "takingPart": 2}
    assert (seen["title"], seen["curriculumVersion"]) == ("Care work in Swedish", 2)


async def test_the_trace_links_accepted_feedback_to_the_curriculum_it_revised(
    system: System, projections: Projections, scenario: Scenario, gql: Gql
) -> None:
    taken = course(scenario)
    await caught_up(system, projections)
    seen = (await gql.data(PROGRAMME, {"id": str(taken.programme)}, scenario.principal("admin")))[
        "programme"
    ]
    assert seen["curriculumVersions"] == [
        {"version": 1, "reason": None},
        {"version": 2, "reason": "Workplace Swedish added to term 1"},
    ]
    assert seen["feedbackTrace"] == [
        {
            "uuid": str(taken.accepted),
            "kind": "REQUEST",
            "answered": True,
            "accepted": True,
            "answer": "Workplace Swedish added to term 1",
            "ledTo": {
                "version": 2,
                "curriculum": CURRICULUM_2,
                "reason": "Workplace Swedish added to term 1",
            },
        },
        {
            "uuid": str(taken.explained),
            "kind": "FEEDBACK",
            "answered": True,
            "accepted": False,
            "answer": "The pace follows the placements' calendar",
            "ledTo": None,
        },
    ]


async def test_names_are_opened_for_the_secretariat_and_the_provider_only(
    system: System, projections: Projections, scenario: Scenario, gql: Gql
) -> None:
    scn, taken = scenario, course(scenario)
    await caught_up(system, projections)
    given = {"id": str(taken.cohort)}
    for role in ("representative", "admin"):
        rows = (await gql.data(PARTICIPANTS, given, scn.principal(role)))["cohortParticipants"]
        assert [row["name"] for row in rows] == NAMES, role
        assert rows[0] == {
            "participantId": str(taken.people[0]),
            "status": "COMPLETED",
            "sessionsAttended": 2,
            "outcomes": ["EMPLOYMENT"],
            "erased": False,
            "name": NAMES[0],
            "contact": CONTACT,
        }, role

    audited = await gql.run(PARTICIPANTS, given, scn.principal("auditor"))
    assert audited.data is not None
    assert [row["participantId"] for row in audited.data["cohortParticipants"]] == [
        str(person) for person in taken.people
    ]
    assert all(row["name"] is None for row in audited.data["cohortParticipants"])
    assert audited.errors
    assert {error.extensions["code"] for error in audited.errors} == {"FORBIDDEN"}  # type: ignore[index]
    assert audited.errors[0].path == ["cohortParticipants", 0, "name"]

    for role, code in (("representative_other", "FORBIDDEN"), ("anonymous", "UNAUTHENTICATED")):
        refused = await gql.run(PARTICIPANTS, given, scn.principal(role))
        assert refused.data == {"cohortParticipants": None}, role
        assert refused.errors is not None
        assert refused.errors[0].extensions == {"code": code}, role
    every = str([audited.errors, refused.errors])
    assert not any(name in every for name in NAMES)


async def test_an_erased_participant_reads_as_erased(
    system: System, projections: Projections, scenario: Scenario, gql: Gql
) -> None:
    scn, taken = scenario, course(scenario)
    forgotten = taken.people[1]
    await caught_up(system, projections)
    erased = await gql.data(
        ERASE,
        {"input": {"subjectId": str(forgotten), "ground": "REQUEST"}},
        scn.principal("admin"),
    )
    assert erased["eraseSubject"]["__typename"] == "EraseSubjectPayload"
    for role in ("representative", "admin"):
        rows = (await gql.data(PARTICIPANTS, {"id": str(taken.cohort)}, scn.principal(role)))[
            "cohortParticipants"
        ]
        shown = {UUID(row["participantId"]): row for row in rows}
        assert (shown[forgotten]["erased"], shown[forgotten]["name"]) == (True, None), role
        assert shown[forgotten]["contact"] is None
        assert shown[taken.people[0]]["name"] == NAMES[0]
        assert NAMES[1] not in str(rows)
    audited = await gql.run(IDS, {"id": str(taken.cohort)}, scn.principal("auditor"))
    assert audited.data is not None
    assert [row["erased"] for row in audited.data["cohortParticipants"]] == [
        False,
        True,
        False,
        False,
    ]


async def test_feedback_is_shown_in_its_own_words_to_the_secretariat_and_the_provider_only(
    system: System,
    projections: Projections,
    scenario: Scenario,
    gql: Gql,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    scn, taken = scenario, course(scenario)
    await caught_up(system, projections)
    given = {"id": str(taken.cohort)}
    for role in ("representative", "admin"):
        rows = (await gql.data(FEEDBACK, given, scn.principal(role)))["cohortFeedback"]
        assert rows == [
            {
                "uuid": str(taken.accepted),
                "participantId": str(taken.people[0]),
                "kind": "REQUEST",
                "accepted": True,
                "curriculumVersion": 2,
                "erased": False,
                "text": WORDS[0],
            },
            {
                "uuid": str(taken.explained),
                "participantId": str(taken.people[1]),
                "kind": "FEEDBACK",
                "accepted": False,
                "curriculumVersion": None,
                "erased": False,
                "text": WORDS[1],
            },
        ], role

    audited = await gql.run(FEEDBACK, given, scn.principal("auditor"))
    assert audited.data is not None
    assert [row["text"] for row in audited.data["cohortFeedback"]] == [None, None]
    assert audited.errors
    assert {error.extensions["code"] for error in audited.errors} == {"FORBIDDEN"}  # type: ignore[index]
    assert audited.errors[0].path == ["cohortFeedback", 0, "text"]
    for role, code in (("representative_other", "FORBIDDEN"), ("anonymous", "UNAUTHENTICATED")):
        refused = await gql.run(FEEDBACK, given, scn.principal(role))
        assert refused.data == {"cohortFeedback": None}, role
        assert refused.errors is not None
        assert refused.errors[0].extensions == {"code": code}, role
    assert not any(words in str([audited.errors, refused.errors]) for words in WORDS)

    erased = await gql.data(
        ERASE,
        {"input": {"subjectId": str(taken.people[1]), "ground": "REQUEST"}},
        scn.principal("admin"),
    )
    assert erased["eraseSubject"]["__typename"] == "EraseSubjectPayload"
    rows = (await gql.data(FEEDBACK, given, scn.principal("admin")))["cohortFeedback"]
    assert [(row["erased"], row["text"]) for row in rows] == [(False, WORDS[0]), (True, None)]
    assert not any(words in caplog.text for words in WORDS)  # shown, never logged
