"""Read-ahead for the integrator: the next batch is read and encoded while the last is written.

Reading events and encoding envelopes is Python work; writing a batch mostly waits on the
database (which releases the interpreter lock). A thread of its own keeps one or two
batches ready, so the two overlap; with an ``EncodingPool`` the thread only reads and
hands the encoding to a worker process, and the writer waits for each batch's entries in
turn. It never writes: the writer still checks, batch by batch, that the position it
expects is the stored one.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

from .storage import LogEntry, Position

log = logging.getLogger("coordination.audit")

_DONE: Final = object()
_PUT_SLICE_S = 0.1
#: How long the writer waits for the next batch before it gives up on the database.
READ_TIMEOUT_S = 300.0
#: How long `close` waits for the read-ahead thread before leaving it behind.
JOIN_TIMEOUT_S = 5.0


class BatchReadTimeout(TimeoutError):
    """No batch was read in time: the database does not answer the integrator's reads."""


@dataclass(frozen=True, slots=True)
class Batch:
    """A batch read, ready to be written: its entries (from ``entries()``, which may wait
    for a worker process to encode them), their number and the position after them."""

    entries: Callable[[], list[LogEntry]]
    count: int
    end: Position


class BatchReader:
    """Yields the batches after ``start``, read by ``read`` in a background thread.

    Args:
        read: Reads and encodes the batch after a position; None when there is none.
        start: The position to read after.
        more: Whether to read on after a batch (e.g. it was full: more may be waiting).
        until: A ``time.monotonic()`` moment after which no further batch is read.
        depth: Batches kept ready ahead of the writer.
        read_timeout: Seconds the writer waits for a batch before it raises
            `BatchReadTimeout` (a read the database never answers would otherwise hold
            the integrator for ever, silently).
    """

    def __init__(
        self,
        read: Callable[[Position], Batch | None],
        start: Position,
        *,
        more: Callable[[Batch], bool],
        until: float | None = None,
        depth: int = 2,
        read_timeout: float = READ_TIMEOUT_S,
    ) -> None:
        self._read_timeout = read_timeout
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(read, start, more, until), name="integrator-reader", daemon=True
        )
        self._thread.start()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_PUT_SLICE_S)
            except queue.Full:
                continue
            return True
        return False

    def _run(
        self,
        read: Callable[[Position], Batch | None],
        position: Position,
        more: Callable[[Batch], bool],
        until: float | None,
    ) -> None:
        try:
            while not self._stop.is_set():
                batch = read(position)
                if batch is None or not self._put(batch):
                    break
                position = batch.end
                if not more(batch) or (until is not None and time.monotonic() >= until):
                    break
        except BaseException as error:  # handed to the writer, which raises it
            self._put(error)
            return
        self._put(_DONE)

    def __iter__(self) -> Iterator[Batch]:
        while True:
            try:
                item = self._queue.get(timeout=self._read_timeout)
            except queue.Empty:
                raise BatchReadTimeout(
                    f"no batch of events was read in {self._read_timeout:.0f} s:"
                    " the database does not answer the integrator's reads"
                ) from None
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, Batch)
            yield item

    def close(self, timeout: float = JOIN_TIMEOUT_S) -> None:
        """Stop reading ahead and wait for the thread, within `timeout`: a thread stuck in
        a read that never returns is left behind (it is a daemon), not waited for."""
        self._stop.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("the integrator's read-ahead thread is stuck in a read; left behind")
