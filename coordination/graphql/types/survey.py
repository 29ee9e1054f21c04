"""The `MappingSurvey` node: a survey's progress and, once published, its findings."""

from __future__ import annotations

from uuid import UUID

import strawberry

from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import FindingsGrouping, MemberKind, SurveyStatus
from coordination.graphql.relay import Node, global_id
from coordination.projections.queries import surveys as views

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type(
    description="One published figure: a cell of organisations (never fewer than the"
    " survey's minimum) and its value: the sum of a number question, the yes of a yes/no one."
)
class Finding:
    region: str | None = strawberry.field(description="None when not grouped by region.")
    kind: MemberKind | None = strawberry.field(description="None when not grouped by kind.")
    question: str
    organisations: int
    value: int


async def cells(info: Info, survey_id: UUID) -> list[Finding]:
    """The survey's published cells, as the findings' event gave them."""
    return [
        Finding(
            region=c.region,
            kind=MemberKind(c.kind) if c.kind else None,
            question=c.question,
            organisations=c.organisations,
            value=c.value,
        )
        for c in await views.findings(info.context.services.db, survey_id)
    ]


@strawberry.type(
    description="A survey's published findings: public, as their event is; every cell"
    " describes at least the survey's minimum of organisations."
)
class PublishedFindings:
    survey_id: UUID
    grouping: FindingsGrouping
    minimum_cell_size: int

    @strawberry.field(description="The published figures, in the order published.")
    async def findings(self, info: Info) -> list[Finding]:
        return await cells(info, self.survey_id)


@strawberry.type(description="A mapping survey and how far its responses have come.")
class MappingSurvey(Node):
    partnership_id: UUID
    title: str
    status: SurveyStatus
    minimum_cell_size: int
    versions: int = strawberry.field(description="Versions of the questionnaire designed.")
    published_version: int | None
    grouping: FindingsGrouping | None
    invited: int
    awaiting_response: int = strawberry.field(description="Invited, not responded yet.")
    pending: int = strawberry.field(description="Responses waiting for validation.")
    validated: int
    rejected: int

    @strawberry.field(description="The published findings; empty until they are published.")
    async def findings(self, info: Info) -> list[Finding]:
        return await cells(info, self.uuid)

    @classmethod
    def from_row(cls, row: views.SurveyView) -> MappingSurvey:
        return cls(
            id=global_id("MappingSurvey", row.id),
            uuid=row.id,
            partnership_id=row.partnership_id,
            title=row.title,
            status=SurveyStatus(row.status),
            minimum_cell_size=row.minimum_cell_size,
            versions=row.versions,
            published_version=row.published_version,
            grouping=FindingsGrouping(row.grouping) if row.grouping else None,
            invited=row.invited,
            awaiting_response=row.awaiting_response,
            pending=row.pending,
            validated=row.validated,
            rejected=row.rejected,
        )
