"""Queries over the decisions view: the list with its filters, and one decision."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from coordination.graphql.cacheability import READS_VIEWS
from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import DecisionStatus, ForumKind
from coordination.graphql.forum_access import require_forum_of
from coordination.graphql.moments import aware
from coordination.graphql.relay import DEFAULT_PAGE, Connection, check_first, connection, fetch_page
from coordination.graphql.types.decision import Decision
from coordination.projections.queries import decisions as views

Info = strawberry.Info[GraphQLContext, None]


@strawberry.input(description="Which decisions to list; every field narrows the list.")
class DecisionFilter:
    partnership_id: UUID | None = None
    forum_id: UUID | None = strawberry.field(
        default=None, description="The partnership's id, or a working group's."
    )
    theme_id: UUID | None = None
    status: list[DecisionStatus] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    in_force: bool | None = None
    organisation_id: UUID | None = strawberry.field(
        default=None, description="Decisions this organisation took a position on."
    )
    tabled_from: datetime | None = strawberry.field(default=None, description="Inclusive.")
    tabled_before: datetime | None = strawberry.field(default=None, description="Exclusive.")


async def decisions_page(
    info: Info, where: DecisionFilter | None, first: int, after: str | None
) -> Connection[Decision]:
    """A page of decisions the caller may read.

    A working group's decisions are read by its members only; asking for a group the
    caller does not belong to is refused, and lists across forums leave them out in the
    query itself, so a page holds `first` readable decisions when that many exist.
    """
    visibility = info.context.visibility
    await visibility.require_partnership("decisions")
    check_first(first)
    where = where or DecisionFilter()
    if where.forum_id is not None:
        await require_forum_of(info, where.forum_id)
    readable = await visibility.forum_scope()
    page = await fetch_page(
        lambda: views.list_decisions(
            info.context.services.db,
            partnership_id=where.partnership_id,
            forum_id=where.forum_id,
            theme_id=where.theme_id,
            status=[status.value for status in where.status] if where.status else None,
            in_force=where.in_force,
            organisation_id=where.organisation_id,
            tabled_from=aware(where.tabled_from, "tabledFrom"),
            tabled_before=aware(where.tabled_before, "tabledBefore"),
            readable=readable,
            first=first,
            after=after,
        )
    )
    return connection(page, Decision.from_row)


async def decision_by_id(info: Info, decision_id: UUID) -> Decision | None:
    """One decision, or None when it does not exist or the caller may not read it."""
    visibility = info.context.visibility
    await visibility.require_partnership("decisions")
    row = await views.get_decision(info.context.services.db, decision_id)
    if row is None:
        return None
    if row.forum_kind != ForumKind.PARTNERSHIP.value and not await visibility.sees_forum(
        row.forum_id
    ):
        return None
    return Decision.from_row(row)


@strawberry.type
class DecisionQueries:
    @strawberry.field(
        description="Decisions, open, in force or superseded, by filter.", metadata=READS_VIEWS
    )
    async def decisions(
        self,
        info: Info,
        where: DecisionFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Decision] | None:
        return await decisions_page(info, where, first, after)

    @strawberry.field(description="One decision by its plain id.", metadata=READS_VIEWS)
    async def decision(self, info: Info, uuid: UUID) -> Decision | None:
        return await decision_by_id(info, uuid)
