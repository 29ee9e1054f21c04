"""Hot streams: writers of a stream that just lost a race queue up instead of racing again.

Optimistic concurrency alone degrades badly when several threads of one process write the
same stream (a lively decision): each round only one of them wins, and a thread can lose
again and again. Once a race is lost on a stream, the stream is "hot" for a short while,
and every command of this process that loads it first takes that stream's lock, so they
run one after another. Other processes are still kept honest by the database's
(stream, version) key.

A command holds at most one of these locks, and takes it before touching the database,
so two commands can never wait for each other in a cycle.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

STRIPES = 64
COOL_DOWN_S = 2.0

_OUTSIDE = object()


class HotStreams:
    def __init__(self, *, stripes: int = STRIPES, cool_down_s: float = COOL_DOWN_S) -> None:
        self._locks = [threading.Lock() for _ in range(stripes)]
        self._hot: dict[UUID, float] = {}
        self._cool_down_s = cool_down_s
        self._local = threading.local()

    def mark(self, stream_id: UUID) -> None:
        """A race on `stream_id` was lost: queue its writers for a while."""
        self._hot[stream_id] = time.monotonic() + self._cool_down_s

    @contextmanager
    def command(self, stream_id: UUID | None = None) -> Iterator[None]:
        """The scope of one attempt of a command; `stream_id` is locked from the start."""
        self._local.held = None
        try:
            if stream_id is not None:
                self._acquire(stream_id)
            yield
        finally:
            held = self._local.held
            self._local.held = _OUTSIDE
            if held is not None:
                held.release()

    def loading(self, stream_id: UUID) -> bool:
        """Called as a command loads a stream: waits for its turn if the stream is hot.

        True when it waited: what was read of the stream before is stale.
        """
        if getattr(self._local, "held", _OUTSIDE) is not None:
            return False  # outside a command, or already holding a stream's lock
        expiry = self._hot.get(stream_id)
        if expiry is None:
            return False
        if expiry < time.monotonic():
            self._hot.pop(stream_id, None)
            return False
        self._acquire(stream_id)
        return True

    def _acquire(self, stream_id: UUID) -> None:
        lock = self._locks[hash(stream_id) % len(self._locks)]
        lock.acquire()
        self._local.held = lock
