"""Training programmes (B5): programmes and their curriculum versions, cohorts with what
their funnels are counted from, and the feedback each curriculum version answers.

Participants are natural persons: this view holds them by pseudonymous id with their
status, the sessions they attended and their follow-up outcomes, never their personal
fields. Where a caller may see a participant's name, it is opened at read time from the
sealed enrolment event, whose stream version is kept here for that (`enrolled_version`).
Feedback is held by id, kind, participant and answer; its words are personal data of the
participant and stay sealed in the event store, opened at read time like a name (from
the event at `given_version`).
"""

from __future__ import annotations

import json
from uuid import UUID

from coordination.domain.cohort import Cohort, ParticipantStatus
from coordination.domain.programme import Programme
from coordination.projections.changes import Writer
from coordination.projections.tables import (
    COUNTER,
    DAY,
    FLAG,
    ID,
    INT,
    MOMENT,
    POSITION,
    TEXT,
    Table,
    day,
    flag,
    occurred,
    uid,
)
from coordination.projections.view import View

PROGRAMMES = Table(
    "programmes",
    {
        "programme_id": ID,
        "seq": POSITION,
        "partnership_id": ID,
        "kind": TEXT,
        "title": TEXT,
        "provider_id": ID,
        "target_group": TEXT,
        "duration_months": INT,
        "curriculum_version": INT,
    },
    key=("programme_id",),
    indexes=(("partnership_id", "seq"),),
)
CURRICULA = Table(
    "programme_curricula",
    {
        "programme_id": ID,
        "version": INT,
        "curriculum": TEXT,
        "reason": TEXT,
        "adopted_at": MOMENT,
    },
    key=("programme_id", "version"),
)
COHORTS = Table(
    "cohorts",
    {
        "cohort_id": ID,
        "seq": POSITION,
        "programme_id": ID,
        "provider_id": ID,
        "title": TEXT,
        "places": INT,
        "starts_on": DAY,
        "partner_ids": TEXT,
        "sessions_held": COUNTER,
        "attendances": COUNTER,
    },
    key=("cohort_id",),
    indexes=(("programme_id", "seq"),),
)
PARTICIPANTS = Table(
    "cohort_participants",
    {
        "cohort_id": ID,
        "participant_id": ID,
        "seq": POSITION,
        "enrolled_version": INT,
        "organisation_id": ID,
        "status": TEXT,
        "sessions_attended": COUNTER,
    },
    key=("cohort_id", "participant_id"),
)
OUTCOMES = Table(
    "cohort_outcomes",
    {
        "cohort_id": ID,
        "participant_id": ID,
        "outcome": TEXT,
        "recorded_on": DAY,
    },
    key=("cohort_id", "participant_id", "outcome"),
)
FEEDBACK = Table(
    "cohort_feedback",
    {
        "feedback_id": ID,
        "seq": POSITION,
        "cohort_id": ID,
        "participant_id": ID,
        "given_version": INT,
        "kind": TEXT,
        "given_at": MOMENT,
        "answered": FLAG,
        "accepted": FLAG,
        "answer": TEXT,
        "curriculum_version": INT,
    },
    key=("feedback_id",),
    indexes=(("cohort_id", "seq"),),
)


def _launched(e: Programme.Launched, w: Writer) -> None:
    programme = uid(e.originator_id)
    w.upsert(
        "programmes",
        {"programme_id": programme},
        seq=w.position,
        partnership_id=uid(e.partnership_id),
        kind=e.kind,
        title=e.title,
        provider_id=uid(e.provider_id),
        target_group=e.target_group,
        duration_months=e.duration_months,
        curriculum_version=1,
    )
    w.upsert(
        "programme_curricula",
        {"programme_id": programme, "version": 1},
        curriculum=e.curriculum,
        adopted_at=occurred(e),
    )


def _revised(e: Programme.CurriculumRevised, w: Writer) -> None:
    programme = uid(e.originator_id)
    w.update("programmes", {"programme_id": programme}, curriculum_version=e.version)
    w.upsert(
        "programme_curricula",
        {"programme_id": programme, "version": e.version},
        curriculum=e.curriculum,
        reason=e.reason,
        adopted_at=occurred(e),
    )


