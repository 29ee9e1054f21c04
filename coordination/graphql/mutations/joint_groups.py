"""Mutations of B8's joint working groups: establish one (this node leads it), take this
node's position on one, adopt the joint decision (the lead, on every member's position,
each verified in the log of its node).

All of them are the secretariat's (see `coordination.auth.authorization.matrix`): the
node speaks for its partnership. What they record reaches the merged `jointGroups` once
the node signs its next checkpoint (within seconds), and a partner's once it is synced.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from coordination.auth.authorization import targets
from coordination.graphql.enums import JointTopic, PositionKind
from coordination.graphql.errors import CommandError
from coordination.graphql.mutations.base import CommandInput, CommandPayload, Info, execute


@strawberry.input(description="Establish a joint working group led by this node.")
class EstablishJointGroupInput(CommandInput):
    name: str = strawberry.field(
        description="Its name; with this node's origin it gives the group's id on every node."
    )
    topic: JointTopic
    purpose: str = strawberry.field(description="What its members decide together.")
    members: list[str] = strawberry.field(
        description="The admitted partners' origins that are members besides this node."
    )


@strawberry.type(description="The joint group was established; `createdId` is its id.")
class EstablishJointGroupPayload(CommandPayload):
    pass


@strawberry.input(description="Record this node's position on a joint group, in its own log.")
class TakeJointPositionInput(CommandInput):
    group_id: UUID
    lead_origin: str = strawberry.field(description="The origin of the group's lead node.")
    position: PositionKind
    reason: str | None = strawberry.field(
        default=None, description="Why; required to disagree or block."
    )


@strawberry.type(description="The position was recorded in this node's log.")
class TakeJointPositionPayload(CommandPayload):
    pass


@strawberry.input(description="A member's position as its log holds it.")
class ListedPositionInput:
    origin: str = strawberry.field(description="The member node's origin.")
    event_id: str = strawberry.field(description="The position's event id.")
    leaf_hash: str = strawberry.field(description="Its entry's RFC 9162 leaf hash, hex.")


@strawberry.input(description="Adopt a joint group's decision, as its lead.")
class AdoptJointDecisionInput(CommandInput):
    group_id: UUID
    statement: str
    positions: list[ListedPositionInput] = strawberry.field(
        description="One position of every member, each verified in the log of its node."
    )


@strawberry.type(description="The joint decision was adopted.")
class AdoptJointDecisionPayload(CommandPayload):
    pass


EstablishJointGroupResult = Annotated[
    EstablishJointGroupPayload | CommandError, strawberry.union("EstablishJointGroupResult")
]
TakeJointPositionResult = Annotated[
    TakeJointPositionPayload | CommandError, strawberry.union("TakeJointPositionResult")
]
AdoptJointDecisionResult = Annotated[
    AdoptJointDecisionPayload | CommandError, strawberry.union("AdoptJointDecisionResult")
]


@strawberry.type
class JointGroupMutations:
    @strawberry.mutation(description="Establish a joint working group led by this node.")
    async def establish_joint_group(
        self, info: Info, input: EstablishJointGroupInput
    ) -> EstablishJointGroupResult:
        return await execute(
            info,
            "establishJointGroup",
            input,
            lambda app, ctx, options: app.establish_joint_group(
                ctx,
                name=input.name,
                topic=input.topic.value,
                purpose=input.purpose,
                members=input.members,
                options=options,
            ),
            EstablishJointGroupPayload,
            targets.joint_groups(),
        )

    @strawberry.mutation(description="Record this node's position on a joint group.")
    async def take_joint_position(
        self, info: Info, input: TakeJointPositionInput
    ) -> TakeJointPositionResult:
        return await execute(
            info,
            "takeJointPosition",
            input,
            lambda app, ctx, options: app.take_joint_position(
                ctx,
                group_id=input.group_id,
                lead_origin=input.lead_origin,
                position=input.position.value,
                reason=input.reason,
                options=options,
            ),
            TakeJointPositionPayload,
            targets.joint_groups(),
        )

    @strawberry.mutation(
        description="Adopt a joint group's decision, as its lead: refused unless every listed"
        " position exists in the log of its node, as synced here, and verifies."
    )
    async def adopt_joint_decision(
        self, info: Info, input: AdoptJointDecisionInput
    ) -> AdoptJointDecisionResult:
        return await execute(
            info,
            "adoptJointDecision",
            input,
            lambda app, ctx, options: app.adopt_joint_decision(
                ctx,
                group_id=input.group_id,
                statement=input.statement,
                positions=[(p.origin, p.event_id, p.leaf_hash) for p in input.positions],
                options=options,
            ),
            AdoptJointDecisionPayload,
            targets.joint_groups(),
        )
