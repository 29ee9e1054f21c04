"""Mutations of B2 on working groups: convening, membership, convenor, charter, closing."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from coordination.auth.authorization import targets
from coordination.graphql import enums
from coordination.graphql.errors import CommandError
from coordination.graphql.mutations.base import CommandInput, Info, execute
from coordination.graphql.mutations.payloads import WorkingGroupChange


@strawberry.input(description="Convene a working group on an active theme, with its charter.")
class ConveneWorkingGroupInput(CommandInput):
    partnership_id: UUID
    theme_id: UUID
    name: str
    purpose: str
    decides: str = strawberry.field(description="What is decided in the group.")
    default_rule: enums.DecisionRule


@strawberry.type(description="The group was convened; `createdId` is its id.")
class ConveneWorkingGroupPayload(WorkingGroupChange):
    pass


@strawberry.input(description="The caller's organisation joins a working group.")
class JoinWorkingGroupInput(CommandInput):
    group_id: UUID


@strawberry.type(description="The organisation joined the group.")
class JoinWorkingGroupPayload(WorkingGroupChange):
    pass


@strawberry.input(description="The caller's organisation leaves a working group.")
class LeaveWorkingGroupInput(CommandInput):
    group_id: UUID


@strawberry.type(description="The organisation left the group (and its convenor role).")
class LeaveWorkingGroupPayload(WorkingGroupChange):
    pass


@strawberry.input(description="Appoint a representative of a group member as convenor.")
class AppointConvenorInput(CommandInput):
    group_id: UUID
    person_id: UUID
    member_id: UUID = strawberry.field(description="The member organisation the person represents.")


@strawberry.type(description="The convenor was appointed.")
class AppointConvenorPayload(WorkingGroupChange):
    pass


@strawberry.input(description="Replace the group's charter.")
class ReviseCharterInput(CommandInput):
    group_id: UUID
    purpose: str
    decides: str
    default_rule: enums.DecisionRule


@strawberry.type(description="The charter was revised.")
class ReviseCharterPayload(WorkingGroupChange):
    pass


@strawberry.input(description="Close the working group for good.")
class CloseWorkingGroupInput(CommandInput):
    group_id: UUID
    reason: str


@strawberry.type(description="The group was closed; it accepts nothing more.")
class CloseWorkingGroupPayload(WorkingGroupChange):
    pass


ConveneWorkingGroupResult = Annotated[
    ConveneWorkingGroupPayload | CommandError, strawberry.union("ConveneWorkingGroupResult")
]
JoinWorkingGroupResult = Annotated[
    JoinWorkingGroupPayload | CommandError, strawberry.union("JoinWorkingGroupResult")
]
LeaveWorkingGroupResult = Annotated[
    LeaveWorkingGroupPayload | CommandError, strawberry.union("LeaveWorkingGroupResult")
]
AppointConvenorResult = Annotated[
    AppointConvenorPayload | CommandError, strawberry.union("AppointConvenorResult")
]
ReviseCharterResult = Annotated[
    ReviseCharterPayload | CommandError, strawberry.union("ReviseCharterResult")
]
CloseWorkingGroupResult = Annotated[
    CloseWorkingGroupPayload | CommandError, strawberry.union("CloseWorkingGroupResult")
]


@strawberry.type
class WorkingGroupMutations:
    @strawberry.mutation(description="Convene a working group under a theme.")
    async def convene_working_group(
        self, info: Info, input: ConveneWorkingGroupInput
    ) -> ConveneWorkingGroupResult:
        return await execute(
            info,
            "conveneWorkingGroup",
            input,
            lambda app, ctx, options: app.convene_working_group(
                ctx,
                input.partnership_id,
                theme_id=input.theme_id,
                name=input.name,
                purpose=input.purpose,
                decides=input.decides,
                default_rule=input.default_rule.value,
                options=options,
            ),
            ConveneWorkingGroupPayload,
            targets.partnership(input.partnership_id),
        )

    @strawberry.mutation(description="Join a working group, for the caller's organisation.")
    async def join_working_group(
        self, info: Info, input: JoinWorkingGroupInput
    ) -> JoinWorkingGroupResult:
        return await execute(
            info,
            "joinWorkingGroup",
            input,
            lambda app, ctx, options: app.join_working_group(ctx, input.group_id, options=options),
            JoinWorkingGroupPayload,
            targets.group(input.group_id),
        )

    @strawberry.mutation(description="Leave a working group, for the caller's organisation.")
    async def leave_working_group(
        self, info: Info, input: LeaveWorkingGroupInput
    ) -> LeaveWorkingGroupResult:
        return await execute(
            info,
            "leaveWorkingGroup",
            input,
            lambda app, ctx, options: app.leave_working_group(ctx, input.group_id, options=options),
            LeaveWorkingGroupPayload,
            targets.group(input.group_id),
        )

    @strawberry.mutation(description="Appoint the group's convenor.")
    async def appoint_convenor(
        self, info: Info, input: AppointConvenorInput
    ) -> AppointConvenorResult:
        return await execute(
            info,
            "appointConvenor",
            input,
            lambda app, ctx, options: app.appoint_convenor(
                ctx,
                input.group_id,
                person_id=input.person_id,
                member_id=input.member_id,
                options=options,
            ),
            AppointConvenorPayload,
            targets.group(input.group_id),
        )

    @strawberry.mutation(description="Revise the group's charter.")
    async def revise_charter(self, info: Info, input: ReviseCharterInput) -> ReviseCharterResult:
        return await execute(
            info,
            "reviseCharter",
            input,
            lambda app, ctx, options: app.revise_charter(
                ctx,
                input.group_id,
                purpose=input.purpose,
                decides=input.decides,
                default_rule=input.default_rule.value,
                options=options,
            ),
            ReviseCharterPayload,
            targets.group(input.group_id),
        )

    @strawberry.mutation(description="Close the working group for good.")
    async def close_working_group(
        self, info: Info, input: CloseWorkingGroupInput
    ) -> CloseWorkingGroupResult:
        return await execute(
            info,
            "closeWorkingGroup",
            input,
            lambda app, ctx, options: app.close_working_group(
                ctx, input.group_id, reason=input.reason, options=options
            ),
            CloseWorkingGroupPayload,
            targets.group(input.group_id),
        )
