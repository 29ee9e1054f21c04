"""The integrated log in the event store's PostgreSQL schema.

Reads and the integrator's transactions use the library's connection pool
(``app.recorder.datastore``), so the log needs no settings of its own and lives in the
schema of the events. The integrator's session is a connection of its own: it holds a
session-level advisory lock (one integrator per schema; PostgreSQL releases the lock when
the holder's connection ends, so another process takes over when it dies) and LISTENs
for the library's NOTIFY on every insert of events. Signing a checkpoint NOTIFYs
``coordination_log_<schema>`` on commit, which wakes long-polling readers in every process.
Correctness never rests on the advisory lock: every write transaction starts by locking
the position row, and the integrator checks it against what it read.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

import psycopg
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier

from .postgres_copy import copy_entries, copy_hashes
from .storage import (
    EventRow,
    LogEntry,
    Position,
    StorageCorruptError,
    StoredCheckpoint,
    check_hashes,
)

if TYPE_CHECKING:
    from eventsourcing.postgres import PostgresDatastore

    from coordination.persistence.eventstore import DatabaseTarget

Cursor = psycopg.Cursor[tuple[Any, ...]]
_ENTRY_COLUMNS = (
    "idx, notification_id, event_id, stream_id, stream_version, type, audience, leaf_hash, entry"
)
_ENTRY_SELECT = (
    "idx, notification_id, event_id::text, stream_id::text, stream_version, type, audience,"
    " leaf_hash, entry"
)
_CREATE = (
    "CREATE TABLE IF NOT EXISTS {s}.log_entries ("
    " idx bigint PRIMARY KEY, notification_id bigint NOT NULL UNIQUE, event_id uuid NOT NULL,"
    " stream_id uuid NOT NULL, stream_version bigint NOT NULL, type text NOT NULL,"
    " audience text NOT NULL, leaf_hash bytea NOT NULL, entry bytea NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {s}.log_hashes (storage_index bigint PRIMARY KEY,"
    " hash bytea NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {s}.log_checkpoints (size bigint PRIMARY KEY,"
    " root bytea NOT NULL, note text NOT NULL, signed_at timestamptz NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {s}.integrator_position (id smallint PRIMARY KEY"
    " CHECK (id = 1), notification_id bigint NOT NULL, size bigint NOT NULL)",
    "INSERT INTO {s}.integrator_position (id, notification_id, size) VALUES (1, 0, 0)"
    " ON CONFLICT DO NOTHING",
    "CREATE INDEX IF NOT EXISTS log_entries_event_id ON {s}.log_entries (event_id)",
)
_CHECKPOINT = "SELECT size, root, note, signed_at FROM {s}.log_checkpoints"
LISTEN_SLICE_S = 0.5
"""Longest wait on a connection's notifications before looking at the stop flag again."""


