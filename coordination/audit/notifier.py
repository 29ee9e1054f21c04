"""Wake-ups when the log grows, for threads and for event loops alike.

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
        self._cond = threading.Condition()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

    @property
    def size(self) -> int:
        """The largest size published so far (-1 before the first)."""
        return self._size

    def publish(self, size: int) -> None:
        """Record that a checkpoint of ``size`` entries is signed; wake everyone it concerns."""
        with self._cond:
            if size <= self._size:
                return
            self._size = size
            self._cond.notify_all()
            waiters = list(self._waiters)
        for loop, event in waiters:
            # A loop that closed meanwhile has no waiter left to wake.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(event.set)

    async def wait_beyond(self, size: int, timeout: float) -> bool:
        """Wait on the running loop until a checkpoint larger than ``size`` is published.

        Returns:
            Whether one was published before ``timeout`` seconds passed.
        """
        waiter = (asyncio.get_running_loop(), asyncio.Event())
        with self._cond:
            if self._size > size:
                return True
            self._waiters.add(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter[1].wait(), timeout)
        finally:
            with self._cond:
                self._waiters.discard(waiter)
        return self._size > size

    def wait_beyond_sync(self, size: int, timeout: float) -> bool:
        """Like ``wait_beyond``, blocking the calling thread."""
        with self._cond:
            return self._cond.wait_for(lambda: self._size > size, timeout)
