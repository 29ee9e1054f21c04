"""The base aggregate: every event carries the metadata the brief requires.

Each concrete aggregate sets an explicit ``TOPIC`` and gives each nested event an
explicit ``TOPIC`` (``coordination.<stream kind>.<event>``), so stored events never
depend on module paths. The CloudEvents type is the topic plus ``.v<class_version>``.
"""

from __future__ import annotations

import copy
import dataclasses
from datetime import date, datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from coordination.domain.context import Context
from coordination.domain.values import Audience

A = TypeVar("A", bound="CoordinationAggregate")


class CoordinationAggregate(Aggregate):
    """Base class of all aggregates of the domain."""

    #: The stream kind's stable topic, set by every concrete aggregate.
    TOPIC: ClassVar[str]
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

    def __deepcopy__(self, memo: dict[int, Any]) -> CoordinationAggregate:
        """Copy fast when the state holds only immutable values.

        The repository copies a cached aggregate for every command, and a generic deep
        copy of a partnership with hundreds of members costs milliseconds. Containers of
        immutable values (primitives, UUIDs, dates, frozen dataclasses, tuples) only need a
        shallow copy; anything else still gets a real deep copy.
        """
        clone = object.__new__(type(self))
        for name, value in self.__dict__.items():
            copied: object = value
            if isinstance(value, dict) and all(map(_immutable, value.values())):
                copied = dict(value)
            elif isinstance(value, (list, set)) and all(map(_immutable, value)):
                copied = type(value)(value)
            elif not _immutable(value):
                copied = copy.deepcopy(value, memo)
            clone.__dict__[name] = copied
        return clone

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
        id: UUID | None = None,
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


_IMMUTABLE_TYPES = (str, int, float, bool, UUID, date, datetime, type(None), frozenset)


def _immutable(value: object) -> bool:
    if isinstance(value, _IMMUTABLE_TYPES):
        return True
    if isinstance(value, tuple):
        return all(map(_immutable, value))
    params = getattr(type(value), "__dataclass_params__", None)
    return bool(params is not None and params.frozen and dataclasses.is_dataclass(value))
