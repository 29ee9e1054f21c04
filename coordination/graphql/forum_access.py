"""Forum rows read once per request, and the check before reading inside a working group."""

from __future__ import annotations

from uuid import UUID

import strawberry

from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import ForumKind
from coordination.graphql.loaders import memoised
from coordination.projections.queries import forums as views

Info = strawberry.Info[GraphQLContext, None]


async def load_forum_row(info: Info, forum_id: UUID) -> views.Forum | None:
    """The forum's view row, read once per request."""

    async def load() -> views.Forum | None:
        return await views.get_forum(info.context.services.db, forum_id)

    return await memoised(info, "forum", forum_id, load)


async def require_forum_of(info: Info, forum_id: UUID) -> None:
    """Refuse reading inside a working group the caller does not belong to.

    A forum the views do not know (yet) is treated as a working group: only those who
    read everything, or whose token names it, may ask about it.
    """
    row = await load_forum_row(info, forum_id)
    if row is None or row.kind == ForumKind.WORKING_GROUP.value:
        await info.context.visibility.require_forum(forum_id)