def _lock_key(name: str) -> int:
    """A 64-bit advisory lock key for ``name`` (stable across processes and versions)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _entry(row: tuple[Any, ...]) -> LogEntry:
    idx, nid, event_id, stream_id, version, kind, audience, leaf, entry = row
    return LogEntry(idx, nid, event_id, stream_id, version, kind, audience, leaf, entry)


def _checkpoint(row: tuple[Any, ...] | None) -> StoredCheckpoint | None:
    return None if row is None else StoredCheckpoint(row[0], bytes(row[1]), row[2], row[3])


class _Sql:
    """The statements, with the schema filled in."""

    def __init__(self, schema: str, channel: str, events_table: str) -> None:
        s = Identifier(schema)

        def q(text: str) -> Composed:
            return SQL(text).format(s=s)

        self.create = [q(text) for text in _CREATE]
        self.position = q("SELECT notification_id, size FROM {s}.integrator_position WHERE id = 1")
        self.lock_position = q(
            "SELECT notification_id, size FROM {s}.integrator_position WHERE id = 1 FOR UPDATE"
        )
        self.set_position = q(
            "UPDATE {s}.integrator_position SET notification_id = %s, size = %s WHERE id = 1"
        )
        self.hashes = q(
            "SELECT storage_index, hash FROM {s}.log_hashes WHERE storage_index = ANY(%s::bigint[])"
        )
        # Binary COPY: bytes travel as they are, not as hex text.
        self.copy_entries = q(
            f"COPY {{s}}.log_entries ({_ENTRY_COLUMNS}) FROM STDIN (FORMAT BINARY)"
        )
        self.copy_hashes = q("COPY {s}.log_hashes (storage_index, hash) FROM STDIN (FORMAT BINARY)")
        self.entries = q(
            f"SELECT {_ENTRY_SELECT} FROM {{s}}.log_entries"  # noqa: S608
            " WHERE idx >= %s AND idx < %s ORDER BY idx"
        )
        self.entry_for_event = q(
            f"SELECT {_ENTRY_SELECT} FROM {{s}}.log_entries"  # noqa: S608
            " WHERE event_id = %s ORDER BY idx LIMIT 1"
        )
        self.entries_for_notifications = q(
            f"SELECT {_ENTRY_SELECT} FROM {{s}}.log_entries"  # noqa: S608
            " WHERE notification_id = ANY(%s::bigint[]) ORDER BY idx"
        )
        self.latest = q(_CHECKPOINT + " ORDER BY size DESC LIMIT 1")
        self.covering = q(_CHECKPOINT + " WHERE size >= %s ORDER BY size LIMIT 1")
        self.at_or_below = q(_CHECKPOINT + " WHERE size <= %s ORDER BY size DESC LIMIT 1")
        self.insert_checkpoint = q(
            "INSERT INTO {s}.log_checkpoints (size, root, note, signed_at) VALUES (%s, %s, %s, %s)"
        )
        self.notify_log = SQL("NOTIFY {}").format(Identifier(channel))
        self.events = SQL(
            "SELECT notification_id, originator_id::text, originator_version, topic, state"
            " FROM {s}.{t} WHERE notification_id >= %s ORDER BY notification_id LIMIT %s"
        ).format(s=s, t=Identifier(events_table))


def _read_hashes(cur: Cursor, sql: _Sql, indexes: Sequence[int]) -> list[bytes]:
    cur.execute(sql.hashes, (list(set(indexes)),))
    return check_hashes(indexes, {int(k): bytes(v) for k, v in cur.fetchall()})


class _Transaction:
    def __init__(self, cur: Cursor, sql: _Sql) -> None:
        self._cur, self._sql = cur, sql

    def lock_position(self) -> Position:
        self._cur.execute(self._sql.lock_position)
        row = self._cur.fetchone()
        if row is None:
            raise StorageCorruptError("the integrator position row is missing")
        return Position(row[0], row[1])

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        return _read_hashes(self._cur, self._sql, indexes)

    def insert_entries(self, entries: Sequence[LogEntry]) -> None:
        with self._cur.copy(self._sql.copy_entries) as copy:
            copy.write(copy_entries(entries))

    def insert_hashes(self, first: int, hashes: Sequence[bytes]) -> None:
        with self._cur.copy(self._sql.copy_hashes) as copy:
            copy.write(copy_hashes(first, hashes))

    def set_position(self, position: Position) -> None:
        self._cur.execute(self._sql.set_position, (position.notification_id, position.size))

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        self._cur.execute(self._sql.latest)
        return _checkpoint(self._cur.fetchone())

    def insert_checkpoint(self, checkpoint: StoredCheckpoint) -> None:
        c = checkpoint
        self._cur.execute(self._sql.insert_checkpoint, (c.size, c.root, c.note, c.signed_at))
        self._cur.execute(self._sql.notify_log)


class _Listener:
    """A connection of its own that LISTENs on one channel (and may hold a session lock)."""

    def __init__(
        self, conninfo: dict[str, Any], channel: str, lost: Callable[[], None] | None = None
    ) -> None:
        self._conninfo, self._channel, self._lost = conninfo, channel, lost
        self.conn: psycopg.Connection[tuple[Any, ...]] | None = None

    def connection(self) -> psycopg.Connection[tuple[Any, ...]]:
        if self.conn is None or self.conn.closed:
            self.conn = psycopg.connect(**self._conninfo, autocommit=True)
            self.conn.execute(SQL("LISTEN {}").format(Identifier(self._channel)))
        return self.conn

    def wait(self, timeout: float) -> None:
        """Return after a notification, or after ``timeout`` (at most one slice)."""
        for _ in self.connection().notifies(timeout=min(timeout, LISTEN_SLICE_S), stop_after=1):
            break

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def failed(self) -> None:
        """Drop the connection, which failed, and say so: the server may be down, and
        the pool's idle connections broken with it (`Availability`)."""
        self.close()
        if self._lost is not None:
            self._lost()


class _Session:
    def __init__(self, listener: _Listener, lock_key: int) -> None:
        self._listener, self._lock_key = listener, lock_key
        self._leading = False

    def try_lead(self) -> bool:
        try:
            conn = self._listener.connection()
            if self._leading:
                conn.execute("SELECT 1")  # the lock lives as long as this connection
                return True
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (self._lock_key,)).fetchone()
            self._leading = bool(row and row[0])
        except psycopg.OperationalError:
            self._leading = False
            self._listener.failed()
        return self._leading

    def wait_for_events(self, timeout: float, stop: threading.Event) -> None:
        try:
            self._listener.wait(timeout)
        except psycopg.OperationalError:
            self._leading = False
            self._listener.failed()
            stop.wait(min(timeout, LISTEN_SLICE_S))

    def close(self) -> None:
        if self._leading and self._listener.conn is not None:
            # Released at once, not when the server notices the connection is gone.
            with contextlib.suppress(psycopg.Error):
                self._listener.conn.execute("SELECT pg_advisory_unlock(%s)", (self._lock_key,))
        self._leading = False
        self._listener.close()


