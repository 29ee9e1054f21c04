"""Queries over the partnership's registry: organisations, themes, mandates, participation.

Organisations and themes are public (their events have the `public` audience); mandates
and participation are for signed-in callers.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import strawberry

from coordination.graphql.cacheability import READS_VIEWS
from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import MemberKind
from coordination.graphql.relay import DEFAULT_PAGE, Connection, check_first, connection, fetch_page
from coordination.graphql.types.mandate import Mandate
from coordination.graphql.types.organisation import Organisation, load_organisation
from coordination.graphql.types.participation import Participation
from coordination.graphql.types.theme import Theme
from coordination.projections.queries import forums as views
from coordination.projections.queries import participation as participation_views

Info = strawberry.Info[GraphQLContext, None]


async def organisations_page(
    info: Info,
    *,
    partnership_id: UUID | None,
    kind: MemberKind | None,
    include_withdrawn: bool,
    first: int,
    after: str | None,
) -> Connection[Organisation]:
    check_first(first)
    page = await fetch_page(
        lambda: views.list_organisations(
            info.context.services.db,
            partnership_id=partnership_id,
            kind=kind.value if kind else None,
            include_withdrawn=include_withdrawn,
            first=first,
            after=after,
        )
    )
    return connection(page, Organisation.from_row)


async def themes_page(
    info: Info,
    *,
    partnership_id: UUID | None,
    include_archived: bool,
    first: int,
    after: str | None,
) -> Connection[Theme]:
    check_first(first)
    page = await fetch_page(
        lambda: views.list_themes(
            info.context.services.db,
            partnership_id=partnership_id,
            include_archived=include_archived,
            first=first,
            after=after,
        )
    )
    return connection(page, Theme.from_row)


async def representatives_page(
    info: Info,
    *,
    partnership_id: UUID | None,
    organisation_id: UUID | None,
    person_id: UUID | None,
    on: date | None,
    first: int,
    after: str | None,
) -> Connection[Mandate]:
    await info.context.visibility.require_partnership("mandates")
    check_first(first)
    page = await fetch_page(
        lambda: views.list_representatives(
            info.context.services.db,
            partnership_id=partnership_id,
            organisation_id=organisation_id,
            person_id=person_id,
            on=on,
            first=first,
            after=after,
        )
    )
    return connection(page, Mandate.from_row)


@strawberry.type
class RegistryQueries:
    @strawberry.field(description="Member organisations (public).", metadata=READS_VIEWS)
    async def organisations(
        self,
        info: Info,
        partnership_id: UUID | None = None,
        kind: MemberKind | None = None,
        include_withdrawn: bool = False,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Organisation]:
        return await organisations_page(
            info,
            partnership_id=partnership_id,
            kind=kind,
            include_withdrawn=include_withdrawn,
            first=first,
            after=after,
        )

    @strawberry.field(
        description="One member organisation by its plain id (public).", metadata=READS_VIEWS
    )
    async def organisation(self, info: Info, uuid: UUID) -> Organisation | None:
        return await load_organisation(info, uuid)

    @strawberry.field(description="Themes of the partnership (public).", metadata=READS_VIEWS)
    async def themes(
        self,
        info: Info,
        partnership_id: UUID | None = None,
        include_archived: bool = False,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Theme]:
        return await themes_page(
            info,
            partnership_id=partnership_id,
            include_archived=include_archived,
            first=first,
            after=after,
        )

    @strawberry.field(
        description="Representatives' mandates; `on` keeps those covering a day.",
        metadata=READS_VIEWS,
    )
    async def representatives(
        self,
        info: Info,
        partnership_id: UUID | None = None,
        organisation_id: UUID | None = None,
        person_id: UUID | None = None,
        on: date | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Mandate] | None:
        return await representatives_page(
            info,
            partnership_id=partnership_id,
            organisation_id=organisation_id,
            person_id=person_id,
            on=on,
            first=first,
            after=after,
        )

    @strawberry.field(
        description="How each member organisation takes part (signed-in callers).",
        metadata=READS_VIEWS,
    )
    async def participation(
        self,
        info: Info,
        partnership_id: UUID | None = None,
        kind: MemberKind | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Participation] | None:
        await info.context.visibility.require_partnership("participation")
        check_first(first)
        page = await fetch_page(
            lambda: participation_views.list_participation(
                info.context.services.db,
                partnership_id=partnership_id,
                kind=kind.value if kind else None,
                first=first,
                after=after,
            )
        )
        return connection(page, Participation.from_row)
