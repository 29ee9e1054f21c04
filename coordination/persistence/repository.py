"""A repository whose aggregate cache is safe under threads.

The library fast-forwards a cached aggregate under a lock but deep-copies it outside
that lock, so one thread can copy an aggregate while another applies new events to it
("dictionary changed size during iteration"). API handlers run commands on a thread
pool, so every `get` of one stream is serialised here; different streams still run in
parallel (striped locks keep memory bounded).
"""

from __future__ import annotations

from threading import Lock
from typing import Any
from uuid import UUID

from eventsourcing.application import Repository

STRIPES = 64


class ThreadSafeRepository(Repository[UUID]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stripes = [Lock() for _ in range(STRIPES)]

    def get(self, aggregate_id: UUID, *args: Any, **kwargs: Any) -> Any:
        with self._stripes[hash(aggregate_id) % STRIPES]:
            return super().get(aggregate_id, *args, **kwargs)
