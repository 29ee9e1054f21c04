"""What the integrated log keeps, and the storage interface both databases implement.

Tables (beside the event store's, in the same SQLite file or PostgreSQL schema):

- ``log_entries``: one row per log index: the notification it came from, the event's id,
  stream, type and audience, the leaf hash and the exact entry bytes;
- ``log_hashes``: the stored hashes of the Merkle tree (``coordination.audit.stored``);
- ``log_checkpoints``: every signed checkpoint, by tree size;
- ``integrator_position``: one row: the last notification integrated and the log size.

The integrator changes them only inside one ``LogStorage.transaction()``, whose first
step locks the position row, so index, bytes, hashes and position move together.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    from eventsourcing.application import Application

    from coordination.persistence.eventstore import DatabaseTarget

#: Rows per statement when reading by a list of keys.
READ_CHUNK = 500


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One entry of the log, as stored (ids as their canonical text, as in the envelope)."""

    index: int
    notification_id: int
    event_id: str
    stream_id: str
    stream_version: int
    type: str
    audience: str
    leaf_hash: bytes
    entry: bytes


EventRow = tuple[int, str, int, str, bytes]
"""A recorded event as the integrator reads it from the event table: notification id,
stream id as text, stream version, topic and stored state."""


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    """A signed checkpoint: the tree size, its root hash and the signed note."""

    size: int
    root: bytes
    note: str
    signed_at: datetime


@dataclass(frozen=True, slots=True)
class Position:
    """How far the integrator got: the last notification id integrated, and the log size."""

    notification_id: int
    size: int


class StorageCorruptError(RuntimeError):
    """Stored log data is missing or contradicts itself; the message says what."""


class LogTransaction(Protocol):
    """The integrator's write transaction; ``lock_position`` comes first."""

    def lock_position(self) -> Position:
        """Lock the position row until commit and return it."""

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        """The stored hashes at ``indexes``, in order (a ``HashReader``)."""

    def insert_entries(self, entries: Sequence[LogEntry]) -> None:
        """Add entries (their indexes follow the locked position's size)."""

    def insert_hashes(self, first: int, hashes: Sequence[bytes]) -> None:
        """Add stored hashes at storage indexes ``first``, ``first + 1``, ..."""

    def set_position(self, position: Position) -> None:
        """Move the position row."""

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        """The largest signed checkpoint."""

    def insert_checkpoint(self, checkpoint: StoredCheckpoint) -> None:
        """Store a signed checkpoint and tell listeners of the log when this commits."""


class IntegratorSession(Protocol):
    """The integrator's own connection: leadership among processes, and wake-ups."""

    def try_lead(self) -> bool:
        """Become (or stay) the one integrator; False while another process is."""

    def wait_for_events(self, timeout: float, stop: threading.Event) -> None:
        """Return when new events may have been recorded, ``stop`` is set, or on timeout."""

    def close(self) -> None:
        """Give up leadership and the connection."""


class LogStorage(Protocol):
    """The integrated log in one database."""

    def create_tables(self) -> None:
        """Create the log's tables and the position row when missing."""

    def read_events(self, start: int, limit: int) -> list[EventRow]:
        """Up to ``limit`` recorded events from notification id ``start`` on, in order."""

    def transaction(self) -> AbstractContextManager[LogTransaction]:
        """A write transaction: committed when the block ends, rolled back on an error."""

    def position(self) -> Position:
        """The committed position."""

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        """Committed stored hashes at ``indexes``, in order (a ``HashReader``)."""

    def entries(self, start: int, stop: int) -> list[LogEntry]:
        """The committed entries with ``start <= index < stop``, in index order."""

    def entry_for_event(self, event_id: str) -> LogEntry | None:
        """The committed entry of the event ``event_id`` (canonical UUID text), if any."""

    def entries_for_notifications(self, notification_ids: Sequence[int]) -> list[LogEntry]:
        """The committed entries of these notification ids (those integrated), by index."""

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        """The largest signed checkpoint."""

    def covering_checkpoint(self, size: int) -> StoredCheckpoint | None:
        """The smallest signed checkpoint of at least ``size`` entries."""

    def checkpoint_at_or_below(self, size: int) -> StoredCheckpoint | None:
        """The largest signed checkpoint of at most ``size`` entries."""

    def integrator_session(self) -> IntegratorSession:
        """A session for a running integrator."""

    def wait_for_checkpoint(self, timeout: float, stop: threading.Event) -> None:
        """Return when a checkpoint may have been signed (by any process), or on timeout."""

    def close(self) -> None:
        """Release connections."""


def open_storage(target: DatabaseTarget, app: Application[UUID]) -> LogStorage:
    """The log storage beside an application's event store (the same SQLite file or
    PostgreSQL schema).

    Args:
        target: Where the event store is.
        app: The application whose recorder writes the events the log integrates.
    """
    recorder: Any = app.recorder
    if target.is_postgres:
        from .storage_postgres import PostgresLogStorage

        return PostgresLogStorage(target, recorder)
    from .storage_sqlite import SQLiteLogStorage

    assert target.sqlite_path is not None
    return SQLiteLogStorage(target.sqlite_path, recorder.events_table_name)


def check_hashes(indexes: Sequence[int], found: dict[int, bytes]) -> list[bytes]:
    """The hashes of ``found`` in the order of ``indexes``, or StorageCorruptError."""
    missing = [i for i in indexes if i not in found]
    if missing:
        raise StorageCorruptError(f"stored tree hashes missing at storage indexes {missing[:5]}")
    return [found[i] for i in indexes]
