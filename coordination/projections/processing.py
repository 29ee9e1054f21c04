"""Applying a page of the log to the views being written: pure computation, no I/O.

The runner reads a page, hands it here, and writes the resulting `Outcome` (folded row
operations, newly parked events, stream -> forum routes, what changed) in one
transaction together with the views' new positions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import Notification

from coordination.projections.changes import Batch, Writer
from coordination.projections.parking import HELD_BACK, describe
from coordination.projections.routing import named_forum, own_forum
from coordination.projections.tables import Table
from coordination.projections.view import View

Decode = Callable[[Notification], Any]


@dataclass
class Target:
    """One generation of a view that a runner writes, and how far it has come."""

    view: View
    generation: int
    position: int
    parked: set[UUID] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.tables = self.view.bound_tables(self.generation)


@dataclass
class Touched:
    forums: set[UUID] = field(default_factory=set)
    streams: set[UUID] = field(default_factory=set)


@dataclass
class Outcome:
    """What applying a page produced, to be written in one transaction."""

    batch: Batch
    parked: list[tuple[Any, ...]] = field(default_factory=list)
    newly_parked: dict[str, set[UUID]] = field(default_factory=dict)
    routes: dict[UUID, UUID] = field(default_factory=dict)
    unrouted: dict[str, set[UUID]] = field(default_factory=dict)
    touched: dict[str, Touched] = field(default_factory=dict)


def definitions(targets: Sequence[Target]) -> dict[str, Table]:
    """Physical table name -> definition, for every table the targets write."""
    return {physical: table for t in targets for table, physical in t.tables.values()}


class PageApplier:
    """Runs every target's handlers over pages of the log, into one `Outcome`; parks failures.

    Args:
        targets: The view generations being written.
        decode: Stored event -> domain event.
        routes: Stream -> forum, as known before this page (not changed here).
    """

    def __init__(self, targets: Sequence[Target], decode: Decode, routes: dict[UUID, UUID]) -> None:
        self.targets, self.decode, self.routes = list(targets), decode, routes
        self.outcome = Outcome(Batch(definitions(targets)))
        # Which targets read a topic, worked out once per page rather than once per event.
        self._readers: dict[str, list[Target]] = {}
        self._newest = max((t.position for t in self.targets), default=0)

    def _relevant(self, note: Notification) -> list[Target]:
        readers = self._readers.get(note.topic)
        if readers is None:
            readers = [t for t in self.targets if note.topic in t.view.handlers]
            self._readers[note.topic] = readers
        if note.id > self._newest:
            return readers
        return [t for t in readers if note.id > t.position]

    def apply(self, notifications: Sequence[Notification]) -> None:
        """Apply these notifications (the next ones of the page, in log order)."""
        outcome = self.outcome
        for note in notifications:
            relevant = self._relevant(note)
            if not relevant:
                continue
            try:
                event = self.decode(note)
            except Exception as error:
                for target in relevant:
                    _park(outcome, target, note, describe(error))
                continue
            stream = cast(UUID, note.originator_id)  # the log reads ids as UUIDs
            own = own_forum(event)
            forum = own or named_forum(event)
            if forum is None:
                forum = outcome.routes.get(stream) or self.routes.get(stream)
            elif own is None:
                outcome.routes[stream] = forum
            for target in relevant:
                _apply(outcome, target, note, stream, event, forum)


def _apply(
    outcome: Outcome,
    target: Target,
    note: Notification,
    stream: UUID,
    event: Any,
    forum: UUID | None,
) -> None:
    name = target.view.name
    # Most pages park nothing: test emptiness first, which costs no hashing of the id.
    newly = outcome.newly_parked
    if (target.parked and stream in target.parked) or (newly and stream in newly.get(name, ())):
        _park(outcome, target, note, HELD_BACK)
        return
    writer = Writer(note.id, stream, target.tables)
    try:
        target.view.handlers[note.topic](event, writer)
    except Exception as error:
        _park(outcome, target, note, describe(error))
        return
    outcome.batch.add(writer.ops)
    touched = outcome.touched.get(name)
    if touched is None:
        touched = outcome.touched[name] = Touched()
    touched.streams.add(stream)
    if forum is not None:
        touched.forums.add(forum)
    else:
        outcome.unrouted.setdefault(name, set()).add(stream)


def _park(outcome: Outcome, target: Target, note: Notification, error: str) -> None:
    name = target.view.name
    outcome.newly_parked.setdefault(name, set()).add(cast(UUID, note.originator_id))
    outcome.parked.append(
        (
            name,
            target.generation,
            note.id,
            str(note.originator_id),
            note.originator_version,
            note.topic,
            error,
        )
    )


@dataclass
class Retried:
    """What retrying a view's parked events produced."""

    batch: Batch
    applied: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    still_parked: set[UUID] = field(default_factory=set)
    streams: set[UUID] = field(default_factory=set)


def retry_parked(notifications: Sequence[Notification], target: Target, decode: Decode) -> Retried:
    """Apply a view's parked events again, stream by stream, in log order.

    A stream's events after one that fails again stay parked, untouched.
    """
    result = Retried(Batch(definitions([target])))
    for note in notifications:
        stream = cast(UUID, note.originator_id)
        if stream in result.still_parked:
            continue
        writer = Writer(note.id, stream, target.tables)
        try:
            target.view.handlers[note.topic](decode(note), writer)
        except Exception as error:
            result.failed[note.id] = describe(error)
            result.still_parked.add(stream)
            continue
        result.batch.add(writer.ops)
        result.applied.append(note.id)
        result.streams.add(stream)
    return result
