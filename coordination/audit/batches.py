"""Read-ahead for the integrator: the next batch is read and encoded while the last is written.

Reading events and encoding envelopes is Python work; writing a batch mostly waits on the
database (which releases the interpreter lock). A thread of its own keeps one or two
batches ready, so the two overlap; with an ``EncodingPool`` the thread only reads and
hands the encoding to a worker process, and the writer waits for each batch's entries in
turn. It never writes: the writer still checks, batch by batch, that the position it
expects is the stored one.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

from .storage import LogEntry, Position

_DONE: Final = object()
_PUT_SLICE_S = 0.1


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
    """

    def __init__(
        self,
        read: Callable[[Position], Batch | None],
        start: Position,
        *,
        more: Callable[[Batch], bool],
        until: float | None = None,
        depth: int = 2,
    ) -> None:
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
            item = self._queue.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, Batch)
            yield item

    def close(self) -> None:
        """Stop reading ahead and wait for the thread."""
        self._stop.set()
        self._thread.join()
