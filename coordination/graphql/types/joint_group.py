"""The `JointGroup` type and its parts: a joint working group of the partner nodes, merged
from the verified entries of every node's log, each part naming the log entry it is."""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

import strawberry

from coordination.graphql.enums import JointTopic, PositionKind
from coordination.projections.queries import joint_groups as views

E = TypeVar("E", JointTopic, PositionKind)


@strawberry.type(
    description="Where something is recorded: an entry of a node's signed log, which anyone"
    " holding that log can verify."
)
class LogEntryRef:
    origin: str = strawberry.field(description="The log's origin: the node that recorded it.")
    index: int = strawberry.field(description="The entry's index in that log.")
    event_id: str
    leaf_hash: str = strawberry.field(description="The entry's RFC 9162 leaf hash, hex.")
    occurred_at: str = strawberry.field(description="When it happened (RFC 3339, UTC).")

    @classmethod
    def from_view(cls, at: views.LoggedAt) -> LogEntryRef:
        return cls(
            origin=at.origin,
            index=at.index,
            event_id=at.event_id,
            leaf_hash=at.leaf_hash,
            occurred_at=at.occurred_at,
        )


@strawberry.type(description="A member node's position on a joint group, from its own log.")
class JointGroupPosition:
    origin: str = strawberry.field(description="The member node that took it.")
    position: PositionKind | None = strawberry.field(
        description="What it says; null for a word this node does not know."
    )
    reason: str | None
    entry: LogEntryRef


@strawberry.type(description="A position as the joint decision lists it.")
class ListedJointPosition:
    origin: str
    event_id: str
    leaf_hash: str
    position: PositionKind | None
    shown: bool = strawberry.field(
        description="Whether this node holds that very entry (origin, event id, leaf hash),"
        " verified in the log of its origin."
    )


@strawberry.type(description="The joint decision, adopted by the lead in its own log.")
class JointDecision:
    statement: str
    positions: list[ListedJointPosition]
    entry: LogEntryRef


@strawberry.type(
    description="A joint working group of the partner nodes, as every node shows it: the"
    " group and its decision from its lead's log, each position from its member's own log."
)
class JointGroup:
    id: UUID = strawberry.field(description="Its id, the same on every node.")
    name: str
    topic: JointTopic | None
    purpose: str
    lead_origin: str
    members: list[str] = strawberry.field(description="Every member node, the lead first.")
    entry: LogEntryRef = strawberry.field(description="Where it was established.")
    positions: list[JointGroupPosition] = strawberry.field(
        description="The members' positions, in the order of `members`."
    )
    decision: JointDecision | None

    @classmethod
    def from_view(cls, group: views.JointGroupView) -> JointGroup:
        return cls(
            id=group.id,
            name=group.name,
            topic=_word(JointTopic, group.topic),
            purpose=group.purpose,
            lead_origin=group.lead_origin,
            members=list(group.members),
            entry=LogEntryRef.from_view(group.entry),
            positions=[
                JointGroupPosition(
                    origin=p.entry.origin,
                    position=_word(PositionKind, p.position),
                    reason=p.reason,
                    entry=LogEntryRef.from_view(p.entry),
                )
                for p in group.positions
            ],
            decision=None if group.decision is None else _decision(group.decision),
        )


def _decision(decision: views.JointDecisionView) -> JointDecision:
    return JointDecision(
        statement=decision.statement,
        positions=[
            ListedJointPosition(
                origin=p.origin,
                event_id=p.event_id,
                leaf_hash=p.leaf_hash,
                position=_word(PositionKind, p.position),
                shown=p.shown,
            )
            for p in decision.positions
        ],
        entry=LogEntryRef.from_view(decision.entry),
    )


def _word(vocabulary: type[E], value: str) -> E | None:
    """A word of another node's log in our vocabulary; None for one we do not know (a
    partner running a later version)."""
    try:
        return vocabulary(value)
    except ValueError:
        return None
