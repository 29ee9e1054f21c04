"""Mutations of B9 and B10's evidence: dissemination, its uptake and influence; documents."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import strawberry

from coordination.auth.authorization import reporting_targets, targets
from coordination.graphql import enums
from coordination.graphql.errors import CommandError
from coordination.graphql.mutations.base import CommandInput, CommandPayload, Info, execute


@strawberry.input(description="Plan a dissemination activity of a member organisation.")
class PlanDisseminationInput(CommandInput):
    partnership_id: UUID
    responsible_id: UUID = strawberry.field(description="The member responsible.")
    title: str
    channel: enums.DisseminationChannel
    planned_on: date
    audience_description: str = strawberry.field(description="Whom it is for.")


@strawberry.type(description="The activity was planned; `createdId` is its id.")
class PlanDisseminationPayload(CommandPayload):
    pass


@strawberry.input(description="Record that the activity was held: when, its reach, the evidence.")
class RecordDisseminationInput(CommandInput):
    dissemination_id: UUID
    held_on: date
    reach: int = strawberry.field(description="How many people it reached.")
    evidence_hash: str = strawberry.field(description="The SHA-256 of the evidence.")


@strawberry.type(description="The activity was recorded as held.")
class RecordDisseminationPayload(CommandPayload):
    pass


@strawberry.input(description="A member organisation took up a practice the activity passed on.")
class RecordUptakeInput(CommandInput):
    dissemination_id: UUID
    organisation_id: UUID
    practice: str
    adopted_on: date


@strawberry.type(description="The uptake was recorded; `createdId` is its id.")
class RecordUptakePayload(CommandPayload):
    pass


@strawberry.input(description="A member organisation changed a policy because of the activity.")
class RecordPolicyInfluenceInput(CommandInput):
    dissemination_id: UUID
    organisation_id: UUID
    change: str
    decided_on: date
    evidence_hash: str = strawberry.field(description="The SHA-256 of the evidence.")


@strawberry.type(description="The influence was recorded; `createdId` is its id.")
class RecordPolicyInfluencePayload(CommandPayload):
    pass


@strawberry.input(description="Register a document by its SHA-256, kind and retention class.")
class RegisterDocumentInput(CommandInput):
    partnership_id: UUID
    document_hash: str
    kind: enums.DocumentKind
    retention: enums.RetentionClass
    title: str


@strawberry.type(description="The document was registered; `createdId` is its id.")
class RegisterDocumentPayload(CommandPayload):
    pass


@strawberry.input(
    description="Link a document to the event it is evidence of, by stream and version."
)
class LinkEvidenceInput(CommandInput):
    document_id: UUID
    stream_id: UUID
    stream_version: int


@strawberry.type(description="The document was linked.")
class LinkEvidencePayload(CommandPayload):
    pass


PlanDisseminationResult = Annotated[
    PlanDisseminationPayload | CommandError, strawberry.union("PlanDisseminationResult")
]
RecordDisseminationResult = Annotated[
    RecordDisseminationPayload | CommandError, strawberry.union("RecordDisseminationResult")
]
RecordUptakeResult = Annotated[
    RecordUptakePayload | CommandError, strawberry.union("RecordUptakeResult")
]
RecordPolicyInfluenceResult = Annotated[
    RecordPolicyInfluencePayload | CommandError, strawberry.union("RecordPolicyInfluenceResult")
]
RegisterDocumentResult = Annotated[
    RegisterDocumentPayload | CommandError, strawberry.union("RegisterDocumentResult")
]
LinkEvidenceResult = Annotated[
    LinkEvidencePayload | CommandError, strawberry.union("LinkEvidenceResult")
]


@strawberry.type
class DisseminationMutations:
    @strawberry.mutation(description="Plan a dissemination activity.")
    async def plan_dissemination(
        self, info: Info, input: PlanDisseminationInput
    ) -> PlanDisseminationResult:
        return await execute(
            info,
            "planDissemination",
            input,
            lambda app, ctx, options: app.plan_dissemination(
                ctx,
                input.partnership_id,
                responsible_id=input.responsible_id,
                title=input.title,
                channel=input.channel.value,
                planned_on=input.planned_on,
                audience_description=input.audience_description,
                options=options,
            ),
            PlanDisseminationPayload,
            reporting_targets.for_organisation(input.partnership_id, input.responsible_id),
        )

    @strawberry.mutation(description="Record a dissemination activity as held.")
    async def record_dissemination(
        self, info: Info, input: RecordDisseminationInput
    ) -> RecordDisseminationResult:
        return await execute(
            info,
            "recordDissemination",
            input,
            lambda app, ctx, options: app.record_dissemination(
                ctx,
                input.dissemination_id,
                held_on=input.held_on,
                reach=input.reach,
                evidence_hash=input.evidence_hash,
                options=options,
            ),
            RecordDisseminationPayload,
            reporting_targets.dissemination(input.dissemination_id),
        )

    @strawberry.mutation(description="Record the uptake of a practice.")
    async def record_uptake(self, info: Info, input: RecordUptakeInput) -> RecordUptakeResult:
        return await execute(
            info,
            "recordUptake",
            input,
            lambda app, ctx, options: app.record_uptake(
                ctx,
                input.dissemination_id,
                organisation_id=input.organisation_id,
                practice=input.practice,
                adopted_on=input.adopted_on,
                options=options,
            ),
            RecordUptakePayload,
            reporting_targets.dissemination(input.dissemination_id, input.organisation_id),
        )

    @strawberry.mutation(description="Record a policy influence.")
    async def record_policy_influence(
        self, info: Info, input: RecordPolicyInfluenceInput
    ) -> RecordPolicyInfluenceResult:
        return await execute(
            info,
            "recordPolicyInfluence",
            input,
            lambda app, ctx, options: app.record_policy_influence(
                ctx,
                input.dissemination_id,
                organisation_id=input.organisation_id,
                change=input.change,
                decided_on=input.decided_on,
                evidence_hash=input.evidence_hash,
                options=options,
            ),
            RecordPolicyInfluencePayload,
            reporting_targets.dissemination(input.dissemination_id, input.organisation_id),
        )

    @strawberry.mutation(description="Register an evidence document.")
    async def register_document(
        self, info: Info, input: RegisterDocumentInput
    ) -> RegisterDocumentResult:
        return await execute(
            info,
            "registerDocument",
            input,
            lambda app, ctx, options: app.register_document(
                ctx,
                input.partnership_id,
                document_hash=input.document_hash,
                kind=input.kind.value,
                retention=input.retention.value,
                title=input.title,
                options=options,
            ),
            RegisterDocumentPayload,
            targets.partnership(input.partnership_id),
        )

    @strawberry.mutation(description="Link a document to an event as its evidence.")
    async def link_evidence(self, info: Info, input: LinkEvidenceInput) -> LinkEvidenceResult:
        return await execute(
            info,
            "linkEvidence",
            input,
            lambda app, ctx, options: app.link_evidence(
                ctx,
                input.document_id,
                stream_id=input.stream_id,
                stream_version=input.stream_version,
                options=options,
            ),
            LinkEvidencePayload,
            reporting_targets.document(input.document_id),
        )
