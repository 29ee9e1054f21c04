"""Forum rows to their GraphQL type: a Partnership or a WorkingGroup."""

from __future__ import annotations

from uuid import UUID

import strawberry

from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import ForumKind
from coordination.graphql.forum_access import load_forum_row
from coordination.graphql.types.forum import Forum
from coordination.graphql.types.partnership import Partnership
from coordination.graphql.types.working_group import WorkingGroup
from coordination.projections.queries import forums as views

Info = strawberry.Info[GraphQLContext, None]


def forum_from_row(row: views.Forum) -> Forum:
    if row.kind == ForumKind.PARTNERSHIP.value:
        return Partnership.from_row(row)
    return WorkingGroup.from_row(row)


async def load_forum(info: Info, forum_id: UUID) -> Forum | None:
    """The forum, when the caller may read it (partnerships are public, groups are not)."""
    row = await load_forum_row(info, forum_id)
    if row is None:
        return None
    if (
        row.kind != ForumKind.PARTNERSHIP.value
        and not await info.context.visibility.reads_partnership()
    ):
        return None
    return forum_from_row(row)
