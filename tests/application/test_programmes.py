"""B5: training programmes and cohorts, one test per rule, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest

from coordination.domain.cohort import Cohort
from coordination.domain.errors import InvalidInput, NotFound, RuleViolation
from coordination.domain.personal import Sealed
from coordination.domain.programme import Programme
from coordination.privacy.keys import SubjectErasedError
from tests.application.conftest import TODAY, World, secretariat
from tests.application.support_programmes import FEEDBACK, enrol, launch, open_cohort
from tests.application.support_workshops import topics

# -- LaunchProgramme and OpenCohort ---------------------------------------------------


def test_launch_records_kind_provider_target_group_curriculum_and_duration(world: World) -> None:
    programme = world.app.programme(launch(world))
    assert (Programme.TOPIC, programme.kind, programme.provider_id) == (
        "coordination.programme",
        "care_work_course",
        world.orgs[3].id,
    )
    assert (programme.curriculum_version, programme.duration_months) == (1, 24)
    assert programme.target_group == "women of foreign origin"


def test_a_programme_is_of_a_known_kind(world: World) -> None:
    with pytest.raises(InvalidInput, match="kind 'knitting' is not one of: care_work_course"):
        launch(world, kind="knitting")


def test_a_programme_lasts_one_to_a_hundred_and_twenty_months(world: World) -> None:
    with pytest.raises(InvalidInput, match="duration_months must be a whole number of months"):
        launch(world, duration_months=0)


def test_a_programme_is_provided_by_a_member(world: World) -> None:
    with pytest.raises(NotFound, match="is not a member of this partnership"):
        launch(world, provider_id=uuid4())


def test_a_cohort_is_listed_by_its_programme_in_the_same_save(world: World) -> None:
    programme_id = launch(world)
    cohort_id = open_cohort(world, programme_id)
    assert world.app.programme(programme_id).cohort_ids == [cohort_id]
    cohort = world.app.cohort(cohort_id)
    assert (cohort.places, cohort.provider_id, cohort.partner_ids) == (
        3,
        world.orgs[3].id,
        [world.orgs[4].id],
    )


def test_a_cohort_has_at_least_one_place(world: World) -> None:
    with pytest.raises(InvalidInput, match="places must be a whole number from 1 to 1000"):
        open_cohort(world, launch(world), places=0)


def test_a_cohort_s_partners_are_members(world: World) -> None:
    with pytest.raises(InvalidInput, match=r"partner_ids\[0\] names organisation .* not a member"):
        open_cohort(world, launch(world), partner_ids=[uuid4()])


# -- Enrol, RecordLeaving, RecordCompletion -------------------------------------------


def test_enrolment_seals_the_name_and_contact_with_the_participant_s_key(world: World) -> None:
    cohort_id = open_cohort(world, launch(world))
    person = enrol(world, cohort_id)
    (enrolled,) = [
        e
        for e in world.app.repository.event_store.get(cohort_id)  # type: ignore[attr-defined]
        if isinstance(e, Cohort.ParticipantEnrolled)
    ]
    assert isinstance(enrolled.name, Sealed)
    assert isinstance(enrolled.contact, Sealed)
    assert enrolled.name.subject_id == enrolled.contact.subject_id == person
    assert enrolled.data_subjects == [person]
    assert world.app.cohort(cohort_id).participants[person].status == "enrolled"


def test_enrolling_beyond_the_places_is_refused_and_records_nothing(world: World) -> None:
    cohort_id = open_cohort(world, launch(world), places=2)
    enrol(world, cohort_id, 0)
    enrol(world, cohort_id, 1)
    before = world.app.cohort(cohort_id).version
    with pytest.raises(RuleViolation, match="'Cohort 2026' is full: all 2 places are taken"):
        enrol(world, cohort_id, 2)
    assert world.app.cohort(cohort_id).version == before


def test_a_person_is_enrolled_once(world: World) -> None:
    cohort_id = open_cohort(world, launch(world))
    person = enrol(world, cohort_id)
    with pytest.raises(RuleViolation, match=f"person {person} is already enrolled"):
        enrol(world, cohort_id, 1, participant_id=person)


def test_leaving_frees_a_place(world: World) -> None:
    cohort_id = open_cohort(world, launch(world), places=1)
    person = enrol(world, cohort_id)
    world.app.record_leaving(secretariat(), cohort_id, participant_id=person, reason="moved")
    enrol(world, cohort_id, 1)
    assert topics(world.app, cohort_id)[-1] == "coordination.cohort.participant_enrolled"


def test_only_a_participant_taking_part_can_leave(world: World) -> None:
    cohort_id = open_cohort(world, launch(world))
    with pytest.raises(NotFound, match="is not enrolled in 'Cohort 2026'"):
        world.app.record_leaving(secretariat(), cohort_id, participant_id=uuid4(), reason="x")
    person = enrol(world, cohort_id)
    world.app.record_leaving(secretariat(), cohort_id, participant_id=person, reason="moved")
    with pytest.raises(RuleViolation, match="has already left 'Cohort 2026'"):
        world.app.record_leaving(secretariat(), cohort_id, participant_id=person, reason="x")


def test_completion_is_recorded_once(world: World) -> None:
    cohort_id = open_cohort(world, launch(world))
    person = enrol(world, cohort_id)
    world.app.record_completion(secretariat(), cohort_id, participant_id=person)
    with pytest.raises(RuleViolation, match="has already completed 'Cohort 2026'"):
        world.app.record_completion(secretariat(), cohort_id, participant_id=person)


# -- HoldSession, RecordSessionAttendance ---------------------------------------------


def test_a_session_is_recorded_once_held_not_ahead(world: World) -> None:
    cohort_id = open_cohort(world, launch(world))
    with pytest.raises(InvalidInput, match="held_on must not be in the future"):
        world.app.hold_session(
            secretariat(), cohort_id, held_on=TODAY + timedelta(days=1), topic="Ethics"
        )


def test_attendance_names_participants_taking_part(world: World) -> None:
    cohort_id = open_cohort(world, launch(world))
    session = world.app.hold_session(secretariat(), cohort_id, held_on=TODAY, topic="Ethics")
    assert session.created_id is not None
    stranger = uuid4()
    with pytest.raises(InvalidInput, match=rf"participant_ids\[0\] names person {stranger}"):
        world.app.record_session_attendance(
            secretariat(), cohort_id, session_id=session.created_id, participant_ids=[stranger]
        )


def test_attendance_at_a_session_is_recorded_once_per_person(world: World) -> None:
    cohort_id = open_cohort(world, launch(world))
    person = enrol(world, cohort_id)
    session = world.app.hold_session(secretariat(), cohort_id, held_on=TODAY, topic="Ethics")
    assert session.created_id is not None
    world.app.record_session_attendance(
        secretariat(), cohort_id, session_id=session.created_id, participant_ids=[person]
    )
    with pytest.raises(RuleViolation, match="is already recorded"):
        world.app.record_session_attendance(
            secretariat(), cohort_id, session_id=session.created_id, participant_ids=[person]
        )


def test_attendance_needs_a_session_of_the_cohort(world: World) -> None:
    cohort_id = open_cohort(world, launch(world))
    with pytest.raises(NotFound, match="no session with id"):
        world.app.record_session_attendance(
            secretariat(), cohort_id, session_id=uuid4(), participant_ids=[uuid4()]
        )


# -- GiveFeedback, AnswerFeedback, ReviseCurriculum -----------------------------------


def test_feedback_from_someone_not_enrolled_is_refused(world: World) -> None:
    cohort_id = open_cohort(world, launch(world))
    before = world.app.cohort(cohort_id).version
    with pytest.raises(RuleViolation, match="only its participants give feedback"):
        world.app.give_feedback(
            secretariat(), cohort_id, participant_id=uuid4(), kind="request", text=FEEDBACK
        )
    assert world.app.cohort(cohort_id).version == before


def test_an_accepted_request_revises_the_curriculum_and_links_the_feedback(world: World) -> None:
    programme_id = launch(world)
    cohort_id = open_cohort(world, programme_id)
    person = enrol(world, cohort_id)
    feedback_id = world.app.give_feedback(
        secretariat(), cohort_id, participant_id=person, kind="request", text=FEEDBACK
    ).created_id
    assert feedback_id is not None
    world.app.answer_feedback(
        secretariat(),
        cohort_id,
        feedback_id=feedback_id,
        answer="Added to term 1",
        revised_curriculum="Term 1: language of care, Swedish at work. Term 2: placements.",
    )
    programme = world.app.programme(programme_id)
    assert (programme.curriculum_version, programme.answered_feedback) == (2, {feedback_id})
    (answered,) = [
        e
        for e in world.app.repository.event_store.get(cohort_id)  # type: ignore[attr-defined]
        if isinstance(e, Cohort.FeedbackAnswered)
    ]
    assert (answered.accepted, answered.curriculum_version) == (True, 2)


def test_an_acceptance_names_its_own_fields_when_refused(world: World) -> None:
    cohort_id = open_cohort(world, launch(world))
    person = enrol(world, cohort_id)
    feedback_id = world.app.give_feedback(
        secretariat(), cohort_id, participant_id=person, kind="request", text=FEEDBACK
    ).created_id
    assert feedback_id is not None
    for answer, revised, field in (
        ("a\x00b", "New", "answer"),
        ("Yes", "a\x1bb", "revised_curriculum"),
    ):
        with pytest.raises(InvalidInput) as refused:
            world.app.answer_feedback(
                secretariat(),
                cohort_id,
                feedback_id=feedback_id,
                answer=answer,
                revised_curriculum=revised,
            )
        assert refused.value.field == field


def test_feedback_is_answered_once(world: World) -> None:
    cohort_id = open_cohort(world, launch(world))
    person = enrol(world, cohort_id)
    feedback_id = world.app.give_feedback(
        secretariat(), cohort_id, participant_id=person, kind="feedback", text=FEEDBACK
    ).created_id
    assert feedback_id is not None
    world.app.answer_feedback(secretariat(), cohort_id, feedback_id=feedback_id, answer="Thanks")
    with pytest.raises(RuleViolation, match="has already been answered"):
        world.app.answer_feedback(secretariat(), cohort_id, feedback_id=feedback_id, answer="!")


def test_a_revision_changes_the_curriculum(world: World) -> None:
    programme_id = launch(world)
    with pytest.raises(RuleViolation, match="identical to version 1"):
        world.app.revise_curriculum(
            secretariat(),
            programme_id,
            curriculum="Term 1: language of care. Term 2: placements.",
            reason="none",
        )


def test_a_revision_links_only_feedback_given_in_the_programme(world: World) -> None:
    programme_id = launch(world)
    open_cohort(world, programme_id)
    with pytest.raises(InvalidInput, match=r"feedback_ids\[0\] names feedback .* not given"):
        world.app.revise_curriculum(
            secretariat(), programme_id, curriculum="new", reason="r", feedback_ids=[uuid4()]
        )


# -- RecordFollowUpOutcome -------------------------------------------------------------


def test_an_outcome_waits_until_the_participant_completed_or_left(world: World) -> None:
    cohort_id = open_cohort(world, launch(world))
    person = enrol(world, cohort_id)
    with pytest.raises(RuleViolation, match="is still taking part"):
        world.app.record_follow_up_outcome(
            secretariat(), cohort_id, participant_id=person, outcome="employment", recorded_on=TODAY
        )


def test_each_kind_of_outcome_is_recorded_once(world: World) -> None:
    cohort_id = open_cohort(world, launch(world))
    person = enrol(world, cohort_id)
    world.app.record_completion(secretariat(), cohort_id, participant_id=person)
    world.app.record_follow_up_outcome(
        secretariat(), cohort_id, participant_id=person, outcome="employment", recorded_on=TODAY
    )
    with pytest.raises(RuleViolation, match=r"'employment' of person .* is already recorded"):
        world.app.record_follow_up_outcome(
            secretariat(),
            cohort_id,
            participant_id=person,
            outcome="employment",
            recorded_on=date(2026, 3, 1),
        )


# -- EraseSubject ----------------------------------------------------------------------


def test_erasing_an_unknown_person_is_refused(world: World) -> None:
    stranger = uuid4()
    with pytest.raises(NotFound, match=f"holds no personal data about person {stranger}"):
        world.app.erase_subject(secretariat(), stranger, ground="request")


def test_erasing_twice_is_refused(world: World) -> None:
    cohort_id = open_cohort(world, launch(world))
    person = enrol(world, cohort_id)
    world.app.erase_subject(secretariat(), person, ground="request")
    with pytest.raises(RuleViolation, match=f"person {person} has already been erased"):
        world.app.erase_subject(secretariat(), person, ground="request")
    assert topics(world.app, person) == ["coordination.data_subject.erased"]


def test_an_erased_person_is_not_enrolled_again(world: World) -> None:
    cohort_id = open_cohort(world, launch(world))
    person = enrol(world, cohort_id)
    world.app.erase_subject(secretariat(), person, ground="request")
    other = open_cohort(world, launch(world, title="Second course"))
    with pytest.raises(SubjectErasedError, match=f"person {person} has been erased"):
        enrol(world, other, participant_id=person)


def test_an_erasure_names_its_ground_from_a_closed_list(world: World) -> None:
    person = enrol(world, open_cohort(world, launch(world)))
    with pytest.raises(InvalidInput, match="ground 'she asked' is not one of: request"):
        world.app.erase_subject(secretariat(), person, ground="she asked")
    assert world.app.subject_keys.state(person).value == "held"
