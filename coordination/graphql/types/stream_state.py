"""The `StreamState` type: a stream's state as it was at a version or a moment."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from strawberry.scalars import JSON


@strawberry.type(description="The public state of a stream (aggregate) at one of its versions.")
class StreamState:
    stream_id: UUID
    kind: str = strawberry.field(description="The stream's kind: partnership, decision, ...")
    version: int
    recorded_at: datetime = strawberry.field(description="When that version was recorded.")
    occurred_at: datetime | None = strawberry.field(description="Business time of that version.")
    state: JSON = strawberry.field(description="The aggregate's public attributes.")
