"""The `Position` type: one organisation's counted position on a decision."""

from __future__ import annotations

from uuid import UUID

import strawberry

from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import PositionKind
from coordination.graphql.types.organisation import Organisation, load_organisation
from coordination.projections.queries import decisions as views

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type(
    description="An organisation's position (one per organisation); a withdrawn"
    " organisation's is listed but not counted."
)
class Position:
    decision_id: UUID
    organisation_id: UUID
    position: PositionKind
    reason: str | None
    revision: int = strawberry.field(description="The proposal's revision it was taken on.")
    by_proxy: bool
    flagged: bool = strawberry.field(
        description="Taken on an earlier revision of the proposal than the current one."
    )
    counted: bool = strawberry.field(
        description="Whether it counts in the tally: not once the organisation has withdrawn"
        " from the partnership (for a closed decision: withdrawn by its closing)."
    )
    not_counted_reason: str | None = strawberry.field(
        description="Why it does not count, when it does not."
    )

    @strawberry.field(description="The organisation that took the position.")
    async def organisation(self, info: Info) -> Organisation | None:
        return await load_organisation(info, self.organisation_id)

    @classmethod
    def from_row(cls, row: views.PositionView) -> Position:
        return cls(
            decision_id=row.decision_id,
            organisation_id=row.organisation_id,
            position=PositionKind(row.position),
            reason=row.reason,
            revision=row.revision,
            by_proxy=row.by_proxy,
            flagged=row.flagged,
            counted=row.counted,
            not_counted_reason=row.not_counted_reason,
        )
