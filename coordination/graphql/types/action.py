"""The `Action` node: a task of a working group or organisation, with its owner and outcome."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import strawberry

from coordination.graphql.context import GraphQLContext
from coordination.graphql.enums import ActionSource, ActionStatus
from coordination.graphql.relay import Node, global_id
from coordination.graphql.types.organisation import Organisation, load_organisation
from coordination.projections.queries import actions as views

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type(description="An action: owner organisation, due date, progress and outcome.")
class Action(Node):
    partnership_id: UUID
    group_id: UUID | None
    theme_id: UUID | None
    owner_id: UUID = strawberry.field(description="The organisation that owns the action.")
    description: str
    due_on: date
    source_kind: ActionSource
    source_id: UUID | None = strawberry.field(description="The decision or workshop, if any.")
    status: ActionStatus
    progress: int = strawberry.field(description="Percent done, as last reported.")
    last_note: str | None
    outcome: str | None
    drop_reason: str | None
    assigned_at: datetime
    overdue: bool = strawberry.field(description="Open and past its due date (today, UTC).")

    @strawberry.field(description="The organisation that owns the action.")
    async def owner(self, info: Info) -> Organisation | None:
        return await load_organisation(info, self.owner_id)

    @classmethod
    def from_row(cls, row: views.ActionView) -> Action:
        return cls(
            id=global_id("Action", row.id),
            uuid=row.id,
            partnership_id=row.partnership_id,
            group_id=row.group_id,
            theme_id=row.theme_id,
            owner_id=row.owner_id,
            description=row.description,
            due_on=row.due_on,
            source_kind=ActionSource(row.source_kind),
            source_id=row.source_id,
            status=ActionStatus(row.status),
            progress=row.progress,
            last_note=row.last_note,
            outcome=row.outcome,
            drop_reason=row.drop_reason,
            assigned_at=row.assigned_at,
            overdue=row.overdue,
        )
