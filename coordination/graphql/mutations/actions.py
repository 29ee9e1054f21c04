"""Mutations of B2 on actions: assigning, reporting progress, completing, dropping."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import strawberry

from coordination.auth.authorization import targets
from coordination.graphql import enums
from coordination.graphql.errors import CommandError
from coordination.graphql.mutations.base import CommandInput, Info, execute
from coordination.graphql.mutations.payloads import ActionChange


@strawberry.input(description="Assign an action to a member organisation.")
class AssignActionInput(CommandInput):
    partnership_id: UUID
    group_id: UUID | None = strawberry.field(description="The group it belongs to, if any.")
    owner_id: UUID = strawberry.field(description="The member organisation that owns it.")
    description: str
    due_on: date
    source_kind: enums.ActionSource = enums.ActionSource.GROUP
    source_id: UUID | None = strawberry.field(
        default=None, description="The decision or workshop it comes from."
    )


@strawberry.type(description="The action was assigned; `createdId` is its id.")
class AssignActionPayload(ActionChange):
    pass


@strawberry.input(description="Report how far an open action has come.")
class ReportProgressInput(CommandInput):
    action_id: UUID
    percent: int = strawberry.field(description="Whole percent, 0 to 100.")
    note: str | None = None


@strawberry.type(description="Progress was reported.")
class ReportProgressPayload(ActionChange):
    pass


@strawberry.input(description="Complete an action with its outcome.")
class CompleteActionInput(CommandInput):
    action_id: UUID
    outcome: str


@strawberry.type(description="The action was completed; it is closed for good.")
class CompleteActionPayload(ActionChange):
    pass


@strawberry.input(description="Drop an action without doing it.")
class DropActionInput(CommandInput):
    action_id: UUID
    reason: str


@strawberry.type(description="The action was dropped; it is closed for good.")
class DropActionPayload(ActionChange):
    pass


AssignActionResult = Annotated[
    AssignActionPayload | CommandError, strawberry.union("AssignActionResult")
]
ReportProgressResult = Annotated[
    ReportProgressPayload | CommandError, strawberry.union("ReportProgressResult")
]
CompleteActionResult = Annotated[
    CompleteActionPayload | CommandError, strawberry.union("CompleteActionResult")
]
DropActionResult = Annotated[DropActionPayload | CommandError, strawberry.union("DropActionResult")]


@strawberry.type
class ActionMutations:
    @strawberry.mutation(description="Assign an action, in a group or from a decision or workshop.")
    async def assign_action(self, info: Info, input: AssignActionInput) -> AssignActionResult:
        return await execute(
            info,
            "assignAction",
            input,
            lambda app, ctx, options: app.assign_action(
                ctx,
                partnership_id=input.partnership_id,
                group_id=input.group_id,
                owner_id=input.owner_id,
                description=input.description,
                due_on=input.due_on,
                source_kind=input.source_kind.value,
                source_id=input.source_id,
                options=options,
            ),
            AssignActionPayload,
            targets.in_groups(input.partnership_id, [input.group_id]),
        )

    @strawberry.mutation(description="Report progress on an open action.")
    async def report_progress(self, info: Info, input: ReportProgressInput) -> ReportProgressResult:
        return await execute(
            info,
            "reportProgress",
            input,
            lambda app, ctx, options: app.report_progress(
                ctx, input.action_id, percent=input.percent, note=input.note, options=options
            ),
            ReportProgressPayload,
            targets.action(input.action_id),
        )

    @strawberry.mutation(description="Complete an action with its outcome.")
    async def complete_action(self, info: Info, input: CompleteActionInput) -> CompleteActionResult:
        return await execute(
            info,
            "completeAction",
            input,
            lambda app, ctx, options: app.complete_action(
                ctx, input.action_id, outcome=input.outcome, options=options
            ),
            CompleteActionPayload,
            targets.action(input.action_id),
        )

    @strawberry.mutation(description="Drop an action, saying why.")
    async def drop_action(self, info: Info, input: DropActionInput) -> DropActionResult:
        return await execute(
            info,
            "dropAction",
            input,
            lambda app, ctx, options: app.drop_action(
                ctx, input.action_id, reason=input.reason, options=options
            ),
            DropActionPayload,
            targets.action(input.action_id),
        )
