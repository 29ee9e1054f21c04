"""The base aggregate: every event carries the metadata the brief requires.

Each concrete aggregate sets an explicit ``TOPIC`` and gives each nested event an
explicit ``TOPIC`` (``coordination.<stream kind>.<event>``), so stored events never
depend on module paths. The CloudEvents type is the topic plus ``.v<class_version>``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from coordination.domain.context import Context
from coordination.domain.values import Audience

A = TypeVar("A", bound="CoordinationAggregate")


class CoordinationAggregate(Aggregate):
    """Base class of all aggregates of the domain."""

    #: Noun used in messages ("No decision with id ...").
    KIND: ClassVar[str] = "stream"

    class Event(Aggregate.Event):
        """Metadata common to every event, set from the command's context."""

        event_id: UUID
        occurred_at: datetime
        actor: str
        acting_for: UUID | None
        origin: str
        correlation_id: UUID
        causation_id: UUID
        audience: str

    def audience(self) -> str:
        """Default audience of this stream's events; aggregates narrow or widen it."""
        return Audience.PARTNERSHIP.value

    @staticmethod
    def metadata(ctx: Context, audience: str) -> dict[str, Any]:
        return {
            "event_id": uuid4(),
            "occurred_at": ctx.occurred_at,
            "actor": ctx.actor,
            "acting_for": ctx.acting_for,
            "origin": ctx.origin,
            "correlation_id": ctx.correlation_id,
            "causation_id": ctx.cause,
            "audience": audience,
        }

    def record(
        self,
        event_class: type[Aggregate.Event],
        ctx: Context,
        *,
        audience: str | None = None,
        **data: Any,
    ) -> None:
        """Trigger `event_class` with the context's metadata and the given data."""
        self.trigger_event(
            event_class,
            **self.metadata(ctx, audience or self.audience()),
            **data,
        )

    @classmethod
    def start(
        cls: type[A],
        event_class: type[Aggregate.Created],
        ctx: Context,
        *,
        id: UUID | None = None,  # noqa: A002 - the library's own keyword
        audience: str,
        **data: Any,
    ) -> A:
        """Create a new stream with its first event."""
        return cls._create(
            event_class,
            id=id or uuid4(),
            **cls.metadata(ctx, audience),
            **data,
        )
