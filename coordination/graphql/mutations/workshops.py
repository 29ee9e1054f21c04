"""Mutations of B4 before a workshop: planning, agenda, invitations, registrations, schedule."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import strawberry

from coordination.auth.authorization import targets
from coordination.graphql import enums
from coordination.graphql.errors import CommandError
from coordination.graphql.mutations.base import CommandInput, Info, execute
from coordination.graphql.mutations.payloads import WorkshopChange


@strawberry.input(description="Plan a workshop on an active theme.")
class PlanWorkshopInput(CommandInput):
    partnership_id: UUID
    organiser_group_ids: list[UUID] = strawberry.field(description="Organising working groups.")
    organiser_partners: list[str] = strawberry.field(description="Organising partners, by name.")
    theme_id: UUID
    title: str
    format: enums.WorkshopFormat
    venue: str | None = strawberry.field(description="Required unless the workshop is online.")
    capacity: int
    starts_at: datetime
    ends_at: datetime
    audience_description: str = strawberry.field(description="Who it is for.")
    records_past: bool = strawberry.field(
        default=False,
        description="True to record a workshop that already took place: its start must then"
        " have passed. Otherwise the start must be still to come.",
    )


@strawberry.type(description="The workshop was planned; `createdId` is its id.")
class PlanWorkshopPayload(WorkshopChange):
    pass


@strawberry.input(description="Replace the agenda of a workshop still to come.")
class SetAgendaInput(CommandInput):
    workshop_id: UUID
    items: list[str]


@strawberry.type(description="The agenda was set.")
class SetAgendaPayload(WorkshopChange):
    pass


@strawberry.input(description="Invite a member organisation or a person.")
class InviteInput(CommandInput):
    workshop_id: UUID
    invitee_kind: enums.InviteeKind
    invitee_id: UUID


@strawberry.type(description="The invitation was sent.")
class InvitePayload(WorkshopChange):
    pass


@strawberry.input(description="Register a person for an organisation.")
class RegisterInput(CommandInput):
    workshop_id: UUID
    person_id: UUID = strawberry.field(description="Pseudonymous person id.")
    organisation_id: UUID
    role: enums.ParticipantRole


@strawberry.type(description="The person was registered; `createdId` is the registration's id.")
class RegisterPayload(WorkshopChange):
    pass


@strawberry.input(description="Cancel an active registration.")
class CancelRegistrationInput(CommandInput):
    workshop_id: UUID
    registration_id: UUID


@strawberry.type(description="The registration was cancelled; its place is free.")
class CancelRegistrationPayload(WorkshopChange):
    pass


@strawberry.input(description="Move a workshop still to come to a later start.")
class PostponeWorkshopInput(CommandInput):
    workshop_id: UUID
    starts_at: datetime
    ends_at: datetime
    reason: str


@strawberry.type(description="The workshop was postponed.")
class PostponeWorkshopPayload(WorkshopChange):
    pass


@strawberry.input(description="Call off a workshop that has not been held.")
class CancelWorkshopInput(CommandInput):
    workshop_id: UUID
    reason: str


@strawberry.type(description="The workshop was cancelled.")
class CancelWorkshopPayload(WorkshopChange):
    pass


@strawberry.input(description="Record that the workshop took place, once it has started.")
class HoldWorkshopInput(CommandInput):
    workshop_id: UUID


@strawberry.type(description="The workshop was held.")
class HoldWorkshopPayload(WorkshopChange):
    pass


PlanWorkshopResult = Annotated[
    PlanWorkshopPayload | CommandError, strawberry.union("PlanWorkshopResult")
]
SetAgendaResult = Annotated[SetAgendaPayload | CommandError, strawberry.union("SetAgendaResult")]
InviteResult = Annotated[InvitePayload | CommandError, strawberry.union("InviteResult")]
RegisterResult = Annotated[RegisterPayload | CommandError, strawberry.union("RegisterResult")]
CancelRegistrationResult = Annotated[
    CancelRegistrationPayload | CommandError, strawberry.union("CancelRegistrationResult")
]
PostponeWorkshopResult = Annotated[
    PostponeWorkshopPayload | CommandError, strawberry.union("PostponeWorkshopResult")
]
CancelWorkshopResult = Annotated[
    CancelWorkshopPayload | CommandError, strawberry.union("CancelWorkshopResult")
]
HoldWorkshopResult = Annotated[
    HoldWorkshopPayload | CommandError, strawberry.union("HoldWorkshopResult")
]


@strawberry.type
class WorkshopMutations:
    @strawberry.mutation(description="Plan a workshop, organised by working groups or partners.")
    async def plan_workshop(self, info: Info, input: PlanWorkshopInput) -> PlanWorkshopResult:
        return await execute(
            info,
            "planWorkshop",
            input,
            lambda app, ctx, options: app.plan_workshop(
                ctx,
                partnership_id=input.partnership_id,
                organiser_group_ids=input.organiser_group_ids,
                organiser_partners=input.organiser_partners,
                theme_id=input.theme_id,
                title=input.title,
                format=input.format.value,
                venue=input.venue,
                capacity=input.capacity,
                starts_at=input.starts_at,
                ends_at=input.ends_at,
                audience_description=input.audience_description,
                records_past=input.records_past,
                options=options,
            ),
            PlanWorkshopPayload,
            targets.in_groups(input.partnership_id, input.organiser_group_ids),
        )

    @strawberry.mutation(description="Set the workshop's agenda.")
    async def set_agenda(self, info: Info, input: SetAgendaInput) -> SetAgendaResult:
        return await execute(
            info,
            "setAgenda",
            input,
            lambda app, ctx, options: app.set_agenda(
                ctx, input.workshop_id, items=input.items, options=options
            ),
            SetAgendaPayload,
            targets.workshop(input.workshop_id),
        )

    @strawberry.mutation(description="Invite an organisation or a person.")
    async def invite(self, info: Info, input: InviteInput) -> InviteResult:
        return await execute(
            info,
            "invite",
            input,
            lambda app, ctx, options: app.invite(
                ctx,
                input.workshop_id,
                invitee_kind=input.invitee_kind.value,
                invitee_id=input.invitee_id,
                options=options,
            ),
            InvitePayload,
            targets.workshop(input.workshop_id),
        )

    @strawberry.mutation(description="Register a person for an organisation, while places remain.")
    async def register(self, info: Info, input: RegisterInput) -> RegisterResult:
        return await execute(
            info,
            "register",
            input,
            lambda app, ctx, options: app.register(
                ctx,
                input.workshop_id,
                person_id=input.person_id,
                organisation_id=input.organisation_id,
                role=input.role.value,
                options=options,
            ),
            RegisterPayload,
            targets.registering(input.workshop_id, input.organisation_id),
        )

    @strawberry.mutation(description="Cancel a registration.")
    async def cancel_registration(
        self, info: Info, input: CancelRegistrationInput
    ) -> CancelRegistrationResult:
        return await execute(
            info,
            "cancelRegistration",
            input,
            lambda app, ctx, options: app.cancel_registration(
                ctx, input.workshop_id, registration_id=input.registration_id, options=options
            ),
            CancelRegistrationPayload,
            targets.registration(input.workshop_id, input.registration_id),
        )

    @strawberry.mutation(description="Postpone the workshop.")
    async def postpone_workshop(
        self, info: Info, input: PostponeWorkshopInput
    ) -> PostponeWorkshopResult:
        return await execute(
            info,
            "postponeWorkshop",
            input,
            lambda app, ctx, options: app.postpone_workshop(
                ctx,
                input.workshop_id,
                starts_at=input.starts_at,
                ends_at=input.ends_at,
                reason=input.reason,
                options=options,
            ),
            PostponeWorkshopPayload,
            targets.workshop(input.workshop_id),
        )

    @strawberry.mutation(description="Cancel the workshop.")
    async def cancel_workshop(self, info: Info, input: CancelWorkshopInput) -> CancelWorkshopResult:
        return await execute(
            info,
            "cancelWorkshop",
            input,
            lambda app, ctx, options: app.cancel_workshop(
                ctx, input.workshop_id, reason=input.reason, options=options
            ),
            CancelWorkshopPayload,
            targets.workshop(input.workshop_id),
        )

    @strawberry.mutation(description="Record that the workshop took place.")
    async def hold_workshop(self, info: Info, input: HoldWorkshopInput) -> HoldWorkshopResult:
        return await execute(
            info,
            "holdWorkshop",
            input,
            lambda app, ctx, options: app.hold_workshop(ctx, input.workshop_id, options=options),
            HoldWorkshopPayload,
            targets.workshop(input.workshop_id),
        )
