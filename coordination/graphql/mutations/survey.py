"""Mutations of B7: the national mapping survey, from its questionnaire to its findings."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from coordination.auth.authorization import reporting_targets, targets
from coordination.graphql import enums
from coordination.graphql.errors import CommandError
from coordination.graphql.mutations.base import CommandInput, CommandPayload, Info, execute


@strawberry.input(
    description="A question of the questionnaire; a key keeps its kind across versions."
)
class QuestionInput:
    key: str = strawberry.field(description="Lowercase letters, digits, underscores: `staff`.")
    text: str
    kind: enums.QuestionKind


@strawberry.input(description="An answer: a whole number, or 1 for yes and 0 for no.")
class AnswerInput:
    question: str = strawberry.field(description="The question's key.")
    value: int


@strawberry.input(description="Design a mapping survey and the first version of its questionnaire.")
class DesignQuestionnaireInput(CommandInput):
    partnership_id: UUID
    title: str
    minimum_cell_size: int = strawberry.field(
        description="The fewest organisations a published figure may describe (3 or more)."
    )
    questions: list[QuestionInput]


@strawberry.type(description="The survey was designed; `createdId` is its id.")
class DesignQuestionnairePayload(CommandPayload):
    pass


@strawberry.input(description="Add a new version of the questionnaire.")
class ReviseQuestionnaireInput(CommandInput):
    survey_id: UUID
    questions: list[QuestionInput]


@strawberry.type(description="The new version was added.")
class ReviseQuestionnairePayload(CommandPayload):
    pass


@strawberry.input(description="Publish the questionnaire's latest version; the survey opens.")
class PublishQuestionnaireInput(CommandInput):
    survey_id: UUID


@strawberry.type(description="The questionnaire was published.")
class PublishQuestionnairePayload(CommandPayload):
    pass


@strawberry.input(description="Invite an organisation to respond.")
class InviteRespondentInput(CommandInput):
    survey_id: UUID
    organisation_name: str
    region: str
    kind: enums.MemberKind
    member_id: UUID | None = strawberry.field(
        default=None, description="The member organisation it is, if any."
    )


@strawberry.type(description="The organisation was invited; `createdId` is the respondent's id.")
class InviteRespondentPayload(CommandPayload):
    pass


@strawberry.input(description="An invited organisation's answers to the published questionnaire.")
class SubmitResponseInput(CommandInput):
    survey_id: UUID
    respondent_id: UUID
    answers: list[AnswerInput]


@strawberry.type(description="The response was submitted.")
class SubmitResponsePayload(CommandPayload):
    pass


@strawberry.input(description="Replace a response's answers before it is validated.")
class CorrectResponseInput(CommandInput):
    survey_id: UUID
    respondent_id: UUID
    answers: list[AnswerInput]
    note: str


@strawberry.type(description="The response was corrected.")
class CorrectResponsePayload(CommandPayload):
    pass


@strawberry.input(description="Accept a response into the findings.")
class ValidateResponseInput(CommandInput):
    survey_id: UUID
    respondent_id: UUID


@strawberry.type(description="The response was validated.")
class ValidateResponsePayload(CommandPayload):
    pass


@strawberry.input(description="Keep a response out of the findings, saying why.")
class RejectResponseInput(CommandInput):
    survey_id: UUID
    respondent_id: UUID
    reason: str


@strawberry.type(description="The response was rejected.")
class RejectResponsePayload(CommandPayload):
    pass


@strawberry.input(description="Close the survey once every response is validated or rejected.")
class CloseSurveyInput(CommandInput):
    survey_id: UUID


@strawberry.type(description="The survey was closed.")
class CloseSurveyPayload(CommandPayload):
    pass


@strawberry.input(description="Publish the findings; refused when a cell is below the minimum.")
class PublishFindingsInput(CommandInput):
    survey_id: UUID
    grouping: enums.FindingsGrouping


@strawberry.type(description="The findings were published.")
class PublishFindingsPayload(CommandPayload):
    pass


DesignQuestionnaireResult = Annotated[
    DesignQuestionnairePayload | CommandError, strawberry.union("DesignQuestionnaireResult")
]
ReviseQuestionnaireResult = Annotated[
    ReviseQuestionnairePayload | CommandError, strawberry.union("ReviseQuestionnaireResult")
]
PublishQuestionnaireResult = Annotated[
    PublishQuestionnairePayload | CommandError, strawberry.union("PublishQuestionnaireResult")
]
InviteRespondentResult = Annotated[
    InviteRespondentPayload | CommandError, strawberry.union("InviteRespondentResult")
]
SubmitResponseResult = Annotated[
    SubmitResponsePayload | CommandError, strawberry.union("SubmitResponseResult")
]
CorrectResponseResult = Annotated[
    CorrectResponsePayload | CommandError, strawberry.union("CorrectResponseResult")
]
ValidateResponseResult = Annotated[
    ValidateResponsePayload | CommandError, strawberry.union("ValidateResponseResult")
]
RejectResponseResult = Annotated[
    RejectResponsePayload | CommandError, strawberry.union("RejectResponseResult")
]
CloseSurveyResult = Annotated[
    CloseSurveyPayload | CommandError, strawberry.union("CloseSurveyResult")
]
PublishFindingsResult = Annotated[
    PublishFindingsPayload | CommandError, strawberry.union("PublishFindingsResult")
]


@strawberry.type
class SurveyMutations:
    @strawberry.mutation(description="Design a mapping survey.")
    async def design_questionnaire(
        self, info: Info, input: DesignQuestionnaireInput
    ) -> DesignQuestionnaireResult:
        return await execute(
            info,
            "designQuestionnaire",
            input,
            lambda app, ctx, options: app.design_questionnaire(
                ctx,
                input.partnership_id,
                title=input.title,
                minimum_cell_size=input.minimum_cell_size,
                questions=[(q.key, q.text, q.kind.value) for q in input.questions],
                options=options,
            ),
            DesignQuestionnairePayload,
            targets.partnership(input.partnership_id),
        )

    @strawberry.mutation(description="Revise a survey's questionnaire.")
    async def revise_questionnaire(
        self, info: Info, input: ReviseQuestionnaireInput
    ) -> ReviseQuestionnaireResult:
        return await execute(
            info,
            "reviseQuestionnaire",
            input,
            lambda app, ctx, options: app.revise_questionnaire(
                ctx,
                input.survey_id,
                questions=[(q.key, q.text, q.kind.value) for q in input.questions],
                options=options,
            ),
            ReviseQuestionnairePayload,
            reporting_targets.survey(input.survey_id),
        )

    @strawberry.mutation(description="Publish a survey's questionnaire.")
    async def publish_questionnaire(
        self, info: Info, input: PublishQuestionnaireInput
    ) -> PublishQuestionnaireResult:
        return await execute(
            info,
            "publishQuestionnaire",
            input,
            lambda app, ctx, options: app.publish_questionnaire(
                ctx, input.survey_id, options=options
            ),
            PublishQuestionnairePayload,
            reporting_targets.survey(input.survey_id),
        )

    @strawberry.mutation(description="Invite an organisation to a survey.")
    async def invite_respondent(
        self, info: Info, input: InviteRespondentInput
    ) -> InviteRespondentResult:
        return await execute(
            info,
            "inviteRespondent",
            input,
            lambda app, ctx, options: app.invite_respondent(
                ctx,
                input.survey_id,
                organisation_name=input.organisation_name,
                region=input.region,
                kind=input.kind.value,
                member_id=input.member_id,
                options=options,
            ),
            InviteRespondentPayload,
            reporting_targets.survey(input.survey_id),
        )

    @strawberry.mutation(description="Submit a response to a survey.")
    async def submit_response(self, info: Info, input: SubmitResponseInput) -> SubmitResponseResult:
        return await execute(
            info,
            "submitResponse",
            input,
            lambda app, ctx, options: app.submit_response(
                ctx,
                input.survey_id,
                respondent_id=input.respondent_id,
                answers=[(a.question, a.value) for a in input.answers],
                options=options,
            ),
            SubmitResponsePayload,
            reporting_targets.respondent(input.survey_id, input.respondent_id),
        )

    @strawberry.mutation(description="Correct a response to a survey.")
    async def correct_response(
        self, info: Info, input: CorrectResponseInput
    ) -> CorrectResponseResult:
        return await execute(
            info,
            "correctResponse",
            input,
            lambda app, ctx, options: app.correct_response(
                ctx,
                input.survey_id,
                respondent_id=input.respondent_id,
                answers=[(a.question, a.value) for a in input.answers],
                note=input.note,
                options=options,
            ),
            CorrectResponsePayload,
            reporting_targets.respondent(input.survey_id, input.respondent_id),
        )

    @strawberry.mutation(description="Validate a response to a survey.")
    async def validate_response(
        self, info: Info, input: ValidateResponseInput
    ) -> ValidateResponseResult:
        return await execute(
            info,
            "validateResponse",
            input,
            lambda app, ctx, options: app.validate_response(
                ctx, input.survey_id, respondent_id=input.respondent_id, options=options
            ),
            ValidateResponsePayload,
            reporting_targets.survey(input.survey_id),
        )

    @strawberry.mutation(description="Reject a response to a survey.")
    async def reject_response(self, info: Info, input: RejectResponseInput) -> RejectResponseResult:
        return await execute(
            info,
            "rejectResponse",
            input,
            lambda app, ctx, options: app.reject_response(
                ctx,
                input.survey_id,
                respondent_id=input.respondent_id,
                reason=input.reason,
                options=options,
            ),
            RejectResponsePayload,
            reporting_targets.survey(input.survey_id),
        )

    @strawberry.mutation(description="Close a survey.")
    async def close_survey(self, info: Info, input: CloseSurveyInput) -> CloseSurveyResult:
        return await execute(
            info,
            "closeSurvey",
            input,
            lambda app, ctx, options: app.close_survey(ctx, input.survey_id, options=options),
            CloseSurveyPayload,
            reporting_targets.survey(input.survey_id),
        )

    @strawberry.mutation(description="Publish a survey's findings.")
    async def publish_findings(
        self, info: Info, input: PublishFindingsInput
    ) -> PublishFindingsResult:
        return await execute(
            info,
            "publishFindings",
            input,
            lambda app, ctx, options: app.publish_findings(
                ctx, input.survey_id, grouping=input.grouping.value, options=options
            ),
            PublishFindingsPayload,
            reporting_targets.survey(input.survey_id),
        )
