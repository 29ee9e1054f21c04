"""Use cases of B5 on a programme: launching it, opening its cohorts, revising its
curriculum, and answering its participants' feedback (which may revise it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from coordination.application.commands import NO_OPTIONS, CommandOptions, CommandResult, Outcome
from coordination.application.unit_of_work import CommandRunner
from coordination.domain.cohort import Cohort
from coordination.domain.context import Context
from coordination.domain.errors import InvalidInput
from coordination.domain.partnership import Partnership
from coordination.domain.programme import Programme
from coordination.domain.values import TEXT_MAX
from coordination.domain.values import text as checked_text


class ProgrammeUseCases(CommandRunner):
    """A programme's life: launched, cohorts opened, curriculum revised."""

    def programme(self, programme_id: UUID) -> Programme:
        """The programme's current state (for checks, other use cases and tests)."""
        return self.load(Programme, programme_id)

    def launch_programme(
        self,
        ctx: Context,
        *,
        partnership_id: UUID,
        kind: str,
        title: str,
        provider_id: UUID,
        target_group: str,
        curriculum: str,
        duration_months: int,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Launch a programme provided by a current member; its id is `created_id`."""

        def handle() -> Outcome:
            self.load(Partnership, partnership_id).current_member(provider_id, ctx.today)
            programme = Programme.launch(
                ctx,
                partnership_id=partnership_id,
                kind=kind,
                title=title,
                provider_id=provider_id,
                target_group=target_group,
                curriculum=curriculum,
                duration_months=duration_months,
            )
            return Outcome(programme, created_id=programme.id)

        return self._run(
            ctx,
            "launch_programme",
            handle,
            options,
            partnership_id=partnership_id,
            kind=kind,
            title=title,
            provider_id=provider_id,
            target_group=target_group,
            curriculum=curriculum,
            duration_months=duration_months,
        )

    def open_cohort(
        self,
        ctx: Context,
        programme_id: UUID,
        *,
        title: str,
        places: int,
        starts_on: date,
        partner_ids: Sequence[UUID] = (),
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Open a cohort of the programme with partner organisations that are current
        members; its id is `created_id`."""

        def handle() -> Outcome:
            programme = self.load(Programme, programme_id, options)
            partnership = self.load(Partnership, programme.partnership_id)
            for index, partner_id in enumerate(partner_ids):
                if partner_id not in partnership.members:
                    raise InvalidInput(
                        f"names organisation {partner_id}, which is not a member of the"
                        " partnership",
                        field=f"partner_ids[{index}]",
                    )
                partnership.current_member(partner_id, ctx.today)
            cohort = Cohort.open(
                ctx,
                programme_id=programme_id,
                partnership_id=programme.partnership_id,
                provider_id=programme.provider_id,
                title=title,
                places=places,
                starts_on=starts_on,
                partner_ids=partner_ids,
            )
            programme.add_cohort(ctx, cohort.id)
            return Outcome(programme, created_id=cohort.id, others=[cohort])

        return self._run(
            ctx,
            "open_cohort",
            handle,
            options,
            programme_id=programme_id,
            title=title,
            places=places,
            starts_on=starts_on,
            partner_ids=list(partner_ids),
        )

    def revise_curriculum(
        self,
        ctx: Context,
        programme_id: UUID,
        *,
        curriculum: str,
        reason: str,
        feedback_ids: Sequence[UUID] = (),
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Record a new curriculum version, linking the feedback it answers."""

        def handle() -> Outcome:
            programme = self.load(Programme, programme_id, options)
            programme.revise_curriculum(
                ctx,
                curriculum=curriculum,
                reason=reason,
                feedback_ids=feedback_ids,
                known_feedback=self._feedback_of(programme),
            )
            return Outcome(programme)

        return self._run(
            ctx,
            "revise_curriculum",
            handle,
            options,
            programme_id=programme_id,
            curriculum=curriculum,
            reason=reason,
            feedback_ids=list(feedback_ids),
        )

    def answer_feedback(
        self,
        ctx: Context,
        cohort_id: UUID,
        *,
        feedback_id: UUID,
        answer: str,
        revised_curriculum: str | None = None,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Answer a participant's feedback: with a revised curriculum it is accepted (the
        programme's `CurriculumRevised` links it, in the same save), without one the
        answer explains why the course stays as it is."""

        def handle() -> Outcome:
            cohort = self.load(Cohort, cohort_id, options)
            programme = self.load(Programme, cohort.programme_id)
            version = None
            if revised_curriculum is not None:
                cohort.ensure_feedback_open(feedback_id)
                # Checked here under this command's own names: the revision would name
                # them `reason` and `curriculum`, which this command's input does not have.
                reason = checked_text(answer, "answer", max_length=TEXT_MAX)
                version = programme.revise_curriculum(
                    ctx,
                    curriculum=checked_text(
                        revised_curriculum, "revised_curriculum", max_length=TEXT_MAX
                    ),
                    reason=reason,
                    feedback_ids=[feedback_id],
                    known_feedback=set(cohort.feedback),
                )
            cohort.answer_feedback(
                ctx, feedback_id=feedback_id, answer=answer, curriculum_version=version
            )
            return Outcome(cohort, others=[programme] if version is not None else [])

        return self._run(
            ctx,
            "answer_feedback",
            handle,
            options,
            cohort_id=cohort_id,
            feedback_id=feedback_id,
            answer=answer,
            revised_curriculum=revised_curriculum,
        )

    def _feedback_of(self, programme: Programme) -> set[UUID]:
        known: set[UUID] = set()
        for cohort_id in programme.cohort_ids:
            known.update(self.load(Cohort, cohort_id).feedback)
        return known
