"""Queries over the training programmes (B5): programmes and cohorts with their funnels and
the feedback → curriculum trace, read by everyone with standing in the partnership; and a
cohort's participants and its feedback, read by the secretariat, auditors and the
provider's representatives, with names and the feedback's words opened for the
secretariat and the provider only.

The participants and the feedback are answered afresh every time (`READS_LIVE`): their
personal fields are opened from the event store with each person's key, and a key
erased changes no view.
"""

from __future__ import annotations

import asyncio
from uuid import UUID

import strawberry

from coordination.auth.principal import Role
from coordination.graphql.cacheability import READS_LIVE, READS_VIEWS
from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import FeedbackKind, FollowUpOutcome, ParticipantStatus
from coordination.graphql.errors import forbidden
from coordination.graphql.types.programme import (
    Cohort,
    CohortFeedback,
    CohortParticipant,
    Programme,
)
from coordination.privacy.opened import FieldAt, open_fields
from coordination.projections.queries import programmes as views

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class ProgrammeQueries:
    @strawberry.field(
        description="Training programmes, in the order launched, with their cohorts' funnels"
        " and the feedback → curriculum trace.",
        metadata=READS_VIEWS,
    )
    async def programmes(
        self, info: Info, partnership_id: UUID | None = None
    ) -> list[Programme] | None:
        await info.context.visibility.require_partnership("training programmes")
        rows = await views.list_programmes(info.context.services.db, partnership_id=partnership_id)
        return [Programme.from_row(row) for row in rows]

    @strawberry.field(description="One training programme by its id.", metadata=READS_VIEWS)
    async def programme(self, info: Info, uuid: UUID) -> Programme | None:
        await info.context.visibility.require_partnership("training programmes")
        row = await views.get_programme(info.context.services.db, uuid)
        return Programme.from_row(row) if row else None

    @strawberry.field(description="One cohort by its id, with its funnel.", metadata=READS_VIEWS)
    async def cohort(self, info: Info, uuid: UUID) -> Cohort | None:
        await info.context.visibility.require_partnership("training programmes")
        rows = await views.cohorts(info.context.services.db, cohort_id=uuid)
        return Cohort.from_row(rows[0]) if rows else None

    @strawberry.field(
        description="A cohort's participants by pseudonymous id, in the order enrolled. The"
        " secretariat, auditors and the provider's representatives read them; names and"
        " contacts are opened for the secretariat and the provider's representatives only.",
        metadata=READS_LIVE,
    )
    async def cohort_participants(
        self, info: Info, cohort_id: UUID
    ) -> list[CohortParticipant] | None:
        context = info.context
        names_shown = await _personal_fields_shown(info, cohort_id, "a cohort's participants")
        if names_shown is None:
            return None
        rows = await views.participants(context.services.db, cohort_id)
        app = context.services.app
        keys = app.subject_keys
        wanted = [
            FieldAt(cohort_id, row.enrolled_version, field)
            for row in rows
            for field in ("name", "contact")
        ]
        opened = await asyncio.to_thread(open_fields, app, keys, wanted if names_shown else [])
        held = await asyncio.to_thread(keys.keys_of, [row.participant_id for row in rows])
        return [
            CohortParticipant(
                participant_id=row.participant_id,
                organisation_id=row.organisation_id,
                status=ParticipantStatus(row.status),
                sessions_attended=row.sessions_attended,
                outcomes=[FollowUpOutcome(kind) for kind in row.outcomes],
                erased=row.participant_id not in held,
                names_shown=names_shown,
                opened_name=opened.get(FieldAt(cohort_id, row.enrolled_version, "name")),
                opened_contact=opened.get(FieldAt(cohort_id, row.enrolled_version, "contact")),
            )
            for row in rows
        ]

    @strawberry.field(
        description="A cohort's feedback, in the order given, with its answers. The"
        " secretariat, auditors and the provider's representatives read it; the"
        " participants' words are opened for the secretariat and the provider's"
        " representatives only.",
        metadata=READS_LIVE,
    )
    async def cohort_feedback(self, info: Info, cohort_id: UUID) -> list[CohortFeedback] | None:
        context = info.context
        words_shown = await _personal_fields_shown(info, cohort_id, "a cohort's feedback")
        if words_shown is None:
            return None
        rows = await views.feedback_trace(context.services.db, cohort_id=cohort_id)
        app = context.services.app
        keys = app.subject_keys
        wanted = [FieldAt(cohort_id, row.given_version, "text") for row in rows]
        opened = await asyncio.to_thread(open_fields, app, keys, wanted if words_shown else [])
        held = await asyncio.to_thread(keys.keys_of, [row.participant_id for row in rows])
        return [
            CohortFeedback(
                uuid=row.id,
                participant_id=row.participant_id,
                kind=FeedbackKind(row.kind),
                given_at=row.given_at,
                answered=row.answered,
                accepted=row.accepted,
                answer=row.answer,
                curriculum_version=row.curriculum_version,
                erased=row.participant_id not in held,
                words_shown=words_shown,
                opened_text=opened.get(FieldAt(cohort_id, row.given_version, "text")),
            )
            for row in rows
        ]


async def _personal_fields_shown(info: Info, cohort_id: UUID, what: str) -> bool | None:
    """Whether the caller sees the personal fields of the cohort's participants (None: no
    such cohort): the secretariat and the provider's representatives do; auditors read
    the rest without them; anyone else is refused.

    Raises:
        GraphQLError: UNAUTHENTICATED or FORBIDDEN for callers who may not read `what`.
    """
    context = info.context
    visibility = context.visibility
    await visibility.require_partnership(what)
    found = await views.cohorts(context.services.db, cohort_id=cohort_id)
    if not found:
        return None
    scope = await visibility.forum_scope()
    provides = scope is not None and scope.member == found[0].provider_id
    if not (provides or context.principal.reads_everything):
        raise forbidden(
            f"only the secretariat, auditors and the provider's representatives read {what}"
        )
    return provides or context.principal.role is Role.ADMIN
