"""Mutations of B6 that scope a social-accounting cycle: from starting it to materiality."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import strawberry

from coordination.auth.authorization import reporting_targets
from coordination.graphql.errors import CommandError
from coordination.graphql.mutations.base import CommandInput, CommandPayload, Info, execute


@strawberry.input(description="Start a member organisation's social-accounting cycle for a period.")
class StartCycleInput(CommandInput):
    partnership_id: UUID
    organisation_id: UUID = strawberry.field(description="The member whose cycle it is.")
    period_start: date
    period_end: date
    previous_cycle_id: UUID | None = strawberry.field(
        default=None, description="The cycle it follows, closed by its action plan."
    )


@strawberry.type(description="The cycle was started; `createdId` is its id.")
class StartCyclePayload(CommandPayload):
    pass


@strawberry.input(description="State what the cycle's accounts are for: its first step.")
class StatePurposeInput(CommandInput):
    cycle_id: UUID
    purpose: str


@strawberry.type(description="The purpose was stated.")
class StatePurposePayload(CommandPayload):
    pass


@strawberry.input(description="Add an objective the organisation accounts for.")
class StateObjectiveInput(CommandInput):
    cycle_id: UUID
    objective: str


@strawberry.type(description="The objective was stated; `createdId` is its id.")
class StateObjectivePayload(CommandPayload):
    pass


@strawberry.input(description="Reword an objective, saying why.")
class ImproveObjectiveInput(CommandInput):
    cycle_id: UUID
    objective_id: UUID
    objective: str
    reason: str


@strawberry.type(description="The objective was improved.")
class ImproveObjectivePayload(CommandPayload):
    pass


@strawberry.input(description="Name a stakeholder group and its interest.")
class MapStakeholderGroupInput(CommandInput):
    cycle_id: UUID
    name: str
    interest: str


@strawberry.type(description="The group was mapped; `createdId` is its id.")
class MapStakeholderGroupPayload(CommandPayload):
    pass


@strawberry.input(description="Define how an objective is measured.")
class DefineIndicatorInput(CommandInput):
    cycle_id: UUID
    objective_id: UUID
    name: str
    unit: str


@strawberry.type(description="The indicator was defined; `createdId` is its id.")
class DefineIndicatorPayload(CommandPayload):
    pass


@strawberry.input(description="Record an indicator's value for the period.")
class RecordIndicatorValueInput(CommandInput):
    cycle_id: UUID
    indicator_id: UUID
    value: str = strawberry.field(description="The figure, as reported: '12'.")
    source: str = strawberry.field(description="Where the value comes from.")


@strawberry.type(description="The value was recorded.")
class RecordIndicatorValuePayload(CommandPayload):
    pass


@strawberry.input(description="Record a consultation of stakeholder groups, once held.")
class RecordConsultationInput(CommandInput):
    cycle_id: UUID
    stakeholder_group_ids: list[UUID]
    method: str
    held_on: date
    summary: str


@strawberry.type(description="The consultation was recorded; `createdId` is its id.")
class RecordConsultationPayload(CommandPayload):
    pass


@strawberry.input(description="Name the indicators that matter; fixes the cycle's scope.")
class DetermineMaterialityInput(CommandInput):
    cycle_id: UUID
    material_indicator_ids: list[UUID]
    rationale: str


@strawberry.type(description="The materiality was determined.")
class DetermineMaterialityPayload(CommandPayload):
    pass


StartCycleResult = Annotated[StartCyclePayload | CommandError, strawberry.union("StartCycleResult")]
StatePurposeResult = Annotated[
    StatePurposePayload | CommandError, strawberry.union("StatePurposeResult")
]
StateObjectiveResult = Annotated[
    StateObjectivePayload | CommandError, strawberry.union("StateObjectiveResult")
]
ImproveObjectiveResult = Annotated[
    ImproveObjectivePayload | CommandError, strawberry.union("ImproveObjectiveResult")
]
MapStakeholderGroupResult = Annotated[
    MapStakeholderGroupPayload | CommandError, strawberry.union("MapStakeholderGroupResult")
]
DefineIndicatorResult = Annotated[
    DefineIndicatorPayload | CommandError, strawberry.union("DefineIndicatorResult")
]
RecordIndicatorValueResult = Annotated[
    RecordIndicatorValuePayload | CommandError, strawberry.union("RecordIndicatorValueResult")
]
RecordConsultationResult = Annotated[
    RecordConsultationPayload | CommandError, strawberry.union("RecordConsultationResult")
]
DetermineMaterialityResult = Annotated[
    DetermineMaterialityPayload | CommandError, strawberry.union("DetermineMaterialityResult")
]


@strawberry.type
class AccountingScopingMutations:
    @strawberry.mutation(description="Start a social-accounting cycle.")
    async def start_cycle(self, info: Info, input: StartCycleInput) -> StartCycleResult:
        return await execute(
            info,
            "startCycle",
            input,
            lambda app, ctx, options: app.start_cycle(
                ctx,
                input.partnership_id,
                organisation_id=input.organisation_id,
                period_start=input.period_start,
                period_end=input.period_end,
                previous_cycle_id=input.previous_cycle_id,
                options=options,
            ),
            StartCyclePayload,
            reporting_targets.for_organisation(input.partnership_id, input.organisation_id),
        )

    @strawberry.mutation(description="State a cycle's purpose.")
    async def state_purpose(self, info: Info, input: StatePurposeInput) -> StatePurposeResult:
        return await execute(
            info,
            "statePurpose",
            input,
            lambda app, ctx, options: app.state_purpose(
                ctx, input.cycle_id, purpose=input.purpose, options=options
            ),
            StatePurposePayload,
            reporting_targets.accounting_cycle(input.cycle_id),
        )

    @strawberry.mutation(description="State an objective of a cycle.")
    async def state_objective(self, info: Info, input: StateObjectiveInput) -> StateObjectiveResult:
        return await execute(
            info,
            "stateObjective",
            input,
            lambda app, ctx, options: app.state_objective(
                ctx, input.cycle_id, objective=input.objective, options=options
            ),
            StateObjectivePayload,
            reporting_targets.accounting_cycle(input.cycle_id),
        )

    @strawberry.mutation(description="Improve an objective of a cycle.")
    async def improve_objective(
        self, info: Info, input: ImproveObjectiveInput
    ) -> ImproveObjectiveResult:
        return await execute(
            info,
            "improveObjective",
            input,
            lambda app, ctx, options: app.improve_objective(
                ctx,
                input.cycle_id,
                objective_id=input.objective_id,
                objective=input.objective,
                reason=input.reason,
                options=options,
            ),
            ImproveObjectivePayload,
            reporting_targets.accounting_cycle(input.cycle_id),
        )

    @strawberry.mutation(description="Map a stakeholder group of a cycle.")
    async def map_stakeholder_group(
        self, info: Info, input: MapStakeholderGroupInput
    ) -> MapStakeholderGroupResult:
        return await execute(
            info,
            "mapStakeholderGroup",
            input,
            lambda app, ctx, options: app.map_stakeholder_group(
                ctx, input.cycle_id, name=input.name, interest=input.interest, options=options
            ),
            MapStakeholderGroupPayload,
            reporting_targets.accounting_cycle(input.cycle_id),
        )

    @strawberry.mutation(description="Define an indicator of a cycle.")
    async def define_indicator(
        self, info: Info, input: DefineIndicatorInput
    ) -> DefineIndicatorResult:
        return await execute(
            info,
            "defineIndicator",
            input,
            lambda app, ctx, options: app.define_indicator(
                ctx,
                input.cycle_id,
                objective_id=input.objective_id,
                name=input.name,
                unit=input.unit,
                options=options,
            ),
            DefineIndicatorPayload,
            reporting_targets.accounting_cycle(input.cycle_id),
        )

    @strawberry.mutation(description="Record an indicator's value.")
    async def record_indicator_value(
        self, info: Info, input: RecordIndicatorValueInput
    ) -> RecordIndicatorValueResult:
        return await execute(
            info,
            "recordIndicatorValue",
            input,
            lambda app, ctx, options: app.record_indicator_value(
                ctx,
                input.cycle_id,
                indicator_id=input.indicator_id,
                value=input.value,
                source=input.source,
                options=options,
            ),
            RecordIndicatorValuePayload,
            reporting_targets.accounting_cycle(input.cycle_id),
        )

    @strawberry.mutation(description="Record a consultation of a cycle.")
    async def record_consultation(
        self, info: Info, input: RecordConsultationInput
    ) -> RecordConsultationResult:
        return await execute(
            info,
            "recordConsultation",
            input,
            lambda app, ctx, options: app.record_consultation(
                ctx,
                input.cycle_id,
                stakeholder_group_ids=input.stakeholder_group_ids,
                method=input.method,
                held_on=input.held_on,
                summary=input.summary,
                options=options,
            ),
            RecordConsultationPayload,
            reporting_targets.accounting_cycle(input.cycle_id),
        )

    @strawberry.mutation(description="Determine a cycle's materiality.")
    async def determine_materiality(
        self, info: Info, input: DetermineMaterialityInput
    ) -> DetermineMaterialityResult:
        return await execute(
            info,
            "determineMateriality",
            input,
            lambda app, ctx, options: app.determine_materiality(
                ctx,
                input.cycle_id,
                material_indicator_ids=input.material_indicator_ids,
                rationale=input.rationale,
                options=options,
            ),
            DetermineMaterialityPayload,
            reporting_targets.accounting_cycle(input.cycle_id),
        )
