"""In-process broadcast of "view updated" notices, for GraphQL subscriptions.

Every subscriber gets its own bounded queue; a subscriber that does not keep up loses its
oldest notices rather than slowing the projector (each notice only says "look again").
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from dataclasses import dataclass, field
from uuid import UUID

QUEUE_MAX = 1000


@dataclass(frozen=True)
class ViewUpdate:
    """A view has applied events up to `position`.

    Attributes:
        view: The view's name.
        position: The notification id it now includes.
        forum_ids: The partnerships and working groups whose data changed.
        stream_ids: The streams whose events were applied.
        all_forums: True when the lists were too long to send: treat every forum as changed.
    """

    view: str
    position: int
    forum_ids: frozenset[UUID] = field(default_factory=frozenset)
    stream_ids: frozenset[UUID] = field(default_factory=frozenset)
    all_forums: bool = False


class Subscription:
    """An async iterator of `ViewUpdate`s, registered from the moment it is made.

    Close it (``await subscription.aclose()``), leave its ``async with`` block, or drop it.
    """

    def __init__(self, broadcaster: Broadcaster) -> None:
        self._broadcaster = broadcaster
        self.queue: asyncio.Queue[ViewUpdate] = asyncio.Queue(QUEUE_MAX)
        broadcaster.queues.add(self.queue)
        # A consumer that just drops its iterator (a closed GraphQL subscription) unsubscribes.
        weakref.finalize(self, broadcaster.queues.discard, self.queue)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> ViewUpdate:
        if self.queue not in self._broadcaster.queues:
            raise StopAsyncIteration
        return await self.queue.get()

    async def aclose(self) -> None:
        self._broadcaster.queues.discard(self.queue)

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


class Broadcaster:
    """Fan-out of `ViewUpdate`s to any number of async subscribers."""

    def __init__(self) -> None:
        self.queues: set[asyncio.Queue[ViewUpdate]] = set()

    def publish(self, update: ViewUpdate) -> None:
        for queue in self.queues:
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(update)

    def subscribe(self) -> Subscription:
        """Every update published from now on."""
        return Subscription(self)

    @property
    def subscribers(self) -> int:
        return len(self.queues)
