"""The unit of work every use case runs in: each stream read once, everything saved
atomically, once.

A use case (one module per aggregate beside this one) builds a `handle` function that
loads what it needs (`CommandRunner.load`), runs the domain command and returns an
`Outcome`; `CommandRunner._run` saves everything the outcome touched in one
transaction, runs it again on a concurrent write when the caller did not pin a version
(writers of a stream that just lost a race queue up, `contention`), and makes the command
idempotent when it carries a key (decision 1). What one request reads, its permission
check's streams included, is its `UnitOfWork` (`reading_once`): streams come from the
aggregate cache as they are, and the save holds every one to the version read (decision
20): a command decided on a stale copy is refused by the store and runs again on fresh
reads, and a refusal decided on cached copies is decided again on the store's state.
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
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Recording
from eventsourcing.utils import strtobool

from coordination.application.commands import NO_OPTIONS, CommandOptions, CommandResult, Outcome
from coordination.application.contention import HotStreams
from coordination.domain.base import CoordinationAggregate
from coordination.domain.command_record import CommandRecord, command_record_id, fingerprint
from coordination.domain.context import Context
from coordination.domain.errors import Conflict, DomainError, NotFound
from coordination.persistence.read_validation import READ_VERSIONS, ValidatesReads
from coordination.persistence.repository import ThreadSafeRepository
from coordination.persistence.transcodings import DateAsISO
from coordination.persistence.write_along import WRITE_ALONG
from coordination.privacy.keys import SubjectKeys
from coordination.privacy.transcoding import register_personal

T = TypeVar("T", bound=CoordinationAggregate)

#: How often a command without a pinned version is re-run after losing a race, and the
#: cap of the jittered pause between runs (spreads writers of one hot stream apart).
CONFLICT_RETRIES = 10
CONFLICT_BACKOFF_CAP_S = 0.05


class _LostRace(Exception):
    """Another writer saved a stream first: the one the command wrote (the database
    refused our version) or one it read (the read check refused the save); `from_cache`
    when the attempt read from the cache."""

    def __init__(self, kind: str, stream_id: UUID, *, from_cache: bool) -> None:
        super().__init__(kind, stream_id)
        self.kind, self.stream_id, self.from_cache = kind, stream_id, from_cache


class _ReadAgain(Exception):
    """The command refused on cached copies: they may only have been behind (a theme or
    a member another process added), so the refusal stands only once the store's state
    gives it too."""


@dataclass
class UnitOfWork:
    """What one `reading_once` scope has read: each stream's aggregate, shared by the
    check and the command, and the version it was first read at, which the save states.

    Attributes:
        from_cache: Whether streams may come from the cache as they are (false once an
            attempt forgot its reads: the next reads the store).
        check: The permission check that runs again before every further attempt.
        loaded: Each stream read, as the aggregate the check and the command share.
        versions: The version each stream was first read at, or last saved at.
    """

    from_cache: bool
    check: Callable[[], None] | None
    loaded: dict[UUID, Any] = field(default_factory=dict)
    versions: dict[UUID, int] = field(default_factory=dict)


class CommandRunner(Application[UUID]):
    """The event store's application that runs commands, each in a unit of work: the base
    of every use-case class, which `Coordination` composes."""

    name = "Coordination"
    env: ClassVar[dict[str, str]] = {
        "AGGREGATE_CACHE_MAXSIZE": "5000",
        "AGGREGATE_CACHE_FASTFORWARD": "y",
    }

    def __init__(self, env: dict[str, str] | None = None, *, subject_keys: SubjectKeys) -> None:
        self._hot_streams = HotStreams()
        self._local = threading.local()  # .unit: this thread's UnitOfWork, if any
        #: The persons' keys, which seal personal fields as events are stored.
        self.subject_keys = subject_keys
        super().__init__(env)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        register_personal(transcoder, self.subject_keys)

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """Save as the library does, sealing each personal field as its event is stored;
        the keys made for it are written in the same transaction (decision 39). Within a
        command, the keys its checks looked up are the ones it seals with."""
        with self.subject_keys.sealing() as along:
            return super().save(*objs, **kwargs, **{WRITE_ALONG: along})

    def construct_repository(self) -> Repository[UUID]:
        cache_maxsize = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return ThreadSafeRepository(
            event_store=self.events,
            snapshot_store=self.snapshots,
            cache_maxsize=int(cache_maxsize) if cache_maxsize else None,
            fastforward=strtobool(self.env.get(self.AGGREGATE_CACHE_FASTFORWARD, "y")),
        )

    @property
    def _cache_repository(self) -> ThreadSafeRepository:
        repository = self.repository
        assert isinstance(repository, ThreadSafeRepository)
        return repository

    @property
    def reads_from_cache(self) -> bool:
        """Whether commands may decide on cached streams without asking the store for
        newer events: only when the recorder checks, at insert, that every stream read
        is still at the version read (`read_validation`, decision 20)."""
        recorder = self.recorder
        checks = isinstance(recorder, ValidatesReads) and recorder.validates_reads
        return checks and self.repository.cache is not None

    @contextmanager
    def reading_once(self, check: Callable[[], None] | None = None) -> Iterator[None]:
        """One request's check and command, in one unit of work: each stream read once.

        Inside this scope (on this thread) a stream loaded again is the aggregate loaded
        first, not a fresh copy: a mutation's permission check and the command it then
        runs fetch the action (say) once, not twice. Streams come from the cache as they
        are, when `reads_from_cache`; the command's save then states the version of
        every stream read in the scope, the check's included, and the store refuses it
        if any has moved on. `check` runs at once, and again before every further
        attempt of a command that lost a race, on that attempt's fresh reads: a
        permission granted on a stale copy is never acted on. A refusal (of the check or
        the command) decided on cached copies is decided once more on the store's state
        before it stands: a copy may only be behind.
        """
        self._local.unit = UnitOfWork(from_cache=self.reads_from_cache, check=check)
        try:
            if check is not None:
                self._check_first(check)
            yield
        finally:
            self._local.unit = None

    def _check_first(self, check: Callable[[], None]) -> None:
        """Run the scope's check; a refusal decided on cached copies stands only once the
        store's state gives it too (the copies may be behind: another process may have
        appointed the representative or convenor the cache does not know yet)."""
        try:
            check()
            return
        except DomainError:
            unit = self._unit
            if unit is None or not unit.from_cache:
                raise
        self._forget_reads()
        check()

    @property
    def _unit(self) -> UnitOfWork | None:
        """This thread's unit of work (its `reading_once` scope); None outside one."""
        unit: UnitOfWork | None = getattr(self._local, "unit", None)
        return unit

    def load(self, cls: type[T], stream_id: UUID, options: CommandOptions = NO_OPTIONS) -> T:
        """The stream as an aggregate of `cls`, read once in this thread's unit of work.

        Args:
            cls: The aggregate's class.
            stream_id: Its stream.
            options: The command's options, for the version the caller pinned.

        Raises:
            NotFound: No stream of that kind with that id.
            Conflict: The stream is not at the version the caller pinned.
        """
        waited = self._hot_streams.loading(stream_id)
        unit = self._unit
        if waited and unit is not None:
            unit.loaded.pop(stream_id, None)  # read before its writers' queue let us in
        try:
            if unit is None:
                aggregate: Any = self.repository.get(stream_id)
            elif (aggregate := unit.loaded.get(stream_id)) is None:
                aggregate = unit.loaded[stream_id] = self._read(unit, stream_id, options)
                unit.versions.setdefault(stream_id, aggregate.version)
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

    def _read(self, unit: UnitOfWork, stream_id: UUID, options: CommandOptions) -> Any:
        """The stream from the cache when the unit of work allows it, else from the store.

        A cached copy at another version than the caller pinned may only be behind: the
        store says whether the caller's version is the latest."""
        if unit.from_cache:
            cached = self._cache_repository.cached(stream_id)
            pinned = options.expected_version
            if cached is not None and pinned in (None, cached.version):
                return cached
        return self.repository.get(stream_id)

    def _run(
        self,
        ctx: Context,
        command: str,
        handle: Callable[[], Outcome],
        options: CommandOptions,
        **arguments: Any,
    ) -> CommandResult:
        """Run `handle` and save what it changed, atomically, once."""
        if self._unit is None:
            with self.reading_once():
                return self._run(ctx, command, handle, options, **arguments)
        key = options.idempotency_key
        record_id = command_record_id(ctx.actor, key) if key is not None else None
        digest = fingerprint(command, json.dumps(arguments, sort_keys=True, default=str))
        attempt = 0
        contended: UUID | None = None
        while True:
            with self._hot_streams.command(contended):
                try:
                    if attempt:
                        self._check_again()
                    with self.subject_keys.sealing():  # each person looked up once
                        return self._attempt(ctx, command, handle, key, record_id, digest)
                except _ReadAgain:
                    # Refused on cached copies: decided again at once, on the store's.
                    self._forget_reads()
                    attempt += 1
                    continue
                except _LostRace as lost:
                    self._forget_reads()
                    # A pinned version is a conflict unless the copy was the cache's,
                    # which may only have been behind.
                    pinned = options.expected_version is not None and not lost.from_cache
                    if pinned or attempt >= CONFLICT_RETRIES:
                        raise Conflict(
                            f"{lost.kind} {lost.stream_id} was changed by someone else at the"
                            " same time: reload it and try again"
                        ) from None
                    contended = lost.stream_id
                except BaseException:
                    # What the attempt changed in its copies must not reach a later
                    # command of the scope: it would save on them.
                    self._forget_reads()
                    raise
            self._hot_streams.mark(contended)
            attempt += 1
            # Another process may be the other writer: step aside for a random moment.
            time.sleep(random.uniform(0, min(CONFLICT_BACKOFF_CAP_S, 0.001 * 2**attempt)))  # noqa: S311

    def _forget_reads(self) -> None:
        """The next attempt reads every stream from the store again."""
        unit = self._unit
        assert unit is not None  # _run always runs in one
        unit.loaded.clear()
        unit.versions.clear()
        unit.from_cache = False

    def _check_again(self) -> None:
        """The scope's permission check, on the next attempt's fresh reads."""
        unit = self._unit
        if unit is not None and unit.check is not None:
            unit.check()

    def _attempt(
        self,
        ctx: Context,
        command: str,
        handle: Callable[[], Outcome],
        key: str | None,
        record_id: UUID | None,
        digest: str,
    ) -> CommandResult:
        unit = self._unit
        assert unit is not None  # _run always runs in one
        try:
            outcome = handle()
        except DomainError:
            earlier = self._earlier_result(record_id, command, digest)
            if earlier is not None:
                return earlier
            if unit.from_cache:
                raise _ReadAgain from None
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
        read = {READ_VERSIONS: dict(unit.versions)} if unit.versions else {}
        try:
            recordings = self.save(*aggregates, **read)
        except IntegrityError:
            earlier = self._earlier_result(record_id, command, digest)
            if earlier is not None:
                return earlier
            kind = type(outcome.main).KIND
            raise _LostRace(kind, outcome.main.id, from_cache=unit.from_cache) from None
        if not recordings:
            return result
        self._cache_repository.learn(r.domain_event for r in recordings)
        for aggregate in aggregates:  # the scope's next command reads our own writes
            if aggregate.id in unit.versions:
                unit.versions[aggregate.id] = aggregate.version
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
