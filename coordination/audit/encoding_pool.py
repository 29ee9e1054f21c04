"""Encoding in a worker process, so that the integrator's writes and its encoding overlap.

The integrator is CPU-bound in one interpreter: reading, encoding and (on SQLite) the
database's own work share one lock. Encoding is pure (rows in, entry bytes and leaf
hashes out), so one worker process can encode batch N+1 while the integrator writes
batch N. The worker never writes; its results are matched to their rows by position,
and a failure there (an exception, or the process killed) is raised to the integrator
from the batch it concerns, never skipped. The pool is started from a fresh interpreter
(``spawn``; forking a threaded process is unsafe), on first use, and restarted after it
breaks. Until the worker has started, batches are encoded in-process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .direct_encoder import DirectEncoder, EncodedRow
from .storage import EventRow

MIN_ROWS = 200
"""Batches smaller than this are encoded in-process: live batches of a few events would
only wait on the round trip."""

_worker: dict[str, DirectEncoder] = {}  # in the worker process: its encoder


def _start_worker(origin: str) -> None:
    _worker["encoder"] = DirectEncoder(origin)


def _ready() -> int:
    """A first call that tells the pool's user the worker is running; its process id."""
    return os.getpid()


def _encode_rows(rows: Sequence[EventRow], first: int) -> list[EncodedRow | None]:
    return _worker["encoder"].encode_rows(rows, first)


class EncodingPool:
    """One worker process that runs ``DirectEncoder.encode_rows`` for large batches.

    Args:
        origin: The log's origin (the worker builds its own ``DirectEncoder``).
        min_rows: Batches of fewer rows are not sent to the worker.
    """

    def __init__(self, origin: str, *, min_rows: int = MIN_ROWS) -> None:
        self.origin, self.min_rows = origin, min_rows
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._started: Future[int] | None = None

    def submit(
        self, rows: Sequence[EventRow], first: int
    ) -> Callable[[], list[EncodedRow | None]] | None:
        """Send ``rows`` to the worker, if they are many and the worker is running.

        Starts the worker on the first large batch. Returns a call that waits for the
        encodings (and raises what the worker raised, or ``BrokenProcessPool`` if it
        died), or None when the caller should encode in-process.
        """
        if len(rows) < self.min_rows:
            return None
        executor, started = self._start()
        if not started.done():
            return None  # encode in-process while the worker starts
        try:
            started.result()
            future = executor.submit(_encode_rows, rows, first)
        except BrokenProcessPool:
            self._discard(executor)
            raise
        return lambda: self._result(executor, future)

    def _start(self) -> tuple[ProcessPoolExecutor, Future[int]]:
        with self._lock:
            if self._executor is None or self._started is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                    initargs=(self.origin,),
                )
                self._started = self._executor.submit(_ready)
            return self._executor, self._started

    def start(self, timeout: float | None = None) -> int:
        """Start the worker now, if it is not running, and wait until it runs.

        Returns:
            The worker's process id.
        """
        executor, started = self._start()
        try:
            return started.result(timeout)
        except BrokenProcessPool:
            self._discard(executor)
            raise

    def _result(
        self, executor: ProcessPoolExecutor, future: Future[list[EncodedRow | None]]
    ) -> list[EncodedRow | None]:
        try:
            return future.result()
        except BrokenProcessPool:
            self._discard(executor)
            raise

    def _discard(self, executor: ProcessPoolExecutor) -> None:
        """Forget a broken pool, so that the next large batch starts a new worker."""
        with self._lock:
            if self._executor is executor:
                self._executor = self._started = None
        executor.shutdown(wait=False, cancel_futures=True)

    def worker_pid(self) -> int | None:
        """The worker's process id once it runs (tests kill it), else None."""
        started = self._started
        if started is None or not started.done() or started.exception() is not None:
            return None
        return started.result()

    def close(self) -> None:
        """Stop the worker and wait for it; a later large batch starts a new one."""
        with self._lock:
            executor, self._executor, self._started = self._executor, None, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
