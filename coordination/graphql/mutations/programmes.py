"""Mutations of B5 on a programme: launching it, opening cohorts, revising its curriculum,
answering its participants' feedback."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import strawberry

from coordination.auth.authorization import targets
from coordination.graphql.enums import ProgrammeKind
from coordination.graphql.errors import CommandError
from coordination.graphql.mutations.base import CommandInput, CommandPayload, Info, execute


@strawberry.input(description="Launch a training programme provided by a member organisation.")
class LaunchProgrammeInput(CommandInput):
    partnership_id: UUID
    kind: ProgrammeKind
    title: str
    provider_id: UUID = strawberry.field(description="The member organisation that provides it.")
    target_group: str
    curriculum: str = strawberry.field(description="Version 1 of the curriculum.")
    duration_months: int


@strawberry.type(description="The programme was launched; `createdId` is its id.")
class LaunchProgrammePayload(CommandPayload):
    pass


@strawberry.input(description="Open a cohort of a programme.")
class OpenCohortInput(CommandInput):
    programme_id: UUID
    title: str
    places: int
    starts_on: date
    partner_ids: list[UUID] = strawberry.field(
        default_factory=list,
        description="Member organisations taking part (e.g. the association hosting a circle).",
    )


@strawberry.type(description="The cohort was opened; `createdId` is its id.")
class OpenCohortPayload(CommandPayload):
    pass


@strawberry.input(description="Record a new version of a programme's curriculum.")
class ReviseCurriculumInput(CommandInput):
    programme_id: UUID
    curriculum: str = strawberry.field(description="The whole new curriculum.")
    reason: str
    feedback_ids: list[UUID] = strawberry.field(
        default_factory=list, description="The participants' feedback the revision answers."
    )


@strawberry.type(description="The curriculum was revised.")
class ReviseCurriculumPayload(CommandPayload):
    pass


@strawberry.input(
    description="Answer a participant's feedback: with `revisedCurriculum` it is accepted and"
    " the curriculum revised (linking the feedback), without it the answer explains."
)
class AnswerFeedbackInput(CommandInput):
    cohort_id: UUID
    feedback_id: UUID
    answer: str
    revised_curriculum: str | None = None


@strawberry.type(description="The feedback was answered.")
class AnswerFeedbackPayload(CommandPayload):
    pass


LaunchProgrammeResult = Annotated[
    LaunchProgrammePayload | CommandError, strawberry.union("LaunchProgrammeResult")
]
OpenCohortResult = Annotated[OpenCohortPayload | CommandError, strawberry.union("OpenCohortResult")]
ReviseCurriculumResult = Annotated[
    ReviseCurriculumPayload | CommandError, strawberry.union("ReviseCurriculumResult")
]
AnswerFeedbackResult = Annotated[
    AnswerFeedbackPayload | CommandError, strawberry.union("AnswerFeedbackResult")
]


@strawberry.type
class ProgrammeMutations:
    @strawberry.mutation(description="Launch a training programme.")
    async def launch_programme(
        self, info: Info, input: LaunchProgrammeInput
    ) -> LaunchProgrammeResult:
        return await execute(
            info,
            "launchProgramme",
            input,
            lambda app, ctx, options: app.launch_programme(
                ctx,
                partnership_id=input.partnership_id,
                kind=input.kind.value,
                title=input.title,
                provider_id=input.provider_id,
                target_group=input.target_group,
                curriculum=input.curriculum,
                duration_months=input.duration_months,
                options=options,
            ),
            LaunchProgrammePayload,
            targets.partnership(input.partnership_id),
        )

    @strawberry.mutation(description="Open a cohort of a programme.")
    async def open_cohort(self, info: Info, input: OpenCohortInput) -> OpenCohortResult:
        return await execute(
            info,
            "openCohort",
            input,
            lambda app, ctx, options: app.open_cohort(
                ctx,
                input.programme_id,
                title=input.title,
                places=input.places,
                starts_on=input.starts_on,
                partner_ids=input.partner_ids,
                options=options,
            ),
            OpenCohortPayload,
            targets.programme(input.programme_id),
        )

    @strawberry.mutation(description="Revise a programme's curriculum.")
    async def revise_curriculum(
        self, info: Info, input: ReviseCurriculumInput
    ) -> ReviseCurriculumResult:
        return await execute(
            info,
            "reviseCurriculum",
            input,
            lambda app, ctx, options: app.revise_curriculum(
                ctx,
                input.programme_id,
                curriculum=input.curriculum,
                reason=input.reason,
                feedback_ids=input.feedback_ids,
                options=options,
            ),
            ReviseCurriculumPayload,
            targets.programme(input.programme_id),
        )

    @strawberry.mutation(description="Answer a participant's feedback.")
    async def answer_feedback(self, info: Info, input: AnswerFeedbackInput) -> AnswerFeedbackResult:
        return await execute(
            info,
            "answerFeedback",
            input,
            lambda app, ctx, options: app.answer_feedback(
                ctx,
                input.cohort_id,
                feedback_id=input.feedback_id,
                answer=input.answer,
                revised_curriculum=input.revised_curriculum,
                options=options,
            ),
            AnswerFeedbackPayload,
            targets.cohort(input.cohort_id),
        )
