"""The in-process tail of the event log that live subscriptions listen to.

One task per process follows the log and fans each new event out to the subscribers'
queues. It wakes when this process's mutations call `wake()`, when the projector
reports that the views moved (the projector learns of other processes' events from
PostgreSQL's notifications or its own polling), and otherwise polls every
`poll_interval` seconds. It starts with the first
subscriber and runs until `stop()`. A subscriber that falls `queue_size` events behind
is ended with an error rather than allowed to hold the tail back or grow without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from coordination.graphql.errors import RequestError
from coordination.graphql.event_log import EventReader, LoggedEvent
from coordination.persistence.availability import is_connection_failure

log = logging.getLogger("coordination.graphql.tail")

#: Most events a subscriber may replay from an earlier position before going live.
CATCH_UP_LIMIT = 10_000


class _Subscriber:
    def __init__(self, size: int) -> None:
        self.queue: asyncio.Queue[LoggedEvent] = asyncio.Queue(size)
        self.overflowed = False

    def offer(self, event: LoggedEvent) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True


class EventTail:
    """Follows the log and hands new events to subscribers.

    Args:
        reader: Reads and decodes the log.
        wakers: The projector's view updates (anything whose `subscribe()` is an async
            context manager and iterator); each update wakes the tail.
        poll_interval: Seconds between looks at the log when nothing woke the tail.
        batch: Events read per look.
        queue_size: Events a subscriber may lag behind before it is ended.
    """

    def __init__(
        self,
        reader: EventReader,
        *,
        wakers: Any = None,
        poll_interval: float = 0.5,
        batch: int = 500,
        queue_size: int = 1000,
    ) -> None:
        self.reader, self.wakers = reader, wakers
        self.poll_interval, self.batch, self.queue_size = poll_interval, batch, queue_size
        self.position = 0
        self._subscribers: set[_Subscriber] = set()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._waker: asyncio.Task[None] | None = None
        self._started = asyncio.Event()

    def wake(self) -> None:
        """Look at the log now (a mutation of this process has just recorded events)."""
        self._wakeup.set()

    async def subscribe(self, after: int | None = None) -> AsyncIterator[LoggedEvent]:
        """Every event recorded from now on, or after position `after` when given.

        Raises:
            RequestError: The subscriber fell too far behind, or `after` is too far back.
        """
        await self._ensure_running()
        subscriber = _Subscriber(self.queue_size)
        self._subscribers.add(subscriber)
        live_from = self.position
        try:
            if after is not None and after < live_from:
                if live_from - after > CATCH_UP_LIMIT:
                    raise RequestError(
                        f"afterLogPosition {after} is more than {CATCH_UP_LIMIT} events back:"
                        " read the audit trail to catch up, then subscribe",
                        "BAD_USER_INPUT",
                        argument="afterLogPosition",
                    )
                async for event in self._history(after, live_from):
                    yield event
            while True:
                if subscriber.overflowed:
                    raise RequestError(
                        "this subscription fell too far behind the log; subscribe again",
                        "SUBSCRIPTION_OVERFLOW",
                    )
                yield await subscriber.queue.get()
        finally:
            self._subscribers.discard(subscriber)

    async def _history(self, after: int, until: int) -> AsyncIterator[LoggedEvent]:
        position = after
        while position < until:
            events = await self.reader.after(position, self.batch)
            for event in events:
                if event.position > until:
                    return
                yield event
            if len(events) < self.batch:
                return
            position = events[-1].position

    async def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._started = asyncio.Event()
            self._task = asyncio.create_task(self._follow(), name="coordination-event-tail")
            if self.wakers is not None:
                self._waker = asyncio.create_task(self._wake_on_updates())
        await self._started.wait()

    async def _wake_on_updates(self) -> None:
        async with self.wakers.subscribe() as updates:
            async for _ in updates:
                self.wake()

    async def _follow(self) -> None:
        while not self._started.is_set():
            try:
                self.position = await self.reader.head()
                self._started.set()
            except Exception:
                log.exception("the event tail cannot read the log's head; it retries")
                await asyncio.sleep(self.poll_interval)
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self.poll_interval)
            self._wakeup.clear()
            try:
                await self._read_new()
            except Exception as error:
                # An outage is logged once, by the node, not at every look.
                if not is_connection_failure(error):
                    log.exception("the event tail could not read the log; it retries")

    async def _read_new(self) -> None:
        while True:
            events = await self.reader.after(self.position, self.batch)
            for event in events:
                self.position = event.position
                for subscriber in self._subscribers:
                    subscriber.offer(event)
            if len(events) < self.batch:
                return

    async def stop(self) -> None:
        """End the following tasks (at shutdown)."""
        for task in (self._task, self._waker):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._task = self._waker = None
