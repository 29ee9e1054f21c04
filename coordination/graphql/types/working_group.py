"""The `WorkingGroup` node: a forum under a theme, with its charter, decisions and actions."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import DecisionRule, ForumKind, ForumStatus
from coordination.graphql.queries.actions import ActionFilter, actions_page
from coordination.graphql.queries.decisions import DecisionFilter, decisions_page
from coordination.graphql.queries.workshops import WorkshopFilter, workshops_page
from coordination.graphql.relay import DEFAULT_PAGE, Connection, global_id
from coordination.graphql.types.action import Action
from coordination.graphql.types.decision import Decision
from coordination.graphql.types.forum import Forum
from coordination.graphql.types.organisation import Organisation, load_organisation
from coordination.graphql.types.workshop import Workshop
from coordination.projections.queries import forums as views

if TYPE_CHECKING:
    from coordination.graphql.types.partnership import Partnership

Info = strawberry.Info[GraphQLContext, None]
PartnershipRef = Annotated["Partnership", strawberry.lazy("coordination.graphql.types.partnership")]


@strawberry.type(description="A working group: member organisations working under a charter.")
class WorkingGroup(Forum):
    partnership_id: UUID
    theme_id: UUID | None
    purpose: str | None = strawberry.field(description="Charter: what the group is for.")
    decides: str | None = strawberry.field(description="Charter: what is decided here.")
    default_rule: DecisionRule | None = strawberry.field(
        description="Charter: how it decides unless a call says otherwise."
    )
    close_reason: str | None
    convenor_person_id: UUID | None
    convenor_organisation_id: UUID | None

    @strawberry.field(description="The partnership the group belongs to.")
    async def partnership(self, info: Info) -> PartnershipRef | None:
        from coordination.graphql.types.forums import load_forum
        from coordination.graphql.types.partnership import Partnership

        forum = await load_forum(info, self.partnership_id)
        return forum if isinstance(forum, Partnership) else None

    @strawberry.field(description="The organisation the convenor represents.")
    async def convenor_organisation(self, info: Info) -> Organisation | None:
        if self.convenor_organisation_id is None:
            return None
        return await load_organisation(info, self.convenor_organisation_id)

    @strawberry.field(description="The group's decisions, by filter (its members only).")
    async def decisions(
        self,
        info: Info,
        where: DecisionFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Decision] | None:
        scoped = dataclasses.replace(where or DecisionFilter(), forum_id=self.uuid)
        return await decisions_page(info, scoped, first, after)

    @strawberry.field(description="The group's actions, by filter (its members only).")
    async def actions(
        self,
        info: Info,
        where: ActionFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Action] | None:
        scoped = dataclasses.replace(where or ActionFilter(), group_id=self.uuid)
        return await actions_page(info, scoped, first, after)

    @strawberry.field(description="Workshops the group organises, by filter.")
    async def workshops(
        self,
        info: Info,
        where: WorkshopFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Workshop] | None:
        scoped = dataclasses.replace(where or WorkshopFilter(), group_id=self.uuid)
        return await workshops_page(info, scoped, first, after)

    @classmethod
    def from_row(cls, row: views.Forum) -> WorkingGroup:
        return cls(
            id=global_id("WorkingGroup", row.id),
            uuid=row.id,
            kind=ForumKind.WORKING_GROUP,
            name=row.name,
            status=ForumStatus(row.status),
            created_at=row.created_at,
            member_count=row.member_count,
            partnership_id=row.partnership_id,
            theme_id=row.theme_id,
            purpose=row.purpose,
            decides=row.decides,
            default_rule=DecisionRule(row.default_rule) if row.default_rule else None,
            close_reason=row.close_reason,
            convenor_person_id=row.convenor_person_id,
            convenor_organisation_id=row.convenor_organisation_id,
        )
