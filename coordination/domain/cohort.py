"""B5. A cohort of a training programme: its places, participants, sessions, feedback and
what became of its participants.

Participants are natural persons: each appears by a pseudonymous id, and what identifies
them (name, contact, what they said in feedback) is personal data of theirs
(`domain.personal`), sealed with their key before it is stored. The cohort's state keeps
only ids and statuses, so no cached copy of it holds a name. Cross-stream rules (the
programme, the partner organisations, whether a person was forgotten) are checked by the
application before these commands run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from uuid import UUID, uuid4

from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.errors import InvalidInput, NotFound, RuleViolation
from coordination.domain.personal import (
    PersonalField,
    optional_personal,
    personal,
    subjects_of,
)
from coordination.domain.values import TEXT_MAX, TITLE_MAX, Audience, choice
from coordination.domain.values import name as checked_name
from coordination.domain.values import text as checked_text

#: A cohort larger than this is not a cohort.
PLACES_MAX = 1000
PARTNERS_MAX = 20


class ParticipantStatus(StrEnum):
    ENROLLED = "enrolled"
    LEFT = "left"
    COMPLETED = "completed"


class FeedbackKind(StrEnum):
    """Feedback on the course, or a request to change it."""

    FEEDBACK = "feedback"
    REQUEST = "request"


class FollowUpOutcome(StrEnum):
    """What became of a participant after the course."""

    EMPLOYMENT = "employment"
    FURTHER_STUDY = "further_study"
    ENTERPRISE_STARTED = "enterprise_started"


@dataclass(frozen=True)
class Participant:
    """A participant's place in the cohort, by pseudonymous id only."""

    status: str = ParticipantStatus.ENROLLED.value
    outcomes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Feedback:
    """A participant's feedback and, once answered, whether it was accepted."""

    participant_id: UUID
    kind: str
    answered: bool = False