class PostgresLogStorage:
    """The log's tables in the PostgreSQL schema of the event store.

    Args:
        target: The event store's database.
        recorder: The event store's recorder (its pool, table and channel).
    """

    def __init__(self, target: DatabaseTarget, recorder: Any) -> None:
        self._datastore: PostgresDatastore = recorder.datastore
        self.schema = self._datastore.schema
        self._events_channel: str = recorder.channel_name
        self._log_channel = f"coordination_log_{self.schema}"[:63]
        self._sql = _Sql(self.schema, self._log_channel, recorder.events_table_name)
        self._conninfo: dict[str, Any] = {
            "host": target.host,
            "port": target.port,
            "user": target.user,
            "password": target.password,
            "dbname": target.dbname,
            "connect_timeout": target.connect_timeout,
        }
        self._lock_key = _lock_key(f"coordination.integrator:{target.dbname}:{self.schema}")
        # Not the leader's key: a process creating the tables while another leads would
        # wait for the leader's session lock, that is for ever.
        self._tables_lock_key = _lock_key(
            f"coordination.integrator-tables:{target.dbname}:{self.schema}"
        )
        # A listening connection that fails tells the datastore's availability (the
        # integrator's process, idle in an outage, otherwise kept its broken pool).
        availability = getattr(self._datastore, "availability", None)
        self._lost = availability.suspect if availability is not None else None
        self._checkpoints = _Listener(self._conninfo, self._log_channel, self._lost)

    @contextlib.contextmanager
    def _cursor(self, *, transaction: bool, binary: bool = False) -> Iterator[Cursor]:
        with self._datastore.get_connection() as conn:
            context = conn.transaction() if transaction else contextlib.nullcontext()
            with context, conn.cursor(row_factory=tuple_row, binary=binary) as cur:
                yield cur

    def create_tables(self) -> None:
        with self._cursor(transaction=True) as cur:
            # Concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalogue.
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (self._tables_lock_key,))
            for statement in self._sql.create:
                cur.execute(statement)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[_Transaction]:
        with self._cursor(transaction=True) as cur:
            yield _Transaction(cur, self._sql)

    @contextlib.contextmanager
    def write_cursor(self) -> Iterator[Cursor]:
        """A cursor in a transaction, for the tables kept beside the log (the witness's,
        `witness_store`)."""
        with self._cursor(transaction=True) as cur:
            yield cur

    def read_events(self, start: int, limit: int) -> list[EventRow]:
        # Plain rows, ids as text and state as binary bytes: the library's reader makes a
        # Notification with a UUID of each, which the integrator only turns back into text.
        with self._cursor(transaction=False, binary=True) as cur:
            cur.execute(self._sql.events, (start, limit))
            return cur.fetchall()

    def position(self) -> Position:
        with self._cursor(transaction=False) as cur:
            cur.execute(self._sql.position)
            row = cur.fetchone()
        return Position(row[0], row[1]) if row else Position(0, 0)

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        with self._cursor(transaction=False) as cur:
            return _read_hashes(cur, self._sql, indexes)

    def entries(self, start: int, stop: int) -> list[LogEntry]:
        # Binary results: entry bytes arrive as they are, not as hex text to decode.
        with self._cursor(transaction=False, binary=True) as cur:
            cur.execute(self._sql.entries, (start, stop))
            return [_entry(row) for row in cur.fetchall()]

    def entry_for_event(self, event_id: str) -> LogEntry | None:
        with self._cursor(transaction=False, binary=True) as cur:
            cur.execute(self._sql.entry_for_event, (UUID(event_id),))
            row = cur.fetchone()
        return None if row is None else _entry(row)

    def entries_for_notifications(self, notification_ids: Sequence[int]) -> list[LogEntry]:
        with self._cursor(transaction=False, binary=True) as cur:
            cur.execute(self._sql.entries_for_notifications, (sorted(set(notification_ids)),))
            return [_entry(row) for row in cur.fetchall()]

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        with self._cursor(transaction=False) as cur:
            cur.execute(self._sql.latest)
            return _checkpoint(cur.fetchone())

    def covering_checkpoint(self, size: int) -> StoredCheckpoint | None:
        with self._cursor(transaction=False) as cur:
            cur.execute(self._sql.covering, (size,))
            return _checkpoint(cur.fetchone())

    def checkpoint_at_or_below(self, size: int) -> StoredCheckpoint | None:
        with self._cursor(transaction=False) as cur:
            cur.execute(self._sql.at_or_below, (size,))
            return _checkpoint(cur.fetchone())

    def integrator_session(self) -> _Session:
        listener = _Listener(self._conninfo, self._events_channel, self._lost)
        return _Session(listener, self._lock_key)

    def wait_for_checkpoint(self, timeout: float, stop: threading.Event) -> None:
        try:
            self._checkpoints.wait(timeout)
        except psycopg.OperationalError:
            self._checkpoints.failed()
            stop.wait(min(timeout, LISTEN_SLICE_S))

    def close(self) -> None:
        self._checkpoints.close()
