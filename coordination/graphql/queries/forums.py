"""Queries over forums (the partnership and its working groups) and `node(id:)`."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from coordination.graphql.cacheability import READS_VIEWS
from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import ForumKind, ForumStatus
from coordination.graphql.queries.actions import action_by_id
from coordination.graphql.queries.decisions import decision_by_id
from coordination.graphql.queries.workshops import workshop_by_id
from coordination.graphql.relay import (
    DEFAULT_PAGE,
    Connection,
    Node,
    check_first,
    connection,
    fetch_page,
    parse_global_id,
)
from coordination.graphql.types.forum import Forum
from coordination.graphql.types.forums import forum_from_row, load_forum
from coordination.graphql.types.organisation import load_organisation
from coordination.graphql.types.partnership import Partnership
from coordination.graphql.types.working_group import WorkingGroup
from coordination.projections.queries import forums as views

Info = strawberry.Info[GraphQLContext, None]


async def forums_page(
    info: Info,
    *,
    partnership_id: UUID | None,
    kind: ForumKind | None,
    theme_id: UUID | None,
    status: ForumStatus | None,
    member_id: UUID | None,
    first: int,
    after: str | None,
) -> Connection[Forum]:
    """Forums; anonymous callers see partnerships only (working groups are not public)."""
    check_first(first)
    visibility = info.context.visibility
    if kind is ForumKind.WORKING_GROUP:
        await visibility.require_partnership("working groups")
    if not await visibility.reads_partnership():
        kind = ForumKind.PARTNERSHIP
    page = await fetch_page(
        lambda: views.list_forums(
            info.context.services.db,
            partnership_id=partnership_id,
            kind=kind.value if kind else None,
            theme_id=theme_id,
            status=status.value if status else None,
            member_id=member_id,
            first=first,
            after=after,
        )
    )
    return connection(page, forum_from_row)


async def node_by_id(info: Info, node_id: str) -> Node | None:
    """The node a global id names, or None when it is gone or hidden from the caller; a
    caller who must sign in to read its kind at all is told so, as its own query does."""
    type_name, uuid = parse_global_id(node_id)
    if type_name == "WorkingGroup":
        await info.context.visibility.require_partnership("working groups")
    if type_name in {"Partnership", "WorkingGroup"}:
        forum = await load_forum(info, uuid)
        return forum if forum is not None and type(forum).__name__ == type_name else None
    if type_name == "Organisation":
        return await load_organisation(info, uuid)
    if type_name == "Decision":
        return await decision_by_id(info, uuid)
    if type_name == "Action":
        return await action_by_id(info, uuid)
    if type_name == "Workshop":
        return await workshop_by_id(info, uuid)
    return None


@strawberry.type
class ForumQueries:
    @strawberry.field(description="Any node by its global id (Relay).", metadata=READS_VIEWS)
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await node_by_id(info, id)

    @strawberry.field(
        description="Forums: the partnership and its working groups.", metadata=READS_VIEWS
    )
    async def forums(
        self,
        info: Info,
        partnership_id: UUID | None = None,
        kind: ForumKind | None = None,
        theme_id: UUID | None = None,
        status: ForumStatus | None = None,
        member_id: Annotated[
            UUID | None,
            strawberry.argument(description="Forums this organisation is an active member of."),
        ] = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Forum] | None:
        return await forums_page(
            info,
            partnership_id=partnership_id,
            kind=kind,
            theme_id=theme_id,
            status=status,
            member_id=member_id,
            first=first,
            after=after,
        )

    @strawberry.field(description="One partnership by its plain id (public).", metadata=READS_VIEWS)
    async def partnership(self, info: Info, uuid: UUID) -> Partnership | None:
        forum = await load_forum(info, uuid)
        return forum if isinstance(forum, Partnership) else None

    @strawberry.field(
        description="One working group by its plain id (signed-in callers).", metadata=READS_VIEWS
    )
    async def working_group(self, info: Info, uuid: UUID) -> WorkingGroup | None:
        await info.context.visibility.require_partnership("working groups")
        forum = await load_forum(info, uuid)
        return forum if isinstance(forum, WorkingGroup) else None
