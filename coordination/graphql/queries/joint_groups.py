"""The joint working groups (B8), merged from the verified logs of every node: the group
and its decision from its lead's log, each position from its member's own log. Read by
signed-in callers of the partnership; answered afresh (the merged view follows the
signed logs, not the projector)."""

from __future__ import annotations

from uuid import UUID

import strawberry

from coordination.graphql.cacheability import READS_LIVE
from coordination.graphql.context import GraphQLContext
from coordination.graphql.signed_log import log_unavailable
from coordination.graphql.types.joint_group import JointGroup
from coordination.projections.joint_view import JointView
from coordination.projections.queries import joint_groups as views

Info = strawberry.Info[GraphQLContext, None]


async def _view(info: Info) -> JointView:
    await info.context.visibility.require_partnership("the joint working groups")
    view = info.context.services.joint_view
    if view is None:
        raise log_unavailable()
    return view


@strawberry.type
class JointGroupQueries:
    @strawberry.field(
        description="Every joint working group this node holds verified entries of, by name:"
        " each the same on every node that holds the same logs (signed-in callers).",
        metadata=READS_LIVE,
    )
    async def joint_groups(self, info: Info) -> list[JointGroup] | None:
        return [JointGroup.from_view(g) for g in await views.joint_groups(await _view(info))]

    @strawberry.field(
        description="One joint working group by its id (the same on every node); null when"
        " this node holds no verified entry establishing it.",
        metadata=READS_LIVE,
    )
    async def joint_group(self, info: Info, uuid: UUID) -> JointGroup | None:
        found = await views.joint_group(await _view(info), uuid)
        return None if found is None else JointGroup.from_view(found)
