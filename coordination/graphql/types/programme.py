"""Training programmes (B5): programmes, cohorts with their funnels, the feedback →
curriculum trace, and a cohort's participants.

Everything here but a participant's name and contact, and the words of their feedback, is
aggregate counts and pseudonymous ids. Those are opened by the root fields that list a
cohort's participants and feedback, for callers allowed to read them; for anyone else
the fields are refused.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import strawberry

from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import (
    FeedbackKind,
    FollowUpOutcome,
    ParticipantStatus,
    ProgrammeKind,
)
from coordination.graphql.errors import forbidden
from coordination.projections.queries import programmes as views

Info = strawberry.Info[GraphQLContext, None]

_NAMES_REFUSED = "only the secretariat and the provider's representatives read participants' names"
_WORDS_REFUSED = (
    "only the secretariat and the provider's representatives read participants' feedback"
    " in their own words"
)


@strawberry.type(description="How many participants an outcome was recorded for.")
class OutcomeCount:
    outcome: FollowUpOutcome
    participants: int


@strawberry.type(
    description="A cohort's (or a programme's, its cohorts added) funnel: places, who"
    " enrolled, left and completed, what became of them, and the sessions held."
)
class Funnel:
    places: int
    enrolled: int = strawberry.field(description="Everyone ever enrolled.")
    taking_part: int = strawberry.field(description="Enrolled, and neither left nor completed.")
    left: int
    completed: int
    outcomes: list[OutcomeCount] = strawberry.field(description="Follow-up outcomes by kind.")
    sessions_held: int
    attendances: int = strawberry.field(description="Attendances over all sessions held.")

    @classmethod
    def from_row(cls, row: views.Funnel) -> Funnel:
        return cls(
            places=row.places,
            enrolled=row.enrolled,
            taking_part=row.taking_part,
            left=row.left,
            completed=row.completed,
            outcomes=[
                OutcomeCount(outcome=FollowUpOutcome(kind), participants=count)
                for kind, count in row.outcomes.items()
            ],
            sessions_held=row.sessions_held,
            attendances=row.attendances,
        )


@strawberry.type(description="A cohort of a training programme, with its funnel.")
class Cohort:
    uuid: UUID
    programme_id: UUID
    provider_id: UUID
    title: str
    places: int
    starts_on: date
    partner_ids: list[UUID] = strawberry.field(description="Partner organisations (hosts).")
    funnel: Funnel

    @classmethod
    def from_row(cls, row: views.CohortView) -> Cohort:
        return cls(
            uuid=row.id,
            programme_id=row.programme_id,
            provider_id=row.provider_id,
            title=row.title,
            places=row.places,
            starts_on=row.starts_on,
            partner_ids=row.partner_ids,
            funnel=Funnel.from_row(row.funnel),
        )


@strawberry.type(description="One version of a programme's curriculum and why it changed.")
class CurriculumVersion:
    version: int
    curriculum: str
    reason: str | None = strawberry.field(description="Why it changed; none for version 1.")
    adopted_at: datetime | None


@strawberry.type(
    description="A participant's feedback (by id; its words are read with `cohortFeedback`),"
    " its answer, and the curriculum version it led to when accepted."
)
class FeedbackTrace:
    uuid: UUID
    cohort_id: UUID
    kind: FeedbackKind
    given_at: datetime | None
    answered: bool
    accepted: bool
    answer: str | None
    led_to: CurriculumVersion | None = strawberry.field(
        description="The curriculum version that took the feedback up."
    )


@strawberry.type(description="A training programme with its cohorts, funnels and curriculum.")
class Programme:
    uuid: UUID
    partnership_id: UUID
    kind: ProgrammeKind
    title: str
    provider_id: UUID = strawberry.field(description="The member organisation providing it.")
    target_group: str
    duration_months: int
    curriculum_version: int

    @classmethod
    def from_row(cls, row: views.ProgrammeView) -> Programme:
        return cls(
            uuid=row.id,
            partnership_id=row.partnership_id,
            kind=ProgrammeKind(row.kind),
            title=row.title,
            provider_id=row.provider_id,
            target_group=row.target_group,
            duration_months=row.duration_months,
            curriculum_version=row.curriculum_version,
        )

    @strawberry.field(description="Its cohorts, in the order opened, each with its funnel.")
    async def cohorts(self, info: Info) -> list[Cohort]:
        rows = await views.cohorts(info.context.services.db, programme_id=self.uuid)
        return [Cohort.from_row(row) for row in rows]

    @strawberry.field(description="The funnel of all its cohorts together.")
    async def funnel(self, info: Info) -> Funnel:
        rows = await views.cohorts(info.context.services.db, programme_id=self.uuid)
        return Funnel.from_row(views.total([row.funnel for row in rows]))

    @strawberry.field(description="Every version of its curriculum, the first first.")
    async def curriculum_versions(self, info: Info) -> list[CurriculumVersion]:
        rows = await views.curricula(info.context.services.db, self.uuid)
        return [_version(row) for row in rows]

    @strawberry.field(
        description="The feedback → curriculum trace: each feedback given in its cohorts,"
        " its answer, and the curriculum version it led to."
    )
    async def feedback_trace(self, info: Info) -> list[FeedbackTrace]:
        db = info.context.services.db
        versions = {row.version: _version(row) for row in await views.curricula(db, self.uuid)}
        return [
            FeedbackTrace(
                uuid=row.id,
                cohort_id=row.cohort_id,
                kind=FeedbackKind(row.kind),
                given_at=row.given_at,
                answered=row.answered,
                accepted=row.accepted,
                answer=row.answer,
                led_to=versions.get(row.curriculum_version) if row.curriculum_version else None,
            )
            for row in await views.feedback_trace(db, self.uuid)
        ]


def _version(row: views.CurriculumView) -> CurriculumVersion:
    return CurriculumVersion(
        version=row.version, curriculum=row.curriculum, reason=row.reason, adopted_at=row.adopted_at
    )


@strawberry.type(
    description="A participant of a cohort, by pseudonymous id. Their name and contact are"
    " shown to the secretariat and the provider's representatives only."
)
class CohortParticipant:
    participant_id: UUID
    organisation_id: UUID | None
    status: ParticipantStatus
    sessions_attended: int
    outcomes: list[FollowUpOutcome]
    erased: bool = strawberry.field(
        description="The person was forgotten: their name and contact read as nothing."
    )
    names_shown: strawberry.Private[bool]
    opened_name: strawberry.Private[str | None]
    opened_contact: strawberry.Private[str | None]

    @strawberry.field(description="Their name; null once erased.")
    def name(self) -> str | None:
        if not self.names_shown:
            raise forbidden(_NAMES_REFUSED)
        return self.opened_name

    @strawberry.field(description="Their contact, if given; null once erased.")
    def contact(self) -> str | None:
        if not self.names_shown:
            raise forbidden(_NAMES_REFUSED)
        return self.opened_contact


@strawberry.type(
    description="A participant's feedback with its answer. Its words are shown to the"
    " secretariat and the provider's representatives only."
)
class CohortFeedback:
    uuid: UUID
    participant_id: UUID
    kind: FeedbackKind
    given_at: datetime | None
    answered: bool
    accepted: bool
    answer: str | None
    curriculum_version: int | None = strawberry.field(
        description="The curriculum version that took the feedback up, when accepted."
    )
    erased: bool = strawberry.field(
        description="The participant was forgotten: their words read as nothing."
    )
    words_shown: strawberry.Private[bool]
    opened_text: strawberry.Private[str | None]

    @strawberry.field(description="What the participant said; null once erased.")
    def text(self) -> str | None:
        if not self.words_shown:
            raise forbidden(_WORDS_REFUSED)
        return self.opened_text
