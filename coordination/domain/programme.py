"""B5. The training programme: what is taught, by whom, to whom, and how the curriculum
changes as its participants shape it.

A programme is provided by a member organisation (checked by the application) and runs
in cohorts (`cohort.py`), each its own stream. Its curriculum is versioned: version 1
comes with the launch, and every revision says why and which participants' feedback it
answers, so the trace from a request to the course it changed can be followed both ways.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from uuid import UUID

from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.errors import InvalidInput, RuleViolation
from coordination.domain.values import TEXT_MAX, TITLE_MAX, Audience, choice, name, text

#: The longest programme the register plans: ten years.
DURATION_MAX_MONTHS = 120
#: Feedback items one revision may name.
FEEDBACK_PER_REVISION_MAX = 100


class ProgrammeKind(StrEnum):
    """The kinds of training the partnership runs (PRODUCT.md, "Training programmes")."""

    CARE_WORK_COURSE = "care_work_course"
    ENTREPRENEURSHIP_STUDY_CIRCLE = "entrepreneurship_study_circle"
    SOCIAL_ACCOUNTING_COURSE = "social_accounting_course"


class Programme(CoordinationAggregate):
    """A training programme of the partnership."""

    TOPIC = "coordination.programme"
    KIND = "programme"
    Created = None  # type: ignore[assignment]  # every event has an explicit topic; no generic one

    class Launched(CoordinationAggregate.Created):
        """ProgrammeLaunched: its kind, provider, target group, curriculum v1, duration."""

        TOPIC = "coordination.programme.launched"
        partnership_id: UUID
        kind: str
        title: str
        provider_id: UUID
        target_group: str
        curriculum: str
        duration_months: int

        def apply(self, p: Programme) -> None:
            p.partnership_id, p.kind, p.title = self.partnership_id, self.kind, self.title
            p.provider_id, p.target_group = self.provider_id, self.target_group
            p.curriculum, p.duration_months = self.curriculum, self.duration_months

    class CohortAdded(CoordinationAggregate.Event):
        """A cohort of the programme was opened (its own stream, saved with this)."""

        TOPIC = "coordination.programme.cohort_added"
        cohort_id: UUID

        def apply(self, p: Programme) -> None:
            p.cohort_ids.append(self.cohort_id)

    class CurriculumRevised(CoordinationAggregate.Event):
        """CurriculumRevised: the new version, why, and the feedback it answers."""

        TOPIC = "coordination.programme.curriculum_revised"
        version: int
        curriculum: str
        reason: str
        feedback_ids: list[UUID]

        def apply(self, p: Programme) -> None:
            p.curriculum, p.curriculum_version = self.curriculum, self.version
            p.answered_feedback.update(self.feedback_ids)

    def __init__(self) -> None:
        self.partnership_id = self.provider_id = UUID(int=0)
        self.kind = ProgrammeKind.CARE_WORK_COURSE.value
        self.title = self.target_group = self.curriculum = ""
        self.duration_months = 0
        self.curriculum_version = 1
        self.cohort_ids: list[UUID] = []
        self.answered_feedback: set[UUID] = set()

    @classmethod
    def launch(
        cls,
        ctx: Context,
        *,
        partnership_id: UUID,
        kind: str,
        title: str,
        provider_id: UUID,
        target_group: str,
        curriculum: str,
        duration_months: int,
    ) -> Programme:
        """Launch a programme; the application checked the partnership and the provider."""
        if (
            isinstance(duration_months, bool)
            or not isinstance(duration_months, int)
            or not 1 <= duration_months <= DURATION_MAX_MONTHS
        ):
            raise InvalidInput(
                f"must be a whole number of months from 1 to {DURATION_MAX_MONTHS}",
                field="duration_months",
            )
        return cls.start(
            cls.Launched,
            ctx,
            audience=Audience.PARTNERSHIP.value,
            partnership_id=partnership_id,
            kind=choice(kind, ProgrammeKind, "kind").value,
            title=name(title, "title", max_length=TITLE_MAX),
            provider_id=provider_id,
            target_group=name(target_group, "target_group", max_length=TITLE_MAX),
            curriculum=text(curriculum, "curriculum", max_length=TEXT_MAX),
            duration_months=duration_months,
        )

    def add_cohort(self, ctx: Context, cohort_id: UUID) -> None:
        """Note a cohort opened under the programme."""
        self.record(self.CohortAdded, ctx, cohort_id=cohort_id)

    def revise_curriculum(
        self,
        ctx: Context,
        *,
        curriculum: str,
        reason: str,
        feedback_ids: Sequence[UUID],
        known_feedback: set[UUID],
    ) -> int:
        """Record a new version of the curriculum; returns its number.

        Args:
            curriculum: The whole new curriculum; it must differ from the current one.
            reason: Why it changed.
            feedback_ids: The participants' feedback the revision answers.
            known_feedback: The feedback given in the programme's cohorts (the
                application reads them): a revision links only feedback given here.
        """
        revised = text(curriculum, "curriculum", max_length=TEXT_MAX)
        if revised == self.curriculum:
            raise RuleViolation(
                f"the revised curriculum of '{self.title}' is identical to version"
                f" {self.curriculum_version}"
            )
        linked = list(dict.fromkeys(feedback_ids))
        if len(linked) > FEEDBACK_PER_REVISION_MAX:
            raise InvalidInput(
                f"may name at most {FEEDBACK_PER_REVISION_MAX} items", field="feedback_ids"
            )
        for index, feedback_id in enumerate(linked):
            if feedback_id not in known_feedback:
                raise InvalidInput(
                    f"names feedback {feedback_id}, which was not given in a cohort of"
                    f" '{self.title}'",
                    field=f"feedback_ids[{index}]",
                )
        version = self.curriculum_version + 1
        self.record(
            self.CurriculumRevised,
            ctx,
            version=version,
            curriculum=revised,
            reason=text(reason, "reason", max_length=TEXT_MAX),
            feedback_ids=linked,
        )
        return version