def _opened(e: Cohort.Opened, w: Writer) -> None:
    w.upsert(
        "cohorts",
        {"cohort_id": uid(e.originator_id)},
        seq=w.position,
        programme_id=uid(e.programme_id),
        provider_id=uid(e.provider_id),
        title=e.title,
        places=e.places,
        starts_on=day(e.starts_on),
        partner_ids=json.dumps([str(p) for p in e.partner_ids]),
    )


def _participant(cohort_id: UUID, participant_id: UUID) -> dict[str, str | None]:
    return {"cohort_id": uid(cohort_id), "participant_id": uid(participant_id)}


def _enrolled(e: Cohort.ParticipantEnrolled, w: Writer) -> None:
    w.upsert(
        "cohort_participants",
        _participant(e.originator_id, e.participant_id),
        seq=w.position,
        enrolled_version=e.originator_version,
        organisation_id=uid(e.organisation_id),
        status=ParticipantStatus.ENROLLED.value,
    )


def _left(e: Cohort.ParticipantLeft, w: Writer) -> None:
    w.update(
        "cohort_participants",
        _participant(e.originator_id, e.participant_id),
        status=ParticipantStatus.LEFT.value,
    )


def _completed(e: Cohort.ParticipantCompleted, w: Writer) -> None:
    w.update(
        "cohort_participants",
        _participant(e.originator_id, e.participant_id),
        status=ParticipantStatus.COMPLETED.value,
    )


def _session(e: Cohort.SessionHeld, w: Writer) -> None:
    w.update("cohorts", {"cohort_id": uid(e.originator_id)}, increments={"sessions_held": 1})


def _attendance(e: Cohort.SessionAttendanceRecorded, w: Writer) -> None:
    cohort = uid(e.originator_id)
    for participant in e.participant_ids:
        w.update(
            "cohort_participants",
            _participant(e.originator_id, participant),
            increments={"sessions_attended": 1},
        )
    w.update("cohorts", {"cohort_id": cohort}, increments={"attendances": len(e.participant_ids)})


def _feedback(e: Cohort.FeedbackGiven, w: Writer) -> None:
    w.upsert(
        "cohort_feedback",
        {"feedback_id": uid(e.feedback_id)},
        seq=w.position,
        cohort_id=uid(e.originator_id),
        participant_id=uid(e.participant_id),
        given_version=e.originator_version,
        kind=e.kind,
        given_at=occurred(e),
    )


def _answered(e: Cohort.FeedbackAnswered, w: Writer) -> None:
    w.update(
        "cohort_feedback",
        {"feedback_id": uid(e.feedback_id)},
        answered=1,
        accepted=flag(e.accepted),
        answer=e.answer,
        curriculum_version=e.curriculum_version,
    )


def _outcome(e: Cohort.FollowUpOutcomeRecorded, w: Writer) -> None:
    w.upsert(
        "cohort_outcomes",
        {**_participant(e.originator_id, e.participant_id), "outcome": e.outcome},
        recorded_on=day(e.recorded_on),
    )


VIEW = View(
    name="programmes",
    tables=(PROGRAMMES, CURRICULA, COHORTS, PARTICIPANTS, OUTCOMES, FEEDBACK),
    handlers={
        Programme.Launched.TOPIC: _launched,
        Programme.CurriculumRevised.TOPIC: _revised,
        Cohort.Opened.TOPIC: _opened,
        Cohort.ParticipantEnrolled.TOPIC: _enrolled,
        Cohort.ParticipantLeft.TOPIC: _left,
        Cohort.ParticipantCompleted.TOPIC: _completed,
        Cohort.SessionHeld.TOPIC: _session,
        Cohort.SessionAttendanceRecorded.TOPIC: _attendance,
        Cohort.FeedbackGiven.TOPIC: _feedback,
        Cohort.FeedbackAnswered.TOPIC: _answered,
        Cohort.FollowUpOutcomeRecorded.TOPIC: _outcome,
    },
)
