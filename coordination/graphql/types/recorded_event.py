"""The `RecordedEvent` type: one recorded event with all its metadata and its data."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

from coordination.audit._encoding import b64encode
from coordination.graphql.context import GraphQLContext
from coordination.graphql.event_log import LoggedEvent
from coordination.graphql.peer_events import PeerEvent
from coordination.graphql.signed_log import entry_loader


@strawberry.type(
    description="A recorded event with its metadata, as the audit trail and live"
    " subscriptions show it."
)
class RecordedEvent:
    event_id: UUID | None
    type: str = strawberry.field(description="Event type and schema version, e.g. `...v1`.")
    stream_id: UUID
    version: int = strawberry.field(description="The event's version in its stream.")
    log_position: int | None = strawberry.field(
        description="The event's position in the node's log of events, the order it was"
        " recorded in: `events(afterLogPosition:)` follows on from it. Null for a"
        " partner's event, which is in its own log (`origin`, `logIndex`)."
    )
    occurred_at: datetime | None = strawberry.field(description="Business time.")
    recorded_at: datetime
    actor: str | None = strawberry.field(description="Pseudonymous person id, never a name.")
    acting_for: UUID | None = strawberry.field(description="The organisation acted for.")
    origin: str | None = strawberry.field(
        description="The log the event was recorded in: this node's origin, or the"
        " partner's whose synced log it comes from."
    )
    correlation_id: UUID | None
    causation_id: UUID | None
    audience: str = strawberry.field(
        description="Who may see it: public, partnership, forum:<id>, transnational, restricted."
    )
    data: JSON = strawberry.field(description="The event's own fields.")
    #: A partner's event: its index and leaf hash in the partner's log, as synced.
    peer_entry: strawberry.Private[tuple[int, bytes] | None] = None

    @strawberry.field(
        description="The event's index in the signed log of its `origin`; null until it is"
        " integrated."
    )
    async def log_index(self, info: strawberry.Info[GraphQLContext, None]) -> int | None:
        if self.peer_entry is not None:
            return self.peer_entry[0]
        if self.log_position is None:
            return None
        entry = await entry_loader(info.context).load(self.log_position)
        return None if entry is None else entry.index

    @strawberry.field(
        description="The leaf hash of the event's entry in the log of its `origin` (RFC"
        " 9162), base64; null until it is integrated."
    )
    async def leaf_hash(self, info: strawberry.Info[GraphQLContext, None]) -> str | None:
        if self.peer_entry is not None:
            return b64encode(self.peer_entry[1])
        if self.log_position is None:
            return None
        entry = await entry_loader(info.context).load(self.log_position)
        return None if entry is None else b64encode(entry.leaf_hash)

    @classmethod
    def from_logged(cls, event: LoggedEvent, origin: str | None = None) -> RecordedEvent:
        """An event of the node's own log; `origin`, the node's, where the event names none."""
        return cls(
            event_id=event.event_id,
            type=event.type,
            stream_id=event.stream_id,
            version=event.version,
            log_position=event.position,
            occurred_at=event.occurred_at,
            recorded_at=event.recorded_at,
            actor=event.actor,
            acting_for=event.acting_for,
            origin=event.origin or origin,
            correlation_id=event.correlation_id,
            causation_id=event.causation_id,
            audience=event.audience,
            data=JSON(event.data),
        )

    @classmethod
    def from_peer(cls, event: PeerEvent) -> RecordedEvent:
        """An event synced from a partner's log."""
        return cls(
            event_id=event.event_id,
            type=event.type,
            stream_id=event.stream_id,
            version=event.version,
            log_position=None,
            occurred_at=event.occurred_at,
            recorded_at=event.recorded_at,
            actor=event.actor,
            acting_for=event.acting_for,
            origin=event.origin,
            correlation_id=event.correlation_id,
            causation_id=event.causation_id,
            audience=event.audience,
            data=JSON(event.data),
            peer_entry=(event.index, event.leaf_hash),
        )
