"""Wake-ups when the log grows (or its checkpoint gains cosignatures), for threads and
for event loops alike.

The integrator runs in a thread; long-polling HTTP handlers wait on an event loop. A
handler registers an ``asyncio.Event`` with its loop; ``publish`` sets it from any thread
through ``call_soon_threadsafe``, so no handler holds a worker thread while it waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading


class LogNotifier:
    """The size of the latest signed checkpoint known to this process."""

    def __init__(self) -> None:
        self._size = -1
        self._cosigned = 0
        self._cond = threading.Condition()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

    @property
    def size(self) -> int:
        """The largest size published so far (-1 before the first)."""
        return self._size

    @property
    def cosigned(self) -> int:
        """How often cosignatures were gathered in this process: a generation to wait past."""
        return self._cosigned

    def publish_cosignatures(self) -> None:
        """Record that cosignatures were kept for a checkpoint; wake every waiter.

        Only this process learns it: the gatherer runs in one process of the node, so a
        long poll served by another wakes at the next checkpoint or its wait's end.
        """
        with self._cond:
            self._cosigned += 1
            self._cond.notify_all()
            waiters = list(self._waiters)
        self._wake(waiters)

    def publish(self, size: int) -> None:
        """Record that a checkpoint of ``size`` entries is signed; wake everyone it concerns."""
        with self._cond:
            if size <= self._size:
                return
            self._size = size
            self._cond.notify_all()
            waiters = list(self._waiters)
        self._wake(waiters)

    @staticmethod
    def _wake(waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]]) -> None:
        for loop, event in waiters:
            # A loop that closed meanwhile has no waiter left to wake.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(event.set)

    async def wait_beyond(self, size: int, timeout: float, cosigned: int | None = None) -> bool:
        """Wait on the running loop until a checkpoint larger than ``size`` is published
        (or, given ``cosigned``, until cosignatures are gathered past that generation).

        Returns:
            Whether a larger checkpoint was published before ``timeout`` seconds passed.
        """
        loop = asyncio.get_running_loop()
        waiter, deadline = (loop, asyncio.Event()), loop.time() + timeout
        while True:
            with self._cond:
                if self._size > size or cosigned not in (None, self._cosigned):
                    return self._size > size
                waiter[1].clear()
                self._waiters.add(waiter)
            try:
                await asyncio.wait_for(waiter[1].wait(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                return self._size > size
            finally:
                with self._cond:
                    self._waiters.discard(waiter)

    def wait_beyond_sync(self, size: int, timeout: float) -> bool:
        """Like ``wait_beyond``, blocking the calling thread."""
        with self._cond:
            return self._cond.wait_for(lambda: self._size > size, timeout)
