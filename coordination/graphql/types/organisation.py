"""The `Organisation` node: a member organisation of the partnership (public)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import MemberKind
from coordination.graphql.loaders import memoised
from coordination.graphql.relay import Node, global_id
from coordination.projections.queries import forums as views
from coordination.projections.queries import participation as participation_views

if TYPE_CHECKING:
    from coordination.graphql.types.participation import Participation

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type(description="A member organisation: one organisation, one equal voice.")
class Organisation(Node):
    partnership_id: UUID
    name: str
    kind: MemberKind
    admitted_on: date
    withdrawn_on: date | None
    withdrawal_reason: str | None

    @strawberry.field(description="How the organisation takes part (signed-in callers).")
    async def participation(
        self, info: Info
    ) -> (
        Annotated[Participation, strawberry.lazy("coordination.graphql.types.participation")] | None
    ):
        from coordination.graphql.types.participation import Participation

        await info.context.visibility.require_partnership("participation")
        row = await participation_views.get_participation(info.context.services.db, self.uuid)
        return Participation.from_row(row) if row is not None else None

    @classmethod
    def from_row(cls, row: views.Organisation) -> Organisation:
        return cls(
            id=global_id("Organisation", row.id),
            uuid=row.id,
            partnership_id=row.partnership_id,
            name=row.name,
            kind=MemberKind(row.kind),
            admitted_on=row.admitted_on,
            withdrawn_on=row.withdrawn_on,
            withdrawal_reason=row.withdrawal_reason,
        )


async def load_organisation(info: Info, org_id: UUID) -> Organisation | None:
    """The organisation, read once per request."""

    async def load() -> Organisation | None:
        row = await views.get_organisation(info.context.services.db, org_id)
        return Organisation.from_row(row) if row is not None else None

    return await memoised(info, "organisation", org_id, load)
