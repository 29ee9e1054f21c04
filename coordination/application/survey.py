"""Use cases of B7: the national mapping survey.

The survey knows nothing of the partnership, so designing one checks the partnership
exists, and inviting one of its members checks it is a current member of the kind the
invitation gives. A response is submitted or corrected by the secretariat (entering one
received on paper, say) or for the invited member itself, by its representative.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from coordination.application.commands import NO_OPTIONS, CommandOptions, CommandResult, Outcome
from coordination.application.unit_of_work import CommandRunner
from coordination.domain.context import Context
from coordination.domain.errors import Forbidden, InvalidInput
from coordination.domain.mapping_survey import MappingSurvey
from coordination.domain.partnership import Partnership

#: A step on a survey: the aggregate's command, called with the survey, the context and the input.
SurveyStep = Callable[..., UUID | int | None]


class SurveyUseCases(CommandRunner):
    """Commands of B7 on mapping surveys."""

    def design_questionnaire(
        self,
        ctx: Context,
        partnership_id: UUID,
        *,
        title: str,
        minimum_cell_size: int,
        questions: Sequence[tuple[str, str, str]],
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Design a survey with the first version of its questionnaire, as (key, text, kind)."""

        def handle() -> Outcome:
            self.load(Partnership, partnership_id)
            survey = MappingSurvey.design(
                ctx,
                partnership_id=partnership_id,
                title=title,
                minimum_cell_size=minimum_cell_size,
                questions=questions,
            )
            return Outcome(survey, created_id=survey.id)

        return self._run(
            ctx,
            "design_questionnaire",
            handle,
            options,
            partnership_id=partnership_id,
            title=title,
            minimum_cell_size=minimum_cell_size,
            questions=[list(q) for q in questions],
        )

    def revise_questionnaire(
        self,
        ctx: Context,
        survey_id: UUID,
        *,
        questions: Sequence[tuple[str, str, str]],
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Add a new version of the questionnaire (published separately)."""
        return self._survey_step(
            ctx,
            "revise_questionnaire",
            survey_id,
            options,
            MappingSurvey.revise_questionnaire,
            questions=[tuple(q) for q in questions],
        )

    def publish_questionnaire(
        self, ctx: Context, survey_id: UUID, *, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        """Publish the questionnaire's latest version; the survey is open."""
        return self._survey_step(
            ctx, "publish_questionnaire", survey_id, options, MappingSurvey.publish_questionnaire
        )

    def invite_respondent(
        self,
        ctx: Context,
        survey_id: UUID,
        *,
        organisation_name: str,
        region: str,
        kind: str,
        member_id: UUID | None = None,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Invite an organisation; a member of the partnership is invited as the kind it is."""

        def invite(survey: MappingSurvey, ctx: Context, **arguments: Any) -> UUID:
            if member_id is not None:
                member = self.load(Partnership, survey.partnership_id).current_member(
                    member_id, ctx.today
                )
                if member.kind != kind:
                    raise InvalidInput(
                        f"must be the member's own kind, {member.kind}, not {kind}", field="kind"
                    )
            return survey.invite_respondent(ctx, **arguments)

        return self._survey_step(
            ctx,
            "invite_respondent",
            survey_id,
            options,
            invite,
            organisation_name=organisation_name,
            region=region,
            kind=kind,
            member_id=member_id,
        )

    def submit_response(
        self,
        ctx: Context,
        survey_id: UUID,
        *,
        respondent_id: UUID,
        answers: Sequence[tuple[str, int]],
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """An invited organisation's answers, as (question key, value)."""
        return self._for_respondent(
            ctx,
            "submit_response",
            survey_id,
            options,
            MappingSurvey.submit_response,
            respondent_id=respondent_id,
            answers=[tuple(a) for a in answers],
        )

    def correct_response(
        self,
        ctx: Context,
        survey_id: UUID,
        *,
        respondent_id: UUID,
        answers: Sequence[tuple[str, int]],
        note: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Replace a response's answers before it is validated."""
        return self._for_respondent(
            ctx,
            "correct_response",
            survey_id,
            options,
            MappingSurvey.correct_response,
            respondent_id=respondent_id,
            answers=[tuple(a) for a in answers],
            note=note,
        )

    def validate_response(
        self,
        ctx: Context,
        survey_id: UUID,
        *,
        respondent_id: UUID,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Accept a response into the findings."""
        return self._survey_step(
            ctx,
            "validate_response",
            survey_id,
            options,
            MappingSurvey.validate_response,
            respondent_id=respondent_id,
        )

    def reject_response(
        self,
        ctx: Context,
        survey_id: UUID,
        *,
        respondent_id: UUID,
        reason: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Keep a response out of the findings, saying why."""
        return self._survey_step(
            ctx,
            "reject_response",
            survey_id,
            options,
            MappingSurvey.reject_response,
            respondent_id=respondent_id,
            reason=reason,
        )

    def close_survey(
        self, ctx: Context, survey_id: UUID, *, options: CommandOptions = NO_OPTIONS
    ) -> CommandResult:
        """Close the survey once every response is validated or rejected."""
        return self._survey_step(ctx, "close_survey", survey_id, options, MappingSurvey.close)

    def publish_findings(
        self,
        ctx: Context,
        survey_id: UUID,
        *,
        grouping: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Publish the findings, grouped so that no cell is below the minimum."""
        return self._survey_step(
            ctx,
            "publish_findings",
            survey_id,
            options,
            MappingSurvey.publish_findings,
            grouping=grouping,
        )

    def mapping_survey(self, survey_id: UUID) -> MappingSurvey:
        """The survey's current state (for checks and for tests)."""
        return self.load(MappingSurvey, survey_id)

    def _for_respondent(
        self,
        ctx: Context,
        command: str,
        survey_id: UUID,
        options: CommandOptions,
        step: SurveyStep,
        **arguments: Any,
    ) -> CommandResult:
        """A step on a response, by the secretariat or for the invited member itself."""

        def respond(survey: MappingSurvey, ctx: Context, **given: Any) -> UUID | int | None:
            if ctx.acting_for is not None:
                self.load(Partnership, survey.partnership_id).ensure_acts_for(ctx)
                invited = survey.respondents.get(given["respondent_id"])
                if invited is None or invited.member_id != ctx.acting_for:
                    raise Forbidden(
                        f"organisation {ctx.acting_for} responds only for itself: respondent"
                        f" {given['respondent_id']} is not its invitation"
                    )
            return step(survey, ctx, **given)

        return self._survey_step(ctx, command, survey_id, options, respond, **arguments)

    def _survey_step(
        self,
        ctx: Context,
        command: str,
        survey_id: UUID,
        options: CommandOptions,
        step: SurveyStep,
        **arguments: Any,
    ) -> CommandResult:
        """Run `step(survey, ctx, **arguments)`; a returned id is the result's `created_id`."""

        def handle() -> Outcome:
            survey = self.load(MappingSurvey, survey_id, options)
            created = step(survey, ctx, **arguments)
            return Outcome(survey, created_id=created if isinstance(created, UUID) else None)

        return self._run(ctx, command, handle, options, survey_id=survey_id, **arguments)
