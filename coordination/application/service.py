"""The service base: loading streams, saving atomically, conflicts and idempotency.

Every use case is a method on `Coordination` (see the mixins beside this module). A use
case builds a `handle` function that loads what it needs, runs the domain command and
returns an `Outcome`; `_run` saves everything the outcome touched in one transaction,
retries on a concurrent write when the caller did not pin a version, and makes the
command idempotent when it carries a key.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder
from eventsourcing.utils import strtobool

from coordination.application.contention import HotStreams
from coordination.domain.base import CoordinationAggregate
from coordination.domain.command_record import CommandRecord, command_record_id, fingerprint
from coordination.domain.context import Context
from coordination.domain.errors import Conflict, DomainError, NotFound
from coordination.persistence.repository import ThreadSafeRepository
from coordination.persistence.transcodings import DateAsISO

T = TypeVar("T", bound=CoordinationAggregate)

#: How often a command without a pinned version is re-run after losing a race, and the
#: cap of the jittered pause between runs (spreads writers of one hot stream apart).
CONFLICT_RETRIES = 10
CONFLICT_BACKOFF_CAP_S = 0.05


@dataclass(frozen=True)
class CommandOptions:
    """Per-call options every command accepts.

    Attributes:
        idempotency_key: A retried command with the same key (from the same actor)
            records nothing twice and returns the first result.
        expected_version: The version the caller last saw of the command's main stream;
            when given, any other version is a conflict instead of a silent re-run.
    """

    idempotency_key: str | None = None
    expected_version: int | None = None


NO_OPTIONS = CommandOptions()


@dataclass(frozen=True)
class CommandResult:
    """What a command returns: its main stream at its new version, and what it created.

    `position` is the log position of the last event the command recorded: the views
    include the command once they reach it. It is None for an answer replayed from an
    idempotency record (nothing new was recorded; the caller falls back to the log's head).
    """

    stream_id: UUID
    version: int
    created_id: UUID | None = None
    position: int | None = field(default=None, compare=False)

    def to_record(self) -> dict[str, str | int | None]:
        return {
            "stream_id": str(self.stream_id),
            "version": self.version,
            "created_id": str(self.created_id) if self.created_id else None,
        }

    @classmethod
    def from_record(cls, record: dict[str, str | int | None]) -> CommandResult:
        created = record.get("created_id")
        return cls(
            stream_id=UUID(str(record["stream_id"])),
            version=int(record["version"] or 0),
            created_id=UUID(str(created)) if created else None,
        )


@dataclass
class Outcome:
    """The aggregates a command changed; `main` names the stream the result reports."""

    main: CoordinationAggregate
    created_id: UUID | None = None
    others: list[CoordinationAggregate] = field(default_factory=list)


class _LostRace(Exception):
    """Another writer saved the stream first (the database refused our version)."""

    def __init__(self, kind: str, stream_id: UUID) -> None:
        super().__init__(kind, stream_id)
        self.kind, self.stream_id = kind, stream_id


class Service(Application[UUID]):
    """Shared machinery of the application service."""

    name = "Coordination"
    env: ClassVar[dict[str, str]] = {
        "AGGREGATE_CACHE_MAXSIZE": "5000",
        "AGGREGATE_CACHE_FASTFORWARD": "y",
    }

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self._hot_streams = HotStreams()
        self._reads = threading.local()
        super().__init__(env)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_repository(self) -> Repository[UUID]:
        cache_maxsize = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return ThreadSafeRepository(
            event_store=self.events,
            snapshot_store=self.snapshots,
            cache_maxsize=int(cache_maxsize) if cache_maxsize else None,
            fastforward=strtobool(self.env.get(self.AGGREGATE_CACHE_FASTFORWARD, "y")),
        )

    @contextmanager
    def reading_once(self) -> Iterator[None]:
        """One request's checks and command, reading each stream from the store once.

        Inside this scope (on this thread) a stream loaded again is the aggregate loaded
        first, not a fresh copy: a mutation's permission check and the command it then
        runs fetch the action (say) once, not twice. The scope must not outlive the
        command: an attempt that loses a race starts over from the store (see `_run`).
        """
        self._reads.loaded = {}
        try:
            yield
        finally:
            self._reads.loaded = None

    @property
    def _shared_reads(self) -> dict[UUID, object] | None:
        """The streams this thread's `reading_once` scope has loaded; None outside one."""
        loaded: dict[UUID, object] | None = getattr(self._reads, "loaded", None)
        return loaded

    def _load(self, cls: type[T], stream_id: UUID, options: CommandOptions = NO_OPTIONS) -> T:
        """The stream as an aggregate of `cls`, or NotFound; checks a pinned version."""
        waited = self._hot_streams.loading(stream_id)
        loaded = self._shared_reads
        if waited and loaded is not None:
            loaded.pop(stream_id, None)  # read before its writers' queue let us in
        try:
            if loaded is None:
                aggregate: object = self.repository.get(stream_id)
            elif (aggregate := loaded.get(stream_id)) is None:
                aggregate = loaded[stream_id] = self.repository.get(stream_id)
        except AggregateNotFoundError:
            raise NotFound(f"no {cls.KIND} with id {stream_id}") from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"no {cls.KIND} with id {stream_id}")
        expected = options.expected_version
        if expected is not None and aggregate.version != expected:
            raise Conflict(
                f"the {cls.KIND} {stream_id} is at version {aggregate.version},"
                f" not {expected}: reload it and try again"
            )
        return aggregate

    def _run(
        self,
        ctx: Context,
        command: str,
        handle: Callable[[], Outcome],
        options: CommandOptions,
        **arguments: Any,
    ) -> CommandResult:
        """Run `handle` and save what it changed, atomically, once."""
        key = options.idempotency_key
        record_id = command_record_id(ctx.actor, key) if key is not None else None
        digest = fingerprint(command, json.dumps(arguments, sort_keys=True, default=str))
        attempt = 0
        contended: UUID | None = None
        while True:
            with self._hot_streams.command(contended):
                try:
                    return self._attempt(ctx, command, handle, key, record_id, digest)
                except _LostRace as lost:
                    self._forget_reads()
                    if options.expected_version is not None or attempt >= CONFLICT_RETRIES:
                        raise Conflict(
                            f"{lost.kind} {lost.stream_id} was changed by someone else at the"
                            " same time: reload it and try again"
                        ) from None
                    contended = lost.stream_id
            self._hot_streams.mark(contended)
            attempt += 1
            # Another process may be the other writer: step aside for a random moment.
            time.sleep(random.uniform(0, min(CONFLICT_BACKOFF_CAP_S, 0.001 * 2**attempt)))  # noqa: S311

    def _forget_reads(self) -> None:
        """The next attempt reads every stream from the store again."""
        loaded = self._shared_reads
        if loaded is not None:
            loaded.clear()

    def _attempt(
        self,
        ctx: Context,
        command: str,
        handle: Callable[[], Outcome],
        key: str | None,
        record_id: UUID | None,
        digest: str,
    ) -> CommandResult:
        try:
            outcome = handle()
        except DomainError:
            earlier = self._earlier_result(record_id, command, digest)
            if earlier is not None:
                return earlier
            raise
        result = CommandResult(outcome.main.id, outcome.main.version, outcome.created_id)
        aggregates: list[Aggregate] = [outcome.main, *outcome.others]
        if key is not None:
            aggregates.append(
                CommandRecord.handled(
                    ctx,
                    key=key,
                    command=command,
                    command_fingerprint=digest,
                    result=result.to_record(),
                )
            )
        try:
            recordings = self.save(*aggregates)
        except IntegrityError:
            earlier = self._earlier_result(record_id, command, digest)
            if earlier is not None:
                return earlier
            raise _LostRace(type(outcome.main).KIND, outcome.main.id) from None
        if not recordings:
            return result
        return replace(result, position=max(r.notification.id for r in recordings))

    def _earlier_result(
        self, record_id: UUID | None, command: str, digest: str
    ) -> CommandResult | None:
        """The first result of an idempotent command already handled, if any."""
        if record_id is None:
            return None
        try:
            record: object = self.repository.get(record_id)
        except AggregateNotFoundError:
            return None
        assert isinstance(record, CommandRecord)
        if record.fingerprint != digest:
            used_for = (
                f"{command} with other input"
                if record.command == command
                else f"another command ({record.command})"
            )
            raise Conflict(
                f"this idempotency key was already used for {used_for}; use a new key for"
                " each new command"
            )
        return CommandResult.from_record(record.result)
