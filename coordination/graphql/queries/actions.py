"""Queries over the action tracker: the list with its filters, and one action."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import strawberry

from coordination.graphql.cacheability import READS_VIEWS
from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import ActionStatus
from coordination.graphql.relay import DEFAULT_PAGE, Connection, check_first, connection, fetch_page
from coordination.graphql.types.action import Action
from coordination.projections.queries import actions as views

Info = strawberry.Info[GraphQLContext, None]


@strawberry.input(description="Which actions to list; every field narrows the list.")
class ActionFilter:
    partnership_id: UUID | None = None
    owner_id: UUID | None = strawberry.field(default=None, description="The owning organisation.")
    group_id: UUID | None = None
    theme_id: UUID | None = None
    status: ActionStatus | None = None
    overdue: bool | None = strawberry.field(
        default=None, description="Open and past due (today, UTC)."
    )
    due_from: date | None = strawberry.field(default=None, description="Inclusive.")
    due_before: date | None = strawberry.field(default=None, description="Exclusive.")


async def actions_page(
    info: Info, where: ActionFilter | None, first: int, after: str | None
) -> Connection[Action]:
    """A page of actions the caller may read (a group's actions: its members only)."""
    visibility = info.context.visibility
    await visibility.require_partnership("actions")
    check_first(first)
    where = where or ActionFilter()
    if where.group_id is not None:
        await visibility.require_forum(where.group_id)
    readable = await visibility.forum_scope()
    page = await fetch_page(
        lambda: views.list_actions(
            info.context.services.db,
            today=info.context.today,
            partnership_id=where.partnership_id,
            owner_id=where.owner_id,
            group_id=where.group_id,
            theme_id=where.theme_id,
            status=where.status.value if where.status else None,
            overdue=where.overdue,
            due_from=where.due_from,
            due_before=where.due_before,
            readable=readable,
            first=first,
            after=after,
        )
    )
    return connection(page, Action.from_row)


async def action_by_id(info: Info, action_id: UUID) -> Action | None:
    """One action, or None when it does not exist or the caller may not read it."""
    visibility = info.context.visibility
    await visibility.require_partnership("actions")
    row = await views.get_action(info.context.services.db, action_id, today=info.context.today)
    if row is None or not await visibility.sees_forum(row.group_id):
        return None
    return Action.from_row(row)


@strawberry.type
class ActionQueries:
    @strawberry.field(description="The action tracker, by filter.", metadata=READS_VIEWS)
    async def actions(
        self,
        info: Info,
        where: ActionFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Action] | None:
        return await actions_page(info, where, first, after)

    @strawberry.field(description="One action by its plain id.", metadata=READS_VIEWS)
    async def action(self, info: Info, uuid: UUID) -> Action | None:
        return await action_by_id(info, uuid)
