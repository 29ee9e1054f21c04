"""The projector: feeds the views from the log, exactly once, in one process at a time.

The pages themselves go through a `PagePipeline` (read, apply, write each in one
transaction, the next page overlapped with the current one's writes). Catch-up pages
are large (`batch_size` events per transaction); at the head a page is whatever arrived,
written as soon as it is applied. The process that holds the projector's lock
(`leadership`) is active; the others stand by, follow its progress (for `wait_until`
and subscriptions), and take over when its connection goes away. On PostgreSQL the
active projector reads the log on a second connection of its own, so that page queries
filling the read pool never hold up the views.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from coordination.persistence.event_log import EventLog, EventReader, events_table
from coordination.persistence.readdb import Connection, Handle, ReadDatabase
from coordination.persistence.readdb_postgres import PostgresHandle
from coordination.projections import parking
from coordination.projections.decoding import EventDecoder
from coordination.projections.leadership import leadership_for
from coordination.projections.parked_retry import retry_requested
from coordination.projections.pipeline import PagePipeline
from coordination.projections.processing import Outcome
from coordination.projections.progress import decode_progress, progress_channel
from coordination.projections.schema import generations
from coordination.projections.updates import Broadcaster, Subscription, ViewUpdate
from coordination.projections.view import UNREAD_METADATA, View
from coordination.projections.views import ALL_VIEWS

log = logging.getLogger(__name__)


#: Seconds between a standby's attempts to take the lock (and looks at the positions).
STANDBY_LOOK = 0.25
#: Pages the active projector writes before it looks for retry requests again.
LEAD_PAGES = 10
#: Seconds between looks for retry requests nobody announced (SQLite has no
#: notifications; on PostgreSQL a request notifies the projector at once).
RETRY_LOOK = 2.0


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
        log: Where the log is read; the event table when None (a rebuild reads the
            verified log first: ``audit.verified_reader``).
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
        log: EventReader | None = None,
    ) -> None:
        self.db, self.app, self.views, self.name = db, app, tuple(views), name
        self.fixed = generations
        self.batch_size = batch_size or (2000 if db.is_postgres else 500)
        self.restart_delay = restart_delay
        self.poll_interval = poll_interval or (1.0 if db.is_postgres else 0.1)
        self.log = log if log is not None else EventLog(db, events_table(app))
        # The library's recorder NOTIFYs a channel named after its table on every insert.
        self.events_channel = events_table(app).replace(".", "_")
        self.pipeline = PagePipeline(
            db,
            self.log,
            self.views,
            EventDecoder(app.mapper, omit=UNREAD_METADATA),
            fixed=generations,
            name=name,
            batch_size=self.batch_size,
            committed=self._committed,
        )
        self.broadcaster = Broadcaster()
        self.is_active = False
        self.backend_pid: int | None = None
        self._known: dict[str, int] = {}
        self._changed = asyncio.Condition()
        self._wake = asyncio.Event()
        self._retry_wanted = True
        self._retry_looked = 0.0
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._leadership = leadership_for(db, name)
        self._progress: Callable[[], Awaitable[None] | None] | None = None

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
        if not self.is_active or position > self.pipeline.head:
            # Active: sooner than the insert's notification (SQLite has none). Standby:
            # read the views' positions now rather than wait for the projector's word.
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
        if await parking.request_retry(self.db, view, progress_channel(self.db, self.name)):
            self._retry_wanted = True
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

    @property
    def batches(self) -> int:
        """Transactions this runner has committed (each one page of the log)."""
        return self.pipeline.batches

    async def catch_up(
        self,
        stop: int | None = None,
        progress: Callable[[int, int], Awaitable[None] | None] | None = None,
    ) -> int:
        """Process the log up to `stop` (default: the head now) in this task; no lock.

        For rebuilds, replay checks and tests. Returns the position reached. `progress`
        is called after each committed page; when it returns an awaitable, the next page
        waits for it (without holding up the event loop).
        """
        async with self.db.dedicated() as connection:
            await self._load(connection)
            head = stop if stop is not None else await self.log.head(connection)
            self._progress = None if progress is None else lambda: progress(self._lowest(), head)
            try:
                while self._lowest() < head:
                    await self.pipeline.advance(connection, head)
            finally:
                self._progress = None
                await self.pipeline.drop_ahead()
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
                await self._pause(backoff)
                backoff = min(backoff * 2, max(10.0, self.restart_delay))

    async def _pause(self, seconds: float) -> None:
        """Wait `seconds` before contending again, or, while the database is known to be
        down, until it is back (looked at every `STANDBY_LOOK` s; no round trip): the
        projector tries nothing during an outage and resumes within a look of its end."""
        loop = asyncio.get_running_loop()
        until, outage = loop.time() + seconds, False
        while not self._stopping:
            if self.db.availability.down:
                outage = True
            elif outage or loop.time() >= until:
                return
            await asyncio.sleep(STANDBY_LOOK if outage else min(STANDBY_LOOK, until - loop.time()))

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
            self._retry_wanted = True
            # Cleared before the head is read: an insert after that read sets it again.
            self.pipeline.log_grew = self._wake.is_set
            async with self._log_reader() as reader:
                self.pipeline.reader = reader
                try:
                    await self._follow_the_log(connection)
                finally:
                    await self.pipeline.drop_ahead()  # a read ahead runs on the reader
                    self.pipeline.reader = None
        finally:
            self.pipeline.log_grew = None
            await self.pipeline.drop_ahead()
            await self._leadership.release(connection)

    async def _follow_the_log(self, connection: Connection) -> None:
        """Active: write each page of the log into the views, then wait for more."""
        while not self._stopping:
            self._wake.clear()
            await self._retry_if_requested(connection)
            # A bounded number of pages, so that retry requests are seen during catch-up.
            moved = await self.pipeline.advance(connection, pages=LEAD_PAGES)
            if moved and (not self.pipeline.at_head() or self._wake.is_set()):
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)

    @contextlib.asynccontextmanager
    async def _log_reader(self) -> AsyncIterator[Handle | None]:
        """A connection of the active projector's own for reading the log (PostgreSQL).

        Through the pool, its reads queued behind the page queries of busy readers: every
        write waited for a free pooled connection before the views could include it.
        """
        if not self.db.is_postgres:
            yield None  # SQLite reads on the read side's own thread, pool or not
            return
        async with self.db.dedicated() as reader:
            yield reader

    def _on_events(self, *_: Any) -> None:
        if self.is_active:  # a standby learns positions from the progress notifications
            self._wake.set()

    def _on_progress(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        if payload == "retry":
            self._retry_wanted = True
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
            {
                g.view: g.position
                for g in rows
                if self.pipeline.follows(g.view, g.generation, g.status)
            }
        )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), min(self.poll_interval, STANDBY_LOOK))
        self._wake.clear()

    async def _learn(self, positions: dict[str, int]) -> None:
        async with self._changed:
            for view, position in positions.items():
                if view in self.pipeline.names:
                    self._known[view] = max(position, self._known.get(view, 0))
            self._changed.notify_all()

    # -- pages ------------------------------------------------------------------------------

    def _lowest(self) -> int:
        return self.pipeline.lowest()

    async def _load(self, connection: Connection) -> None:
        await self._learn(await self.pipeline.load(connection))

    async def _committed(self, outcome: Outcome, positions: dict[str, int]) -> None:
        for name, touched in outcome.touched.items():
            self.broadcaster.publish(
                ViewUpdate(
                    name, positions[name], frozenset(touched.forums), frozenset(touched.streams)
                )
            )
        await self._learn(positions)
        if self._progress is not None:
            reported = self._progress()
            if reported is not None:
                await reported

    async def _retry_if_requested(self, connection: Connection) -> None:
        """Retry parked events if asked to, or if `RETRY_LOOK` passed since the last look."""
        now = asyncio.get_running_loop().time()
        if not self._retry_wanted and now - self._retry_looked < RETRY_LOOK:
            return
        self._retry_wanted, self._retry_looked = False, now
        updates = await retry_requested(self.pipeline, connection)
        for update in updates:
            self.broadcaster.publish(update)
        if updates:
            async with self._changed:
                self._changed.notify_all()