class Cohort(CoordinationAggregate):
    """One cohort of a training programme."""

    TOPIC = "coordination.cohort"
    KIND = "cohort"
    Created = None  # type: ignore[assignment]  # every event has an explicit topic; no generic one

    class Opened(CoordinationAggregate.Created):
        """CohortOpened: its programme, places, start and partner organisations."""

        TOPIC = "coordination.cohort.opened"
        programme_id: UUID
        partnership_id: UUID
        provider_id: UUID
        title: str
        places: int
        starts_on: date
        partner_ids: list[UUID]

        def apply(self, c: Cohort) -> None:
            c.programme_id, c.partnership_id = self.programme_id, self.partnership_id
            c.provider_id, c.title, c.places = self.provider_id, self.title, self.places
            c.starts_on, c.partner_ids = self.starts_on, list(self.partner_ids)

    class ParticipantEnrolled(CoordinationAggregate.Event):
        """A person took a place; their name and contact are sealed with their key."""

        TOPIC = "coordination.cohort.participant_enrolled"
        participant_id: UUID
        organisation_id: UUID | None
        name: PersonalField
        contact: PersonalField | None
        data_subjects: list[UUID]

        def apply(self, c: Cohort) -> None:
            c.participants[self.participant_id] = Participant()

    class ParticipantLeft(CoordinationAggregate.Event):
        TOPIC = "coordination.cohort.participant_left"
        participant_id: UUID
        reason: str

        def apply(self, c: Cohort) -> None:
            c.participants[self.participant_id] = replace(
                c.participants[self.participant_id], status=ParticipantStatus.LEFT.value
            )

    class ParticipantCompleted(CoordinationAggregate.Event):
        TOPIC = "coordination.cohort.participant_completed"
        participant_id: UUID

        def apply(self, c: Cohort) -> None:
            c.participants[self.participant_id] = replace(
                c.participants[self.participant_id], status=ParticipantStatus.COMPLETED.value
            )

    class SessionHeld(CoordinationAggregate.Event):
        TOPIC = "coordination.cohort.session_held"
        session_id: UUID
        held_on: date
        topic: str

        def apply(self, c: Cohort) -> None:
            c.sessions[self.session_id] = frozenset()

    class SessionAttendanceRecorded(CoordinationAggregate.Event):
        TOPIC = "coordination.cohort.session_attendance_recorded"
        session_id: UUID
        participant_ids: list[UUID]

        def apply(self, c: Cohort) -> None:
            c.sessions[self.session_id] = c.sessions[self.session_id] | frozenset(
                self.participant_ids
            )

    class FeedbackGiven(CoordinationAggregate.Event):
        """What a participant said: their words are personal data of theirs, sealed."""

        TOPIC = "coordination.cohort.feedback_given"
        feedback_id: UUID
        participant_id: UUID
        kind: str
        text: PersonalField
        data_subjects: list[UUID]

        def apply(self, c: Cohort) -> None:
            c.feedback[self.feedback_id] = Feedback(self.participant_id, self.kind)

    class FeedbackAnswered(CoordinationAggregate.Event):
        """Accepted (the programme's curriculum `curriculum_version` answers it) or
        explained."""

        TOPIC = "coordination.cohort.feedback_answered"
        feedback_id: UUID
        accepted: bool
        answer: str
        curriculum_version: int | None

        def apply(self, c: Cohort) -> None:
            c.feedback[self.feedback_id] = replace(c.feedback[self.feedback_id], answered=True)

    class FollowUpOutcomeRecorded(CoordinationAggregate.Event):
        TOPIC = "coordination.cohort.follow_up_outcome_recorded"
        participant_id: UUID
        outcome: str
        recorded_on: date

        def apply(self, c: Cohort) -> None:
            entry = c.participants[self.participant_id]
            c.participants[self.participant_id] = replace(
                entry, outcomes=(*entry.outcomes, self.outcome)
            )

    def __init__(self) -> None:
        self.programme_id = self.partnership_id = self.provider_id = UUID(int=0)
        self.title = ""
        self.places = 0
        self.starts_on = date.min
        self.partner_ids: list[UUID] = []
        self.participants: dict[UUID, Participant] = {}
        # Frozen: a cached cohort is copied shallowly for every command (decision 0002).
        self.sessions: dict[UUID, frozenset[UUID]] = {}
        self.feedback: dict[UUID, Feedback] = {}

    def audience(self) -> str:
        # Who took part, and what they said, stays with the secretariat and auditors:
        # only aggregate counts of programmes leave the node (DOMAIN.md B5).
        return Audience.RESTRICTED.value

    # -- commands ---------------------------------------------------------------

    @classmethod
    def open(
        cls,
        ctx: Context,
        *,
        programme_id: UUID,
        partnership_id: UUID,
        provider_id: UUID,
        title: str,
        places: int,
        starts_on: date,
        partner_ids: Sequence[UUID],
    ) -> Cohort:
        """Open a cohort; the application checked the programme and the partners."""
        if isinstance(places, bool) or not isinstance(places, int) or not 1 <= places <= PLACES_MAX:
            raise InvalidInput(f"must be a whole number from 1 to {PLACES_MAX}", field="places")
        partners = list(dict.fromkeys(partner_ids))
        if len(partners) > PARTNERS_MAX:
            raise InvalidInput(
                f"may name at most {PARTNERS_MAX} organisations", field="partner_ids"
            )
        return cls.start(
            cls.Opened,
            ctx,
            audience=Audience.PARTNERSHIP.value,
            programme_id=programme_id,
            partnership_id=partnership_id,
            provider_id=provider_id,
            title=checked_name(title, "title", max_length=TITLE_MAX),
            places=places,
            starts_on=starts_on,
            partner_ids=partners,
        )

    def enrol(
        self,
        ctx: Context,
        *,
        participant_id: UUID,
        organisation_id: UUID | None,
        name: str,
        contact: str | None,
    ) -> None:
        """Give a person a place while places remain; once per person."""
        if participant_id in self.participants:
            raise RuleViolation(f"person {participant_id} is already enrolled in '{self.title}'")
        taken = sum(1 for p in self.participants.values() if p.status != ParticipantStatus.LEFT)
        if taken >= self.places:
            raise RuleViolation(f"'{self.title}' is full: all {self.places} places are taken")
        sealed_name = personal(name, participant_id, "name")
        sealed_contact = optional_personal(contact, participant_id, "contact")
        self.record(
            self.ParticipantEnrolled,
            ctx,
            participant_id=participant_id,
            organisation_id=organisation_id,
            name=sealed_name,
            contact=sealed_contact,
            data_subjects=subjects_of([sealed_name, sealed_contact]),
        )

    def record_leaving(self, ctx: Context, *, participant_id: UUID, reason: str) -> None:
        """A participant left the course before its end."""
        self.ensure_taking_part(participant_id, "record their leaving")
        self.record(
            self.ParticipantLeft,
            ctx,
            participant_id=participant_id,
            reason=checked_text(reason, "reason", max_length=TEXT_MAX),
        )

    def record_completion(self, ctx: Context, *, participant_id: UUID) -> None:
        """A participant completed the course."""
        self.ensure_taking_part(participant_id, "record their completion")
        self.record(self.ParticipantCompleted, ctx, participant_id=participant_id)

    def hold_session(self, ctx: Context, *, held_on: date, topic: str) -> UUID:
        """Record a session that took place (today or before); returns its id."""
        if held_on > ctx.today:
            raise InvalidInput(
                f"must not be in the future ({held_on} is after {ctx.today})", field="held_on"
            )
        if held_on < self.starts_on:
            raise InvalidInput(
                f"must not be before the cohort starts ({held_on} is before {self.starts_on})",
                field="held_on",
            )
        session_id = uuid4()
        self.record(
            self.SessionHeld,
            ctx,
            session_id=session_id,
            held_on=held_on,
            topic=checked_name(topic, "topic", max_length=TITLE_MAX),
        )
        return session_id

    def record_session_attendance(
        self, ctx: Context, *, session_id: UUID, participant_ids: Sequence[UUID]
    ) -> None:
        """Record who attended a session: participants taking part, each once."""
        present = self.sessions.get(session_id)
        if present is None:
            raise NotFound(f"no session with id {session_id} in '{self.title}'")
        attendees = list(dict.fromkeys(participant_ids))
        if not attendees:
            raise InvalidInput("must name at least one participant", field="participant_ids")
        for index, participant_id in enumerate(attendees):
            entry = self.participants.get(participant_id)
            if entry is None or entry.status == ParticipantStatus.LEFT:
                raise InvalidInput(
                    f"names person {participant_id}, who is not taking part in '{self.title}'",
                    field=f"participant_ids[{index}]",
                )
            if participant_id in present:
                raise RuleViolation(
                    f"the attendance of person {participant_id} at this session is already recorded"
                )
        self.record(
            self.SessionAttendanceRecorded, ctx, session_id=session_id, participant_ids=attendees
        )

    def give_feedback(self, ctx: Context, *, participant_id: UUID, kind: str, text: str) -> UUID:
        """A participant's feedback or request; only those enrolled give it."""
        entry = self.participants.get(participant_id)
        if entry is None:
            raise RuleViolation(
                f"person {participant_id} is not enrolled in '{self.title}': only its"
                " participants give feedback on it"
            )
        words = personal(text, participant_id, "text", max_length=TEXT_MAX)
        feedback_id = uuid4()
        self.record(
            self.FeedbackGiven,
            ctx,
            feedback_id=feedback_id,
            participant_id=participant_id,
            kind=choice(kind, FeedbackKind, "kind").value,
            text=words,
            data_subjects=[participant_id],
        )
        return feedback_id

    def answer_feedback(
        self, ctx: Context, *, feedback_id: UUID, answer: str, curriculum_version: int | None
    ) -> None:
        """Answer feedback once: accepted, with the curriculum version that takes it up
        (saved with it by the application), or explained (`curriculum_version` None)."""
        self.ensure_feedback_open(feedback_id)
        self.record(
            self.FeedbackAnswered,
            ctx,
            feedback_id=feedback_id,
            accepted=curriculum_version is not None,
            answer=checked_text(answer, "answer", max_length=TEXT_MAX),
            curriculum_version=curriculum_version,
        )

    def record_follow_up_outcome(
        self, ctx: Context, *, participant_id: UUID, outcome: str, recorded_on: date
    ) -> None:
        """What became of a participant who completed or left the course; each kind once."""
        entry = self.participants.get(participant_id)
        if entry is None:
            raise NotFound(f"person {participant_id} was never enrolled in '{self.title}'")
        if entry.status == ParticipantStatus.ENROLLED:
            raise RuleViolation(
                f"person {participant_id} is still taking part in '{self.title}': a follow-up"
                " outcome is recorded once they have completed or left"
            )
        kind = choice(outcome, FollowUpOutcome, "outcome").value
        if kind in entry.outcomes:
            raise RuleViolation(
                f"the outcome '{kind}' of person {participant_id} is already recorded"
            )
        if recorded_on > ctx.today:
            raise InvalidInput(
                f"must not be in the future ({recorded_on} is after {ctx.today})",
                field="recorded_on",
            )
        self.record(
            self.FollowUpOutcomeRecorded,
            ctx,
            participant_id=participant_id,
            outcome=kind,
            recorded_on=recorded_on,
        )

    # -- queries ------------------------------------------------------------------

    def ensure_feedback_open(self, feedback_id: UUID) -> None:
        """Refuse unknown feedback, and feedback already answered."""
        found = self.feedback.get(feedback_id)
        if found is None:
            raise NotFound(f"no feedback with id {feedback_id} in '{self.title}'")
        if found.answered:
            raise RuleViolation(f"feedback {feedback_id} has already been answered")

    def ensure_taking_part(self, participant_id: UUID, what: str) -> None:
        """Refuse `what` unless the person is enrolled and has neither left nor completed."""
        entry = self.participants.get(participant_id)
        if entry is None:
            raise NotFound(f"person {participant_id} is not enrolled in '{self.title}'")
        if entry.status != ParticipantStatus.ENROLLED:
            raise RuleViolation(
                f"person {participant_id} has already {entry.status} '{self.title}':"
                f" you cannot {what}"
            )
