"""Mutations of B5 on a cohort: enrolments and their end, sessions, feedback, outcomes.

A participant's name, contact and feedback are personal data: they are sealed with the
participant's key before they are stored, and no refusal repeats them.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import strawberry

from coordination.auth.authorization import targets
from coordination.graphql.enums import FeedbackKind, FollowUpOutcome
from coordination.graphql.errors import CommandError
from coordination.graphql.mutations.base import CommandInput, CommandPayload, Info, execute


@strawberry.input(description="Enrol a person in a cohort while places remain.")
class EnrolInput(CommandInput):
    cohort_id: UUID
    participant_id: UUID = strawberry.field(description="The person's pseudonymous id.")
    name: str = strawberry.field(description="Personal data: sealed with the person's key.")
    contact: str | None = strawberry.field(
        default=None, description="Personal data: sealed with the person's key."
    )
    organisation_id: UUID | None = strawberry.field(
        default=None, description="The member organisation the person comes through, if any."
    )


@strawberry.input(description="A participant left the course before its end.")
class RecordLeavingInput(CommandInput):
    cohort_id: UUID
    participant_id: UUID
    reason: str


@strawberry.input(description="A participant completed the course.")
class RecordCompletionInput(CommandInput):
    cohort_id: UUID
    participant_id: UUID


@strawberry.input(description="Record a session of a cohort that took place.")
class HoldSessionInput(CommandInput):
    cohort_id: UUID
    held_on: date
    topic: str


@strawberry.input(description="Record which participants attended a session.")
class RecordSessionAttendanceInput(CommandInput):
    cohort_id: UUID
    session_id: UUID
    participant_ids: list[UUID]


@strawberry.input(description="A participant's feedback on the course, or a request to change it.")
class GiveFeedbackInput(CommandInput):
    cohort_id: UUID
    participant_id: UUID
    kind: FeedbackKind
    text: str = strawberry.field(description="Personal data: sealed with the participant's key.")


@strawberry.input(description="What became of a participant after the course.")
class RecordFollowUpOutcomeInput(CommandInput):
    cohort_id: UUID
    participant_id: UUID
    outcome: FollowUpOutcome
    recorded_on: date


@strawberry.type(description="The person was enrolled.")
class EnrolPayload(CommandPayload):
    pass


@strawberry.type(description="The leaving was recorded.")
class RecordLeavingPayload(CommandPayload):
    pass


@strawberry.type(description="The completion was recorded.")
class RecordCompletionPayload(CommandPayload):
    pass


@strawberry.type(description="The session was recorded; `createdId` is its id.")
class HoldSessionPayload(CommandPayload):
    pass


@strawberry.type(description="The attendance was recorded.")
class RecordSessionAttendancePayload(CommandPayload):
    pass


@strawberry.type(description="The feedback was recorded; `createdId` is its id.")
class GiveFeedbackPayload(CommandPayload):
    pass


@strawberry.type(description="The outcome was recorded.")
class RecordFollowUpOutcomePayload(CommandPayload):
    pass


EnrolResult = Annotated[EnrolPayload | CommandError, strawberry.union("EnrolResult")]
RecordLeavingResult = Annotated[
    RecordLeavingPayload | CommandError, strawberry.union("RecordLeavingResult")
]
RecordCompletionResult = Annotated[
    RecordCompletionPayload | CommandError, strawberry.union("RecordCompletionResult")
]
HoldSessionResult = Annotated[
    HoldSessionPayload | CommandError, strawberry.union("HoldSessionResult")
]
RecordSessionAttendanceResult = Annotated[
    RecordSessionAttendancePayload | CommandError, strawberry.union("RecordSessionAttendanceResult")
]
GiveFeedbackResult = Annotated[
    GiveFeedbackPayload | CommandError, strawberry.union("GiveFeedbackResult")
]
RecordFollowUpOutcomeResult = Annotated[
    RecordFollowUpOutcomePayload | CommandError, strawberry.union("RecordFollowUpOutcomeResult")
]


@strawberry.type
class CohortMutations:
    @strawberry.mutation(description="Enrol a person in a cohort.")
    async def enrol(self, info: Info, input: EnrolInput) -> EnrolResult:
        return await execute(
            info,
            "enrol",
            input,
            lambda app, ctx, options: app.enrol(
                ctx,
                input.cohort_id,
                participant_id=input.participant_id,
                name=input.name,
                contact=input.contact,
                organisation_id=input.organisation_id,
                options=options,
            ),
            EnrolPayload,
            targets.cohort(input.cohort_id),
        )

    @strawberry.mutation(description="Record that a participant left.")
    async def record_leaving(self, info: Info, input: RecordLeavingInput) -> RecordLeavingResult:
        return await execute(
            info,
            "recordLeaving",
            input,
            lambda app, ctx, options: app.record_leaving(
                ctx,
                input.cohort_id,
                participant_id=input.participant_id,
                reason=input.reason,
                options=options,
            ),
            RecordLeavingPayload,
            targets.cohort(input.cohort_id),
        )

    @strawberry.mutation(description="Record that a participant completed the course.")
    async def record_completion(
        self, info: Info, input: RecordCompletionInput
    ) -> RecordCompletionResult:
        return await execute(
            info,
            "recordCompletion",
            input,
            lambda app, ctx, options: app.record_completion(
                ctx, input.cohort_id, participant_id=input.participant_id, options=options
            ),
            RecordCompletionPayload,
            targets.cohort(input.cohort_id),
        )

    @strawberry.mutation(description="Record a session; `createdId` is its id.")
    async def hold_session(self, info: Info, input: HoldSessionInput) -> HoldSessionResult:
        return await execute(
            info,
            "holdSession",
            input,
            lambda app, ctx, options: app.hold_session(
                ctx, input.cohort_id, held_on=input.held_on, topic=input.topic, options=options
            ),
            HoldSessionPayload,
            targets.cohort(input.cohort_id),
        )

    @strawberry.mutation(description="Record a session's attendance.")
    async def record_session_attendance(
        self, info: Info, input: RecordSessionAttendanceInput
    ) -> RecordSessionAttendanceResult:
        return await execute(
            info,
            "recordSessionAttendance",
            input,
            lambda app, ctx, options: app.record_session_attendance(
                ctx,
                input.cohort_id,
                session_id=input.session_id,
                participant_ids=input.participant_ids,
                options=options,
            ),
            RecordSessionAttendancePayload,
            targets.cohort(input.cohort_id),
        )

    @strawberry.mutation(description="Record a participant's feedback; `createdId` is its id.")
    async def give_feedback(self, info: Info, input: GiveFeedbackInput) -> GiveFeedbackResult:
        return await execute(
            info,
            "giveFeedback",
            input,
            lambda app, ctx, options: app.give_feedback(
                ctx,
                input.cohort_id,
                participant_id=input.participant_id,
                kind=input.kind.value,
                text=input.text,
                options=options,
            ),
            GiveFeedbackPayload,
            targets.cohort(input.cohort_id),
        )

    @strawberry.mutation(description="Record what became of a participant.")
    async def record_follow_up_outcome(
        self, info: Info, input: RecordFollowUpOutcomeInput
    ) -> RecordFollowUpOutcomeResult:
        return await execute(
            info,
            "recordFollowUpOutcome",
            input,
            lambda app, ctx, options: app.record_follow_up_outcome(
                ctx,
                input.cohort_id,
                participant_id=input.participant_id,
                outcome=input.outcome.value,
                recorded_on=input.recorded_on,
                options=options,
            ),
            RecordFollowUpOutcomePayload,
            targets.cohort(input.cohort_id),
        )
