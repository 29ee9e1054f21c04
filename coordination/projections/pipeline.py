"""Pages of the log through the views: read, apply, write, with the next page overlapped.

Each page is read after the lowest position of the views being written, applied in
memory (`processing`), and then written in ONE transaction that checks that no other
writer moved those views meanwhile, writes the folded rows, the parked events and every
view's new position (`page_commit`). A crash before the commit leaves nothing; after
it, everything.

While one page's transaction runs on the projector's connection, the next page is read
on another connection and applied (in short slices, so the transaction's statements are
sent as soon as their predecessors return): the database works while this process
decodes. The next page is applied as if the current one committed (its parked streams
and routes count); if the commit fails, that page is dropped and everything is reloaded
from the database. Writes themselves stay strictly one after another.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.persistence import Notification

from coordination.persistence.event_log import EventReader
from coordination.persistence.readdb import (
    Connection,
    GatheredWrites,
    Handle,
    ReadDatabase,
    RowsCheck,
)
from coordination.projections import parking
from coordination.projections.page_commit import (
    Stale,
    position_check,
    record_page,
    tracking_key,
)
from coordination.projections.processing import Decode, Outcome, PageApplier, Target
from coordination.projections.routing import route_unknown
from coordination.projections.schema import LIVE, definitions, generations
from coordination.projections.view import View

#: Events applied between two chances for an in-flight transaction to send its next statement.
SLICE = 8
#: Routes (stream -> forum) kept in memory at most; the table keeps them all.
ROUTES_MAX = 200_000


@dataclass
class Page:
    """A page of the log, applied and ready to be written."""

    outcome: Outcome
    positions: dict[str, int]


#: Called after each commit with the page's outcome and the views' new positions.
Committed = Callable[[Outcome, dict[str, int]], Awaitable[None]]


class PagePipeline:
    """Feeds a set of view generations from the log, page by page (see the module docstring).

    Args:
        db: The read database (the next page is read through it).
        log: Where the log is read: the event table, or the verified log before it.
        views: The views to write.
        decode: Stored event -> domain event.
        fixed: Fixed generation per view (rebuilds); None follows the live ones.
        name: The projector's name (its progress channel).
        batch_size: Events per page (and per transaction) at most.
        committed: Told of every commit.
    """

    def __init__(
        self,
        db: ReadDatabase,
        log: EventReader,
        views: Sequence[View],
        decode: Decode,
        *,
        fixed: dict[str, int] | None,
        name: str,
        batch_size: int,
        committed: Committed,
    ) -> None:
        self.db, self.log, self.views, self.decode = db, log, tuple(views), decode
        self.fixed, self.name, self.batch_size = fixed, name, batch_size
        self.committed = committed
        self.topics = sorted({topic for view in self.views for topic in view.topics})
        self.names = {view.name for view in self.views}
        self.targets: dict[str, Target] = {}
        self.routes: dict[UUID, UUID] = {}
        #: Transactions committed (each one page of the log).
        self.batches = 0
        #: Whether the log may have grown since the head was last read. The projector
        #: that listens for inserts sets it; None (catch-ups, rebuilds) always looks.
        self.log_grew: Callable[[], bool] | None = None
        #: Where the log is read; the read database's pool when None.
        self.reader: Handle | None = None
        self._head = 0
        self._ahead: tuple[int, int | None, asyncio.Task[tuple[list[Notification], int]]] | None
        self._ahead = None

    def follows(self, view: str, generation: int, status: str) -> bool:
        """Whether this pipeline writes generation `generation` of `view`."""
        if view not in self.names:
            return False
        return self.fixed[view] == generation if self.fixed else status == LIVE

    def lowest(self) -> int:
        return min(t.position for t in self.targets.values())

    @property
    def head(self) -> int:
        """The head of the log as this pipeline last read it."""
        return self._head

    def at_head(self) -> bool:
        """Whether the views reached the head of the log as last read."""
        return self.lowest() >= self._head

    async def load(self, handle: Handle) -> dict[str, int]:
        """(Re)read which generations to write, their positions and parked streams."""
        rows = await generations(handle)
        built_with = await definitions(handle)
        self.targets = {}
        for view in self.views:
            chosen = [g for g in rows if g.view == view.name and self.follows(*tracking_key(g))]
            if not chosen:
                raise RuntimeError(f"view '{view.name}' has no generation to write")
            if built_with.get((view.name, chosen[0].generation)) != view.definition:
                # Another release's handlers would mix their rows into this generation.
                raise RuntimeError(
                    f"generation {chosen[0].generation} of view '{view.name}' was built with"
                    " another definition of the view than this process has: is a process of"
                    " another release running? This one will not write to it"
                )
            target = Target(view, chosen[0].generation, chosen[0].position)
            target.parked = await parking.parked_streams(handle, view.name, target.generation)
            self.targets[view.name] = target
        return {name: t.position for name, t in self.targets.items()}

    async def advance(
        self, connection: Connection, stop: int | None = None, pages: int | None = None
    ) -> bool:
        """Process pages up to `stop` (default: the head) or `pages` pages; False if none.

        A page that finds the views moved under it reloads them and ends the call.
        """
        try:
            return await self._advance(connection, stop, pages)
        except BaseException:
            await self.drop_ahead()
            raise

    async def _advance(self, connection: Connection, stop: int | None, pages: int | None) -> bool:
        page = await self._next(self.lowest(), stop, busy=False)
        if page is None:
            return False
        done = 0
        while page is not None:
            write = asyncio.create_task(self._write(connection, page))
            self._assume(page.outcome)
            try:
                following = None
                if pages is None or done + 1 < pages:
                    following = await self._next(min(page.positions.values()), stop, busy=True)
                await write
            except Stale:
                await self.drop_ahead()
                await self.load(connection)
                return True
            finally:
                if not write.done():
                    write.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Stale):
                        await write
            self.batches += 1
            for name, target in self.targets.items():
                target.position = page.positions[name]
            await self.committed(page.outcome, page.positions)
            done += 1
            page = following
        return True

    def _assume(self, outcome: Outcome) -> None:
        """Count a page's parked streams and routes, before or once it commits."""
        for name, streams in outcome.newly_parked.items():
            self.targets[name].parked |= streams
        if len(self.routes) > ROUTES_MAX:
            self.routes.clear()
        self.routes.update(outcome.routes)

    async def _next(self, after: int, stop: int | None, *, busy: bool) -> Page | None:
        """The page after `after`, applied; None when there is nothing to read.

        While a transaction is `busy` on the projector's connection, this yields to it
        every `SLICE` events. A full page starts reading the one after it at once.
        """
        if busy and self.log_grew is not None and after >= self._head and not self.log_grew():
            return None  # at the head, and nothing was inserted since it was read
        notes, reached = await self._read(after, stop)
        if not notes and reached <= after:
            return None
        if len(notes) == self.batch_size:
            self._ahead = (reached, stop, asyncio.create_task(self._fetch(reached, stop)))
        targets = list(self.targets.values())
        applier = PageApplier(targets, self.decode, self.routes)
        if busy:
            for start in range(0, len(notes), SLICE):
                applier.apply(notes[start : start + SLICE])
                await asyncio.sleep(0)
        else:
            applier.apply(notes)
        if self.fixed is None:
            await route_unknown(self.db, applier.outcome, self.routes)
        positions = {t.view.name: max(t.position, reached) for t in targets}
        return Page(applier.outcome, positions)

    async def _read(self, after: int, stop: int | None) -> tuple[list[Notification], int]:
        """The page after `after`, from the read started ahead if it is that one."""
        ahead = self._ahead
        if ahead is not None and ahead[:2] == (after, stop):
            self._ahead = None
            return await ahead[2]
        await self.drop_ahead()
        return await self._fetch(after, stop)

    async def _fetch(self, after: int, stop: int | None) -> tuple[list[Notification], int]:
        """Up to a page of events after `after`, and the position they take the views to."""
        reader = self.reader or self.db
        if after >= self._head:
            self._head = await self.log.head(reader)
        head = self._head if stop is None else min(self._head, stop)
        if head <= after:
            return [], after
        notes = await self.log.read(reader, after, self.batch_size, until=head, topics=self.topics)
        return notes, notes[-1].id if len(notes) == self.batch_size else head

    async def drop_ahead(self) -> None:
        """Drop a read started ahead (the caller stops, or the views moved)."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            ahead[2].cancel()
            with contextlib.suppress(BaseException):
                await ahead[2]

    async def _write(self, connection: Connection, page: Page) -> None:
        if self.db.is_postgres:
            # PostgreSQL checks when it moves the positions, in the same statement.
            async with connection.transaction() as tx:
                await page.outcome.batch.flush(tx, bulk=True)
                await self._record(tx, page.outcome, page.positions)
            return
        # SQLite: the check and the page's statements go to the connection's thread in one
        # hand-off, instead of a turn of the (busy) event loop for each statement.
        writes = GatheredWrites()
        await page.outcome.batch.flush(writes, bulk=False)
        await self._record(writes, page.outcome, page.positions)
        await connection.write_gathered(writes, check=self.current_check())

    async def check_current(self, tx: Handle) -> None:
        """Raise `Stale` unless every view is still where this pipeline believes it is."""
        check = self.current_check()
        check.verify(await tx.fetch(check.sql, *check.args))

    def current_check(self) -> RowsCheck:
        """The check that every view is still where this pipeline believes it is: its
        `verify` raises `Stale` otherwise."""
        return position_check(self.db, self.targets, self.fixed, self.follows)

    async def _record(self, tx: Handle, outcome: Outcome, positions: dict[str, int]) -> None:
        await record_page(
            tx, self.db, outcome, positions, self.targets, fixed=self.fixed, name=self.name
        )
