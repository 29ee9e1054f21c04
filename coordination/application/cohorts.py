"""Use cases of B5 on a cohort: enrolments, leaving and completion, sessions and their
attendance, feedback, and follow-up outcomes.

Personal fields (a participant's name and contact, the words of their feedback) are not
among the arguments an idempotency key's fingerprint digests: a digest of a name can be
matched against guessed names, and it would outlive the person's key.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from coordination.application.commands import NO_OPTIONS, CommandOptions, CommandResult, Outcome
from coordination.application.unit_of_work import CommandRunner
from coordination.domain.cohort import Cohort
from coordination.domain.context import Context
from coordination.domain.partnership import Partnership
from coordination.privacy.keys import KeyState, SubjectErasedError


class CohortUseCases(CommandRunner):
    """A cohort from its first enrolment to its participants' follow-up."""

    def cohort(self, cohort_id: UUID) -> Cohort:
        """The cohort's current state (for checks, other use cases and tests)."""
        return self.load(Cohort, cohort_id)

    def enrol(
        self,
        ctx: Context,
        cohort_id: UUID,
        *,
        participant_id: UUID,
        name: str,
        contact: str | None = None,
        organisation_id: UUID | None = None,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Enrol a person (by pseudonymous id) while places remain; their name and contact
        are sealed with their key. A person who was forgotten is not enrolled again."""

        def handle() -> Outcome:
            cohort = self.load(Cohort, cohort_id, options)
            if organisation_id is not None:
                partnership = self.load(Partnership, cohort.partnership_id)
                partnership.current_member(organisation_id, ctx.today)
            if self.subject_keys.state(participant_id) is KeyState.ERASED:
                raise SubjectErasedError(participant_id)
            cohort.enrol(
                ctx,
                participant_id=participant_id,
                organisation_id=organisation_id,
                name=name,
                contact=contact,
            )
            return Outcome(cohort)

        return self._run(
            ctx,
            "enrol",
            handle,
            options,
            cohort_id=cohort_id,
            participant_id=participant_id,
            organisation_id=organisation_id,
        )

    def record_leaving(
        self,
        ctx: Context,
        cohort_id: UUID,
        *,
        participant_id: UUID,
        reason: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """A participant left before the end of the course."""

        def handle() -> Outcome:
            cohort = self.load(Cohort, cohort_id, options)
            cohort.record_leaving(ctx, participant_id=participant_id, reason=reason)
            return Outcome(cohort)

        return self._run(
            ctx,
            "record_leaving",
            handle,
            options,
            cohort_id=cohort_id,
            participant_id=participant_id,
            reason=reason,
        )

    def record_completion(
        self,
        ctx: Context,
        cohort_id: UUID,
        *,
        participant_id: UUID,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """A participant completed the course."""

        def handle() -> Outcome:
            cohort = self.load(Cohort, cohort_id, options)
            cohort.record_completion(ctx, participant_id=participant_id)
            return Outcome(cohort)

        return self._run(
            ctx,
            "record_completion",
            handle,
            options,
            cohort_id=cohort_id,
            participant_id=participant_id,
        )

    def hold_session(
        self,
        ctx: Context,
        cohort_id: UUID,
        *,
        held_on: date,
        topic: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Record a session of the cohort; its id is `created_id`."""

        def handle() -> Outcome:
            cohort = self.load(Cohort, cohort_id, options)
            session_id = cohort.hold_session(ctx, held_on=held_on, topic=topic)
            return Outcome(cohort, created_id=session_id)

        return self._run(
            ctx, "hold_session", handle, options, cohort_id=cohort_id, held_on=held_on, topic=topic
        )

    def record_session_attendance(
        self,
        ctx: Context,
        cohort_id: UUID,
        *,
        session_id: UUID,
        participant_ids: Sequence[UUID],
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """Record which participants attended a session."""

        def handle() -> Outcome:
            cohort = self.load(Cohort, cohort_id, options)
            cohort.record_session_attendance(
                ctx, session_id=session_id, participant_ids=participant_ids
            )
            return Outcome(cohort)

        return self._run(
            ctx,
            "record_session_attendance",
            handle,
            options,
            cohort_id=cohort_id,
            session_id=session_id,
            participant_ids=list(participant_ids),
        )

    def give_feedback(
        self,
        ctx: Context,
        cohort_id: UUID,
        *,
        participant_id: UUID,
        kind: str,
        text: str,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """A participant's feedback or request, their words sealed with their key; its id
        is `created_id`."""

        def handle() -> Outcome:
            cohort = self.load(Cohort, cohort_id, options)
            if self.subject_keys.state(participant_id) is KeyState.ERASED:
                raise SubjectErasedError(participant_id)
            feedback_id = cohort.give_feedback(
                ctx, participant_id=participant_id, kind=kind, text=text
            )
            return Outcome(cohort, created_id=feedback_id)

        return self._run(
            ctx,
            "give_feedback",
            handle,
            options,
            cohort_id=cohort_id,
            participant_id=participant_id,
            kind=kind,
        )

    def record_follow_up_outcome(
        self,
        ctx: Context,
        cohort_id: UUID,
        *,
        participant_id: UUID,
        outcome: str,
        recorded_on: date,
        options: CommandOptions = NO_OPTIONS,
    ) -> CommandResult:
        """What became of a participant after the course."""

        def handle() -> Outcome:
            cohort = self.load(Cohort, cohort_id, options)
            cohort.record_follow_up_outcome(
                ctx, participant_id=participant_id, outcome=outcome, recorded_on=recorded_on
            )
            return Outcome(cohort)

        return self._run(
            ctx,
            "record_follow_up_outcome",
            handle,
            options,
            cohort_id=cohort_id,
            participant_id=participant_id,
            outcome=outcome,
            recorded_on=recorded_on,
        )
