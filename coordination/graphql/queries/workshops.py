"""Queries over the workshop calendar: the list with its filters, and one workshop."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from coordination.graphql.cacheability import READS_VIEWS
from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import WorkshopStatus
from coordination.graphql.moments import aware
from coordination.graphql.relay import DEFAULT_PAGE, Connection, check_first, connection, fetch_page
from coordination.graphql.types.workshop import Workshop
from coordination.projections.queries import workshops as views

Info = strawberry.Info[GraphQLContext, None]


@strawberry.input(description="Which workshops to list; every field narrows the list.")
class WorkshopFilter:
    partnership_id: UUID | None = None
    theme_id: UUID | None = None
    status: WorkshopStatus | None = None
    group_id: UUID | None = strawberry.field(
        default=None, description="Organised by this working group."
    )
    organisation_id: UUID | None = strawberry.field(
        default=None, description="This organisation has an active registration."
    )
    starts_from: datetime | None = strawberry.field(default=None, description="Inclusive.")
    starts_before: datetime | None = strawberry.field(default=None, description="Exclusive.")


async def workshops_page(
    info: Info, where: WorkshopFilter | None, first: int, after: str | None
) -> Connection[Workshop]:
    """A page of the workshop calendar (signed-in callers)."""
    await info.context.visibility.require_partnership("workshops")
    check_first(first)
    where = where or WorkshopFilter()
    page = await fetch_page(
        lambda: views.list_workshops(
            info.context.services.db,
            partnership_id=where.partnership_id,
            theme_id=where.theme_id,
            status=where.status.value if where.status else None,
            group_id=where.group_id,
            organisation_id=where.organisation_id,
            starts_from=aware(where.starts_from, "startsFrom"),
            starts_before=aware(where.starts_before, "startsBefore"),
            first=first,
            after=after,
        )
    )
    return connection(page, Workshop.from_row)


async def workshop_by_id(info: Info, workshop_id: UUID) -> Workshop | None:
    await info.context.visibility.require_partnership("workshops")
    row = await views.get_workshop(info.context.services.db, workshop_id)
    return Workshop.from_row(row) if row is not None else None


@strawberry.type
class WorkshopQueries:
    @strawberry.field(description="The workshop calendar, by filter.", metadata=READS_VIEWS)
    async def workshops(
        self,
        info: Info,
        where: WorkshopFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Workshop] | None:
        return await workshops_page(info, where, first, after)

    @strawberry.field(description="One workshop by its plain id.", metadata=READS_VIEWS)
    async def workshop(self, info: Info, uuid: UUID) -> Workshop | None:
        return await workshop_by_id(info, uuid)
