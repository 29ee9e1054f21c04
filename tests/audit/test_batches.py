"""The integrator's read-ahead (`BatchReader`): batches in order, and a bound on a read
the database never answers."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from coordination.audit.batches import Batch, BatchReader, BatchReadTimeout
from coordination.audit.storage import Position


def batch_after(position: Position, size: int = 2) -> Batch:
    end = Position(position.notification_id + size, position.size + size)
    return Batch(lambda: [], size, end)


def test_batches_come_in_order_until_one_is_not_full() -> None:
    sizes = iter([2, 2, 1])

    def read(position: Position) -> Batch | None:
        return batch_after(position, next(sizes))

    reader = BatchReader(read, Position(0, 0), more=lambda b: b.count == 2)
    try:
        ends = [batch.end.size for batch in reader]
    finally:
        reader.close()
    assert ends == [2, 4, 5]


def test_a_read_that_never_returns_ends_in_a_timeout_not_a_hang(
    caplog: pytest.LogCaptureFixture,
) -> None:
    released = threading.Event()

    def hanging(_: Position) -> Batch | None:
        released.wait(60)  # a database that does not answer
        return None

    reader = BatchReader(hanging, Position(0, 0), more=lambda _: True, read_timeout=0.2)
    started = time.monotonic()
    try:
        with pytest.raises(BatchReadTimeout, match="does not answer"):
            list(reader)
        assert time.monotonic() - started < 10
        with caplog.at_level(logging.WARNING, logger="coordination.audit"):
            reader.close(timeout=0.1)  # returns: the stuck thread is left behind
        assert "stuck in a read" in caplog.text
    finally:
        released.set()
