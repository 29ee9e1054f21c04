"""The `Partnership` node: the development partnership, a forum, with its registry and work."""

from __future__ import annotations

import dataclasses
from datetime import date
from uuid import UUID

import strawberry

from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import ForumKind, ForumStatus, MemberKind
from coordination.graphql.queries.actions import ActionFilter, actions_page
from coordination.graphql.queries.decisions import DecisionFilter, decisions_page
from coordination.graphql.queries.registry import (
    organisations_page,
    representatives_page,
    themes_page,
)
from coordination.graphql.queries.workshops import WorkshopFilter, workshops_page
from coordination.graphql.relay import (
    DEFAULT_PAGE,
    Connection,
    check_first,
    connection,
    fetch_page,
    global_id,
)
from coordination.graphql.types.action import Action
from coordination.graphql.types.decision import Decision
from coordination.graphql.types.forum import Forum
from coordination.graphql.types.mandate import Mandate
from coordination.graphql.types.organisation import Organisation
from coordination.graphql.types.theme import Theme
from coordination.graphql.types.working_group import WorkingGroup
from coordination.graphql.types.workshop import Workshop
from coordination.projections.queries import forums as views

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type(description="The development partnership: members on equal terms, themes, work.")
class Partnership(Forum):
    programme: str | None
    region: str | None
    period_start: date | None
    period_end: date | None
    agreement_version: int = strawberry.field(description="0 until an agreement is adopted.")
    agreement_hash: str | None

    @strawberry.field(description="Member organisations (public).")
    async def organisations(
        self,
        info: Info,
        kind: MemberKind | None = None,
        include_withdrawn: bool = False,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Organisation]:
        return await organisations_page(
            info,
            partnership_id=self.uuid,
            kind=kind,
            include_withdrawn=include_withdrawn,
            first=first,
            after=after,
        )

    @strawberry.field(description="Themes (public).")
    async def themes(
        self,
        info: Info,
        include_archived: bool = False,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Theme]:
        return await themes_page(
            info,
            partnership_id=self.uuid,
            include_archived=include_archived,
            first=first,
            after=after,
        )

    @strawberry.field(description="Working groups (signed-in callers).")
    async def working_groups(
        self,
        info: Info,
        status: ForumStatus | None = None,
        theme_id: UUID | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[WorkingGroup] | None:
        await info.context.visibility.require_partnership("working groups")
        check_first(first)
        page = await fetch_page(
            lambda: views.list_forums(
                info.context.services.db,
                partnership_id=self.uuid,
                kind=ForumKind.WORKING_GROUP.value,
                theme_id=theme_id,
                status=status.value if status else None,
                first=first,
                after=after,
            )
        )
        return connection(page, WorkingGroup.from_row)

    @strawberry.field(description="Representatives' mandates; `on` keeps those covering a day.")
    async def representatives(
        self,
        info: Info,
        organisation_id: UUID | None = None,
        on: date | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Mandate] | None:
        return await representatives_page(
            info,
            partnership_id=self.uuid,
            organisation_id=organisation_id,
            person_id=None,
            on=on,
            first=first,
            after=after,
        )

    @strawberry.field(description="Decisions across the partnership's forums, by filter.")
    async def decisions(
        self,
        info: Info,
        where: DecisionFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Decision] | None:
        scoped = dataclasses.replace(where or DecisionFilter(), partnership_id=self.uuid)
        return await decisions_page(info, scoped, first, after)

    @strawberry.field(description="The partnership's actions, by filter.")
    async def actions(
        self,
        info: Info,
        where: ActionFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Action] | None:
        scoped = dataclasses.replace(where or ActionFilter(), partnership_id=self.uuid)
        return await actions_page(info, scoped, first, after)

    @strawberry.field(description="The partnership's workshop calendar, by filter.")
    async def workshops(
        self,
        info: Info,
        where: WorkshopFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Workshop] | None:
        scoped = dataclasses.replace(where or WorkshopFilter(), partnership_id=self.uuid)
        return await workshops_page(info, scoped, first, after)

    @classmethod
    def from_row(cls, row: views.Forum) -> Partnership:
        return cls(
            id=global_id("Partnership", row.id),
            uuid=row.id,
            kind=ForumKind.PARTNERSHIP,
            name=row.name,
            status=ForumStatus(row.status),
            created_at=row.created_at,
            member_count=row.member_count,
            programme=row.programme,
            region=row.region,
            period_start=row.period_start,
            period_end=row.period_end,
            agreement_version=row.agreement_version,
            agreement_hash=row.agreement_hash,
        )
