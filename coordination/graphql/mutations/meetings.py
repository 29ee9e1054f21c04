"""Mutations of B4 after a workshop: attendance, minutes, follow-ups."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import strawberry

from coordination.auth.authorization import targets
from coordination.graphql.errors import CommandError
from coordination.graphql.mutations.base import CommandInput, Info, execute
from coordination.graphql.mutations.payloads import WorkshopChange


@strawberry.input(description="A person who attended, for an organisation.")
class AttendeeInput:
    person_id: UUID
    organisation_id: UUID


@strawberry.input(description="Record who attended a held workshop.")
class RecordAttendanceInput(CommandInput):
    workshop_id: UUID
    attendees: list[AttendeeInput]


@strawberry.type(description="Attendance was recorded.")
class RecordAttendancePayload(WorkshopChange):
    pass


@strawberry.input(description="Write the first draft of the minutes.")
class DraftMinutesInput(CommandInput):
    workshop_id: UUID
    text: str


@strawberry.type(description="The minutes were drafted.")
class DraftMinutesPayload(WorkshopChange):
    pass


@strawberry.input(description="Change draft minutes, saying why.")
class AmendMinutesInput(CommandInput):
    workshop_id: UUID
    text: str
    note: str


@strawberry.type(description="The minutes were amended.")
class AmendMinutesPayload(WorkshopChange):
    pass


@strawberry.input(description="Approve the draft minutes: they are sealed, their hash recorded.")
class ApproveMinutesInput(CommandInput):
    workshop_id: UUID


@strawberry.type(description="The minutes were approved and sealed.")
class ApproveMinutesPayload(WorkshopChange):
    pass


@strawberry.input(description="Turn a follow-up of a held workshop into an action.")
class RaiseFollowUpInput(CommandInput):
    workshop_id: UUID
    description: str
    owner_id: UUID = strawberry.field(description="The member organisation that owns the action.")
    group_id: UUID | None = strawberry.field(description="The group it belongs to, if any.")
    due_on: date


@strawberry.type(description="The follow-up was raised; `createdId` is the new action's id.")
class RaiseFollowUpPayload(WorkshopChange):
    pass


RecordAttendanceResult = Annotated[
    RecordAttendancePayload | CommandError, strawberry.union("RecordAttendanceResult")
]
DraftMinutesResult = Annotated[
    DraftMinutesPayload | CommandError, strawberry.union("DraftMinutesResult")
]
AmendMinutesResult = Annotated[
    AmendMinutesPayload | CommandError, strawberry.union("AmendMinutesResult")
]
ApproveMinutesResult = Annotated[
    ApproveMinutesPayload | CommandError, strawberry.union("ApproveMinutesResult")
]
RaiseFollowUpResult = Annotated[
    RaiseFollowUpPayload | CommandError, strawberry.union("RaiseFollowUpResult")
]


@strawberry.type
class MeetingMutations:
    @strawberry.mutation(description="Record attendance, per person and organisation.")
    async def record_attendance(
        self, info: Info, input: RecordAttendanceInput
    ) -> RecordAttendanceResult:
        attendees = [(entry.person_id, entry.organisation_id) for entry in input.attendees]
        return await execute(
            info,
            "recordAttendance",
            input,
            lambda app, ctx, options: app.record_attendance(
                ctx, input.workshop_id, attendees=attendees, options=options
            ),
            RecordAttendancePayload,
            targets.workshop(input.workshop_id),
        )

    @strawberry.mutation(description="Draft the minutes.")
    async def draft_minutes(self, info: Info, input: DraftMinutesInput) -> DraftMinutesResult:
        return await execute(
            info,
            "draftMinutes",
            input,
            lambda app, ctx, options: app.draft_minutes(
                ctx, input.workshop_id, text=input.text, options=options
            ),
            DraftMinutesPayload,
            targets.workshop(input.workshop_id),
        )

    @strawberry.mutation(description="Amend draft minutes.")
    async def amend_minutes(self, info: Info, input: AmendMinutesInput) -> AmendMinutesResult:
        return await execute(
            info,
            "amendMinutes",
            input,
            lambda app, ctx, options: app.amend_minutes(
                ctx, input.workshop_id, text=input.text, note=input.note, options=options
            ),
            AmendMinutesPayload,
            targets.workshop(input.workshop_id),
        )

    @strawberry.mutation(description="Approve and seal the minutes.")
    async def approve_minutes(self, info: Info, input: ApproveMinutesInput) -> ApproveMinutesResult:
        return await execute(
            info,
            "approveMinutes",
            input,
            lambda app, ctx, options: app.approve_minutes(ctx, input.workshop_id, options=options),
            ApproveMinutesPayload,
            targets.workshop(input.workshop_id),
        )

    @strawberry.mutation(description="Raise a follow-up: it becomes an action.")
    async def raise_follow_up(self, info: Info, input: RaiseFollowUpInput) -> RaiseFollowUpResult:
        return await execute(
            info,
            "raiseFollowUp",
            input,
            lambda app, ctx, options: app.raise_follow_up(
                ctx,
                input.workshop_id,
                description=input.description,
                owner_id=input.owner_id,
                group_id=input.group_id,
                due_on=input.due_on,
                options=options,
            ),
            RaiseFollowUpPayload,
            targets.workshop(input.workshop_id),
        )
