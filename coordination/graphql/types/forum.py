"""The `Forum` interface: where decisions are taken (the partnership or a working group)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import ForumKind, ForumStatus
from coordination.graphql.relay import (
    DEFAULT_PAGE,
    Connection,
    Node,
    check_first,
    connection,
    fetch_page,
)
from coordination.graphql.types.forum_member import ForumMember
from coordination.projections.queries import forums as views

Info = strawberry.Info[GraphQLContext, None]


@strawberry.interface(description="A forum: the partnership itself or one of its working groups.")
class Forum(Node):
    kind: ForumKind
    name: str
    status: ForumStatus
    created_at: datetime
    member_count: int = strawberry.field(description="Current member organisations.")

    @strawberry.field(description="The forum's member organisations (current, or all).")
    async def members(
        self,
        info: Info,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
        include_former: bool = False,
    ) -> Connection[ForumMember] | None:
        if self.kind is ForumKind.WORKING_GROUP:
            await info.context.visibility.require_forum(self.uuid)
        check_first(first)
        page = await fetch_page(
            lambda: views.list_forum_members(
                info.context.services.db,
                self.uuid,
                include_former=include_former,
                first=first,
                after=after,
            )
        )
        return connection(page, ForumMember.from_row)
