"""Payload bases that also return the changed node, read from the views after the command.

The command has waited for the views (read-your-writes), so the node is the view's
current row; it is read only when the client asks for it.
"""

from __future__ import annotations

import strawberry

from coordination.graphql.mutations.base import CommandPayload, Info
from coordination.graphql.queries.actions import action_by_id
from coordination.graphql.queries.decisions import decision_by_id
from coordination.graphql.queries.workshops import workshop_by_id
from coordination.graphql.types.action import Action
from coordination.graphql.types.decision import Decision
from coordination.graphql.types.forums import load_forum
from coordination.graphql.types.partnership import Partnership
from coordination.graphql.types.working_group import WorkingGroup
from coordination.graphql.types.workshop import Workshop


@strawberry.type
class PartnershipChange(CommandPayload):
    @strawberry.field(description="The partnership as the views now show it.")
    async def partnership(self, info: Info) -> Partnership | None:
        forum = await load_forum(info, self.stream_id)
        return forum if isinstance(forum, Partnership) else None


@strawberry.type
class WorkingGroupChange(CommandPayload):
    @strawberry.field(description="The working group as the views now show it.")
    async def working_group(self, info: Info) -> WorkingGroup | None:
        forum = await load_forum(info, self.stream_id)
        return forum if isinstance(forum, WorkingGroup) else None


@strawberry.type
class ActionChange(CommandPayload):
    @strawberry.field(description="The action as the views now show it.")
    async def action(self, info: Info) -> Action | None:
        return await action_by_id(info, self.stream_id)


@strawberry.type
class DecisionChange(CommandPayload):
    @strawberry.field(description="The decision as the views now show it.")
    async def decision(self, info: Info) -> Decision | None:
        return await decision_by_id(info, self.stream_id)


@strawberry.type
class WorkshopChange(CommandPayload):
    @strawberry.field(description="The workshop as the views now show it.")
    async def workshop(self, info: Info) -> Workshop | None:
        return await workshop_by_id(info, self.stream_id)
