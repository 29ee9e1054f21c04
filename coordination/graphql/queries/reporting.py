"""Queries over the partnership's reporting: social-accounting cycles, mapping surveys and
the dissemination record per member organisation (B6, B7, B9).

All of it is the partnership's business: signed-in callers with standing read it, as
they read the action tracker; except a survey's published findings, whose event is
public, which everyone reads (anonymous callers too, where the node serves them).
"""

from __future__ import annotations

from uuid import UUID

import strawberry

from coordination.domain.mapping_survey import FINDINGS_AUDIENCE
from coordination.domain.survey_parts import SurveyStatus
from coordination.graphql.cacheability import READS_VIEWS
from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import CycleStage, FindingsGrouping
from coordination.graphql.errors import forbidden
from coordination.graphql.relay import DEFAULT_PAGE, Connection, check_first, connection, fetch_page
from coordination.graphql.types.accounting_cycle import AccountingCycle
from coordination.graphql.types.dissemination import (
    DisseminationActivity,
    DisseminationOutcome,
    DisseminationRecord,
)
from coordination.graphql.types.survey import MappingSurvey, PublishedFindings
from coordination.projections.queries import accounting_cycles, dissemination, surveys

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class ReportingQueries:
    @strawberry.field(
        description="Social-accounting cycles by organisation and period: their status.",
        metadata=READS_VIEWS,
    )
    async def accounting_cycles(
        self,
        info: Info,
        partnership_id: UUID | None = None,
        organisation_id: UUID | None = None,
        stage: CycleStage | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[AccountingCycle] | None:
        await info.context.visibility.require_partnership("social-accounting cycles")
        check_first(first)
        page = await fetch_page(
            lambda: accounting_cycles.list_cycles(
                info.context.services.db,
                partnership_id=partnership_id,
                organisation_id=organisation_id,
                stage=stage.value if stage else None,
                first=first,
                after=after,
            )
        )
        return connection(page, AccountingCycle.from_row)

    @strawberry.field(description="One social-accounting cycle by its id.", metadata=READS_VIEWS)
    async def accounting_cycle(self, info: Info, uuid: UUID) -> AccountingCycle | None:
        await info.context.visibility.require_partnership("social-accounting cycles")
        row = await accounting_cycles.get_cycle(info.context.services.db, uuid)
        return AccountingCycle.from_row(row) if row else None

    @strawberry.field(description="Mapping surveys with their progress.", metadata=READS_VIEWS)
    async def mapping_surveys(
        self, info: Info, partnership_id: UUID | None = None
    ) -> list[MappingSurvey] | None:
        await info.context.visibility.require_partnership("mapping surveys")
        rows = await surveys.list_surveys(info.context.services.db, partnership_id)
        return [MappingSurvey.from_row(row) for row in rows]

    @strawberry.field(
        description="One mapping survey by its id, with its findings.", metadata=READS_VIEWS
    )
    async def mapping_survey(self, info: Info, uuid: UUID) -> MappingSurvey | None:
        await info.context.visibility.require_partnership("mapping surveys")
        row = await surveys.get_survey(info.context.services.db, uuid)
        return MappingSurvey.from_row(row) if row else None

    @strawberry.field(
        description="A survey's published findings, read by everyone the findings' event is"
        " shown to (it is public); null until they are published.",
        metadata=READS_VIEWS,
    )
    async def survey_findings(self, info: Info, survey_id: UUID) -> PublishedFindings | None:
        # Shown as the findings' event is: should its audience ever narrow, so does this.
        if not await info.context.visibility.sees_audience(FINDINGS_AUDIENCE.value):
            raise forbidden("the findings of this survey are not shown to this caller")
        row = await surveys.get_survey(info.context.services.db, survey_id)
        if row is None or row.status != SurveyStatus.FINDINGS_PUBLISHED or row.grouping is None:
            return None
        return PublishedFindings(
            survey_id=row.id,
            grouping=FindingsGrouping(row.grouping),
            minimum_cell_size=row.minimum_cell_size,
        )

    @strawberry.field(
        description="A member organisation's dissemination record.", metadata=READS_VIEWS
    )
    async def dissemination_record(
        self, info: Info, organisation_id: UUID
    ) -> DisseminationRecord | None:
        await info.context.visibility.require_partnership("the dissemination record")
        db = info.context.services.db
        activities = await dissemination.activities(db, responsible_id=organisation_id)
        outcomes = await dissemination.outcomes(db, organisation_id=organisation_id)
        return DisseminationRecord(
            organisation_id=organisation_id,
            activities=[DisseminationActivity.from_row(row) for row in activities],
            outcomes=[DisseminationOutcome.from_row(row) for row in outcomes],
        )
