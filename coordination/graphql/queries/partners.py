"""The partner registry (B8): the cooperation agreement's parties and partners, with
their keys. Its events are `transnational`: signed-in callers of the partnership read it.

Answered afresh every time (`READS_LIVE`): each partner's `sync` reads the synced logs'
state, which moves with every page stored and every failed step while the views'
position, the result cache's key, stays where it was (decision 9)."""

from __future__ import annotations

import strawberry

from coordination.graphql.cacheability import READS_LIVE
from coordination.graphql.context import GraphQLContext
from coordination.graphql.errors import bad_input
from coordination.graphql.types.partner import Partner
from coordination.projections.queries import partners as views

Info = strawberry.Info[GraphQLContext, None]
ORIGIN_MAX = 200


@strawberry.type
class PartnerQueries:
    @strawberry.field(
        description="The cooperation agreement's partner partnerships, by origin, with their"
        " keys; `origin` keeps one (signed-in callers).",
        metadata=READS_LIVE,
    )
    async def partners(self, info: Info, origin: str | None = None) -> list[Partner] | None:
        await info.context.visibility.require_partnership("the partner registry")
        if origin is not None and len(origin) > ORIGIN_MAX:
            raise bad_input(f"an origin has at most {ORIGIN_MAX} characters", "origin")
        rows = await views.list_partners(info.context.services.db, origin=origin)
        return [Partner.from_row(row) for row in rows]
