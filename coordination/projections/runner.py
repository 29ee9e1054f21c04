"""The projector: feeds the views from the log, exactly once, in one process at a time.

Each step reads a page of the log after the lowest position of the views it writes,
applies it in memory (`processing`), and then, in ONE transaction, checks that no other
writer moved those views meanwhile, writes the folded rows, the parked events and every
view's new position. A crash before the commit leaves nothing; after it, everything.
Catch-up pages are large (`batch_size` events per transaction); at the head a page is
whatever arrived. The process that holds the projector's lock (`leadership`) is active;
the others stand by, follow its progress (for `wait_until` and subscriptions), and take
over when its connection goes away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from coordination.persistence.readdb import Connection, Handle, ReadDatabase
from coordination.persistence.readdb_postgres import PostgresHandle
from coordination.projections import parking
from coordination.projections.leadership import FileLeadership, PostgresLeadership
from coordination.projections.log import EventLog, events_table
from coordination.projections.processing import Outcome, Target, apply_page, retry_parked
from coordination.projections.progress import decode_progress, encode_progress, progress_channel
from coordination.projections.routing import route_unknown
from coordination.projections.schema import LIVE, generations, lock_key
from coordination.projections.updates import Broadcaster, Subscription, ViewUpdate
from coordination.projections.view import View
from coordination.projections.views import ALL_VIEWS

log = logging.getLogger(__name__)


#: Seconds between a standby's attempts to take the lock (and looks at the positions).
STANDBY_LOOK = 0.25


class Stale(Exception):
    """Another writer moved a view, or a rebuild switched it, since the page was read."""


class ProjectionRunner:
    """Keeps views up to date from the log; see the module docstring.

    Args:
        db: The read database.
        app: The application whose log is read (for its mapper).
        views: The views to write.
        generations: Fixed generation per view (rebuilds); None follows the live ones.
        name: The projector's name; one lock per name.
        batch_size: Events read per page (and per transaction) while catching up; by
            default 2000 on PostgreSQL and 500 on SQLite, where a transaction holds the
            one write lock that commands also need (see docs/decisions).
        poll_interval: Seconds between looks at the log when no wake-up arrives.
        restart_delay: Seconds before a projector that failed (lost its connection,
            say) contends for the lock again; standbys try every `STANDBY_LOOK` seconds,
            so one of them takes over first.
    """

    def __init__(
        self,
        db: ReadDatabase,
        app: Application[UUID],
        views: Sequence[View] = ALL_VIEWS,
        *,
        generations: dict[str, int] | None = None,
        name: str = "live",
        batch_size: int | None = None,
        poll_interval: float | None = None,
        restart_delay: float = 1.0,
    ) -> None:
        self.db, self.app, self.views, self.name = db, app, tuple(views), name
        self.fixed = generations
        self.batch_size = batch_size or (2000 if db.is_postgres else 500)
        self.restart_delay = restart_delay
        self.poll_interval = poll_interval or (1.0 if db.is_postgres else 0.1)
        self.log = EventLog(db, events_table(app))
        # The library's recorder NOTIFYs a channel named after its table on every insert.
        self.events_channel = events_table(app).replace(".", "_")
        self.topics = sorted({topic for view in self.views for topic in view.topics})
        self.targets: dict[str, Target] = {}
        self.routes: dict[UUID, UUID] = {}
        self.broadcaster = Broadcaster()
        self.is_active = False
        #: Transactions this runner has committed (each one page of the log).
        self.batches = 0
        self.backend_pid: int | None = None
        self._known: dict[str, int] = {}
        self._changed = asyncio.Condition()
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._leadership = self._make_leadership()
        self._decode: Callable[[Any], Any] = app.mapper.to_domain_event

    def _make_leadership(self) -> PostgresLeadership | FileLeadership:
        if self.db.is_postgres:
            return PostgresLeadership(lock_key(self.db, f"projector:{self.name}"))
        path = Path(str(getattr(self.db, "path", "coordination.db")))
        return FileLeadership(path.with_name(f"{path.name}.{self.name.replace(':', '-')}.lock"))

    # -- public API ---------------------------------------------------------------------

    @property
    def position(self) -> int:
        """The lowest position over the views, as this process last learned it."""
        return min(self._known.values()) if self._known else 0

    async def start(self) -> None:
        """Run in the background: active when this process gets the lock, else standby."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"projector:{self.name}")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.is_active = False

    async def wait_until(self, position: int, timeout: float) -> bool:
        """True once every view includes notification id `position`; False after `timeout`."""
        if self.position >= position:
            return True
        self._wake.set()
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(lambda: self.position >= position)
        except TimeoutError:
            return False
        return True

    def subscribe(self) -> Subscription:
        """Every `ViewUpdate` from now on; ``aclose()`` it (or use ``async with``) to stop."""
        return self.broadcaster.subscribe()

    async def retry_parked(self, view: str, timeout: float = 10.0) -> list[parking.ParkedEvent]:
        """Retry the parked events of `view`; returns those still parked afterwards."""
        if await parking.request_retry(self.db, view):
            self._wake.set()
            await self._wait_for_retry(view, timeout)
        return await parking.list_parked(self.db, view)

    async def _wait_for_retry(self, view: str, timeout: float) -> None:
        async def pending() -> bool:
            return bool(
                await self.db.fetchval(
                    "SELECT COUNT(*) FROM parked_events WHERE view = $1 AND retry_requested = 1",
                    view,
                )
            )

        async with asyncio.timeout(timeout):
            while await pending():
                async with self._changed:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), self.poll_interval)

    async def catch_up(
        self, stop: int | None = None, progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Process the log up to `stop` (default: the head now) in this task; no lock.

        For rebuilds, replay checks and tests. Returns the position reached.
        """
        async with self.db.dedicated() as connection:
            await self._load(connection)
            head = stop if stop is not None else await self.log.head(connection)
            while self._lowest() < head:
                await self._step(connection, head)
                if progress is not None:
                    progress(self._lowest(), head)
            return self._lowest()

    # -- the loop -------------------------------------------------------------------------

    async def _run(self) -> None:
        backoff = self.restart_delay
        while not self._stopping:
            try:
                async with self.db.dedicated() as connection:
                    await self._lead(connection)
                    backoff = self.restart_delay
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("projector %s failed; restarting in %.1fs", self.name, backoff)
            finally:
                self.is_active = False
            if not self._stopping:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, max(10.0, self.restart_delay))

    async def _lead(self, connection: Connection) -> None:
        if isinstance(connection, PostgresHandle):
            self.backend_pid = connection.raw.get_server_pid()
            await connection.raw.add_listener(self.events_channel, self._on_events)
            await connection.raw.add_listener(
                progress_channel(self.db, self.name), self._on_progress
            )
        try:
            while not await self._leadership.try_acquire(connection):
                # `stop` sets the wake event and cancels; on Python 3.11 `wait_for` can
                # return the event instead of raising, so the flag is what ends this.
                if self._stopping:
                    return
                await self._follow(connection)
            self.is_active = True
            log.info("projector %s is active", self.name)
            await self._load(connection)
            while not self._stopping:
                await self._retry_requested(connection)
                if await self._step(connection):
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_interval)
                self._wake.clear()
        finally:
            await self._leadership.release(connection)

    def _on_events(self, *_: Any) -> None:
        self._wake.set()

    def _on_progress(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        if payload == "retry":
            self._wake.set()
            return
        if not self.is_active:
            asyncio.get_running_loop().create_task(self._learn_payload(payload))

    async def _learn_payload(self, payload: str) -> None:
        positions, updates = decode_progress(payload)
        for update in updates:
            self.broadcaster.publish(update)
        await self._learn(positions)

    async def _follow(self, connection: Connection) -> None:
        """Standby: learn the active projector's positions, then wait a little."""
        rows = await generations(connection)
        await self._learn(
            {g.view: g.position for g in rows if self._follows(g.view, g.generation, g.status)}
        )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), min(self.poll_interval, STANDBY_LOOK))
        self._wake.clear()

    def _follows(self, view: str, generation: int, status: str) -> bool:
        if view not in {v.name for v in self.views}:
            return False
        return self.fixed[view] == generation if self.fixed else status == LIVE

    async def _learn(self, positions: dict[str, int]) -> None:
        async with self._changed:
            for view, position in positions.items():
                if view in {v.name for v in self.views}:
                    self._known[view] = max(position, self._known.get(view, 0))
            self._changed.notify_all()

    # -- one step ---------------------------------------------------------------------------

    def _lowest(self) -> int:
        return min(t.position for t in self.targets.values())

    async def _load(self, handle: Handle) -> None:
        """(Re)read which generations to write, their positions and parked streams."""
        rows = await generations(handle)
        self.targets = {}
        for view in self.views:
            current = [g for g in rows if g.view == view.name]
            chosen = [g for g in current if self._follows(g.view, g.generation, g.status)]
            if not chosen:
                raise RuntimeError(f"view '{view.name}' has no generation to write")
            generation = chosen[0]
            target = Target(view, generation.generation, generation.position)
            target.parked = await parking.parked_streams(handle, view.name, target.generation)
            self.targets[view.name] = target
        await self._learn({name: t.position for name, t in self.targets.items()})

    async def _step(self, connection: Connection, stop: int | None = None) -> bool:
        """Process one page; False when there was nothing to do."""
        start = self._lowest()
        head = await self.log.head(connection)
        if stop is not None:
            head = min(head, stop)
        if head <= start:
            return False
        notes = await self.log.read(connection, start, head, self.topics, self.batch_size)
        reached = notes[-1].id if len(notes) == self.batch_size else head
        targets = list(self.targets.values())
        outcome = apply_page(notes, targets, self._decode, self.routes)
        await self._route(connection, outcome)
        positions = {t.view.name: max(t.position, reached) for t in targets}
        try:
            async with connection.transaction() as tx:
                await self._check_current(tx)
                await outcome.batch.flush(tx, bulk=self.db.is_postgres)
                await self._record(tx, outcome, positions)
        except Stale:
            log.info("projector %s: views moved under it; reloading", self.name)
            await self._load(connection)
            return True
        self.batches += 1
        self._committed(outcome, positions)
        await self._learn(positions)
        return True

    async def _check_current(self, tx: Handle) -> None:
        # Locks exactly the rows this runner writes, so a rebuild's switch and this commit
        # serialise, and a second writer of the same rows waits and then finds them moved.
        lock = " FOR UPDATE" if self.db.is_postgres else ""
        select = "SELECT view, generation, status, position FROM projection_tracking"
        if self.fixed is None:
            rows = await tx.fetch(f"{select} WHERE status = $1{lock}", LIVE)
        else:
            rows = []
            for view, generation in sorted(self.fixed.items()):
                rows += await tx.fetch(
                    f"{select} WHERE view = $1 AND generation = $2{lock}", view, generation
                )
        current = {
            r["view"]: (r["generation"], r["position"])
            for r in rows
            if self._follows(r["view"], r["generation"], r["status"])
        }
        for name, target in self.targets.items():
            if current.get(name) != (target.generation, target.position):
                raise Stale(name)

    async def _record(self, tx: Handle, outcome: Outcome, positions: dict[str, int]) -> None:
        if outcome.parked:
            await tx.executemany(
                "INSERT INTO parked_events (view, generation, notification_id, stream_id,"
                " stream_version, topic, error) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                outcome.parked,
            )
        if outcome.routes and self.fixed is None:
            await tx.executemany(
                "INSERT INTO projection_stream_forums (stream_id, forum_id) VALUES ($1, $2)"
                " ON CONFLICT (stream_id) DO NOTHING",
                [(str(s), str(f)) for s, f in outcome.routes.items()],
            )
        await tx.executemany(
            "UPDATE projection_tracking SET position = $1 WHERE view = $2 AND generation = $3",
            [(positions[n], n, t.generation) for n, t in self.targets.items()],
        )
        if self.db.is_postgres and self.fixed is None:
            await tx.execute(
                "SELECT pg_notify($1, $2)",
                progress_channel(self.db, self.name),
                encode_progress(outcome, positions),
            )

    async def _route(self, connection: Connection, outcome: Outcome) -> None:
        if self.fixed is None:
            await route_unknown(connection, outcome, self.routes)

    def _committed(self, outcome: Outcome, positions: dict[str, int]) -> None:
        for name, target in self.targets.items():
            target.position = positions[name]
            target.parked |= outcome.newly_parked.get(name, set())
        if len(self.routes) > 200_000:
            self.routes.clear()
        self.routes.update(outcome.routes)
        for name, touched in outcome.touched.items():
            self.broadcaster.publish(
                ViewUpdate(
                    name, positions[name], frozenset(touched.forums), frozenset(touched.streams)
                )
            )

    async def _retry_requested(self, connection: Connection) -> None:
        requested = await connection.fetch(
            "SELECT DISTINCT view, generation FROM parked_events WHERE retry_requested = 1"
        )
        wanted = {(r["view"], r["generation"]) for r in requested}
        for target in self.targets.values():
            if (target.view.name, target.generation) not in wanted:
                continue
            rows = await parking.parked_rows(connection, target.view.name, target.generation)
            notes = await self.log.read_ids(
                connection, [int(str(r["notification_id"])) for r in rows]
            )
            result = retry_parked(notes, target, self._decode)
            try:
                async with connection.transaction() as tx:
                    await self._check_current(tx)
                    await result.batch.flush(tx, bulk=self.db.is_postgres)
                    await parking.settle_retry(
                        tx, target.view.name, target.generation, result.applied, result.failed
                    )
            except Stale:
                await self._load(connection)
                return
            target.parked = await parking.parked_streams(
                connection, target.view.name, target.generation
            )
            self.broadcaster.publish(
                ViewUpdate(target.view.name, target.position, stream_ids=frozenset(result.streams))
            )
            async with self._changed:
                self._changed.notify_all()
