"""The `Proxy` type: who takes an organisation's position on one called decision."""

from __future__ import annotations

from uuid import UUID

import strawberry

from coordination.graphql.context import GraphQLContext
from coordination.graphql.types.organisation import Organisation, load_organisation
from coordination.projections.queries import decisions as views

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type(
    description="A member's proxy for the decision's current call: a representative of"
    " another member takes its position. A new call starts without proxies."
)
class Proxy:
    decision_id: UUID
    organisation_id: UUID = strawberry.field(description="The member that granted the proxy.")
    proxy_person_id: UUID = strawberry.field(description="The person who holds the proxy.")
    proxy_organisation_id: UUID = strawberry.field(
        description="The member the proxy holder represents."
    )

    @strawberry.field(description="The member that granted the proxy.")
    async def organisation(self, info: Info) -> Organisation | None:
        return await load_organisation(info, self.organisation_id)

    @strawberry.field(description="The member the proxy holder represents.")
    async def proxy_organisation(self, info: Info) -> Organisation | None:
        return await load_organisation(info, self.proxy_organisation_id)

    @classmethod
    def from_row(cls, row: views.ProxyView) -> Proxy:
        return cls(
            decision_id=row.decision_id,
            organisation_id=row.organisation_id,
            proxy_person_id=row.proxy_person_id,
            proxy_organisation_id=row.proxy_organisation_id,
        )
