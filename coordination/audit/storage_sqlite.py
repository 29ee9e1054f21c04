"""The integrated log in the event store's SQLite file.

Each thread gets its own connection (SQLite connections are not shared across threads);
writes start with ``BEGIN IMMEDIATE``, which takes the database's write lock up front, so
two integrators (or an integrator and a command) queue instead of failing half-way. The
library keeps the file in WAL mode, so readers never wait for the integrator.

Leadership among processes is an exclusive ``flock`` on a file beside the database: the
operating system releases it when the holder dies. There is no notification channel, so
the integrator polls for new events and readers poll for new checkpoints.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from .sqlite_session import FileLockSession
from .storage import (
    READ_CHUNK,
    EventRow,
    LogEntry,
    Position,
    StorageCorruptError,
    StoredCheckpoint,
    check_hashes,
)

LOCK_TIMEOUT_S = 30.0
POLL_INTERVAL_S = 0.2
CACHE_KIB = 65536
"""Page cache per connection (KiB): the event id index takes inserts all over, and its
pages should stay in memory rather than be read from the file again for every batch."""
ROWS_PER_INSERT = 500
"""Rows per INSERT statement: 4 500 values per entries statement, within SQLite's 32 766."""
CHECKPOINT_PAGES = 16384
"""WAL pages before a commit of this storage copies them into the database: a batch
dirties a page of that index per few entries, and each checkpoint copies it once."""

_CREATE = (
    "CREATE TABLE IF NOT EXISTS log_entries ("
    " idx INTEGER PRIMARY KEY, notification_id INTEGER NOT NULL UNIQUE,"
    " event_id TEXT NOT NULL, stream_id TEXT NOT NULL, stream_version INTEGER NOT NULL,"
    " type TEXT NOT NULL, audience TEXT NOT NULL, leaf_hash BLOB NOT NULL, entry BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS log_hashes (storage_index INTEGER PRIMARY KEY, hash BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS log_checkpoints ("
    " size INTEGER PRIMARY KEY, root BLOB NOT NULL, note TEXT NOT NULL, signed_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS integrator_position ("
    " id INTEGER PRIMARY KEY CHECK (id = 1), notification_id INTEGER NOT NULL,"
    " size INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO integrator_position (id, notification_id, size) VALUES (1, 0, 0)",
    # Lookups by event id need only a prefix of its text to find the row: the index of
    # 8 characters is a third the size of the whole id's, which matters because every
    # batch inserts into it at random places.
    "DROP INDEX IF EXISTS log_entries_event_id",
    "CREATE INDEX IF NOT EXISTS log_entries_event_key ON log_entries (substr(event_id, 1, 8))",
)
_ENTRY_COLUMNS = (
    "idx, notification_id, event_id, stream_id, stream_version, type, audience, leaf_hash, entry"
)


def _entry(row: tuple[Any, ...]) -> LogEntry:
    idx, nid, event_id, stream_id, version, kind, audience, leaf, entry = row
    return LogEntry(idx, nid, event_id, stream_id, version, kind, audience, leaf, entry)


def _checkpoint(row: tuple[int, bytes, str, str] | None) -> StoredCheckpoint | None:
    if row is None:
        return None
    size, root, note, signed_at = row
    return StoredCheckpoint(int(size), bytes(root), str(note), datetime.fromisoformat(signed_at))


def _read_hashes(conn: sqlite3.Connection, indexes: Sequence[int]) -> list[bytes]:
    found: dict[int, bytes] = {}
    wanted = sorted(set(indexes))
    for i in range(0, len(wanted), READ_CHUNK):
        chunk = wanted[i : i + READ_CHUNK]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT storage_index, hash FROM log_hashes WHERE storage_index IN ({marks})"  # noqa: S608
        found.update((int(k), bytes(v)) for k, v in conn.execute(sql, chunk))
    return check_hashes(indexes, found)


ENTRY_FOR_EVENT = (
    f"SELECT {_ENTRY_COLUMNS} FROM log_entries"  # noqa: S608
    " WHERE substr(event_id, 1, 8) = ? AND +event_id = ? ORDER BY idx LIMIT 1"
)
"""The entry of an event id. The unary plus keeps the planner on the prefix index: without
it, the planner puts the id into the prefix expression and scans the table."""
_LATEST = "SELECT size, root, note, signed_at FROM log_checkpoints ORDER BY size DESC LIMIT 1"


def _insert_rows(conn: sqlite3.Connection, into: str, width: int, values: list[Any]) -> None:
    """Insert rows of ``width`` values given one after the other, many rows per statement.

    ``executemany`` lets go of the interpreter lock around every row; with the read-ahead
    thread busy encoding, each row then waits to get it back (up to the switch interval),
    and the threaded run cost more CPU than the same work in sequence
    (docs/performance.md). One statement per ``ROWS_PER_INSERT`` rows lets go once per
    statement.
    """
    step = ROWS_PER_INSERT * width
    for start in range(0, len(values), step):
        chunk = values[start : start + step]
        marks = ",".join(["(" + ",".join("?" * width) + ")"] * (len(chunk) // width))
        conn.execute(f"INSERT INTO {into} VALUES {marks}", chunk)  # noqa: S608


class _Transaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def lock_position(self) -> Position:
        # BEGIN IMMEDIATE already holds the write lock: reading is locking here.
        row = self._conn.execute(
            "SELECT notification_id, size FROM integrator_position WHERE id = 1"
        ).fetchone()
        if row is None:
            raise StorageCorruptError("the integrator position row is missing")
        return Position(int(row[0]), int(row[1]))

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        return _read_hashes(self._conn, indexes)

    def insert_entries(self, entries: Sequence[LogEntry]) -> None:
        values = [
            value
            for e in entries
            for value in (
                e.index,
                e.notification_id,
                e.event_id,
                e.stream_id,
                e.stream_version,
                e.type,
                e.audience,
                e.leaf_hash,
                e.entry,
            )
        ]
        _insert_rows(self._conn, f"log_entries ({_ENTRY_COLUMNS})", 9, values)

    def insert_hashes(self, first: int, hashes: Sequence[bytes]) -> None:
        values = [value for row in enumerate(hashes, first) for value in row]
        _insert_rows(self._conn, "log_hashes (storage_index, hash)", 2, values)

    def set_position(self, position: Position) -> None:
        self._conn.execute(
            "UPDATE integrator_position SET notification_id = ?, size = ? WHERE id = 1",
            (position.notification_id, position.size),
        )

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        return _checkpoint(self._conn.execute(_LATEST).fetchone())

    def insert_checkpoint(self, checkpoint: StoredCheckpoint) -> None:
        self._conn.execute(
            "INSERT INTO log_checkpoints (size, root, note, signed_at) VALUES (?, ?, ?, ?)",
            (checkpoint.size, checkpoint.root, checkpoint.note, checkpoint.signed_at.isoformat()),
        )


class SQLiteLogStorage:
    """The log's tables in the SQLite file of the event store.

    Args:
        path: The event store's database file.
        events_table: The event store's table of recorded events.
    """

    def __init__(self, path: Path, events_table: str = "stored_events") -> None:
        self.path = path
        quoted = '"' + events_table.replace('"', '""') + '"'
        self._select_events = (
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {quoted}"  # noqa: S608
            " WHERE rowid >= ? ORDER BY rowid LIMIT ?"
        )
        self._local = threading.local()
        #: Every thread's connection, by the thread that made it (`close`).
        self._connections: list[tuple[int, sqlite3.Connection]] = []
        self._lock = threading.Lock()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, timeout=LOCK_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            conn.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}")
            self._local.conn = conn
            with self._lock:
                self._connections.append((threading.get_ident(), conn))
        return conn

    def create_tables(self) -> None:
        with self._write() as conn:
            for statement in _CREATE:
                conn.execute(statement)

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[_Transaction]:
        with self._write() as conn:
            yield _Transaction(conn)

    def read_connection(self) -> sqlite3.Connection:
        """This thread's connection, outside any transaction: each statement reads a
        consistent snapshot and takes no write lock (WAL), for reads anyone may cause."""
        return self._conn()

    @contextlib.contextmanager
    def write_connection(self) -> Iterator[sqlite3.Connection]:
        """A connection in a write transaction (``BEGIN IMMEDIATE``), for the tables kept
        beside the log (the witness's, `witness_store`)."""
        with self._write() as conn:
            yield conn

    def read_events(self, start: int, limit: int) -> list[EventRow]:
        # The library's own reader turns every row into a Notification with a UUID,
        # which the integrator only turns back into text: plain rows cost far less
        # (docs/performance.md).
        return self._conn().execute(self._select_events, (start, limit)).fetchall()

    def position(self) -> Position:
        row = (
            self._conn()
            .execute("SELECT notification_id, size FROM integrator_position WHERE id = 1")
            .fetchone()
        )
        return Position(int(row[0]), int(row[1])) if row else Position(0, 0)

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        return _read_hashes(self._conn(), indexes)

    def entries(self, start: int, stop: int) -> list[LogEntry]:
        rows = self._conn().execute(
            f"SELECT {_ENTRY_COLUMNS} FROM log_entries WHERE idx >= ? AND idx < ? ORDER BY idx",  # noqa: S608
            (start, stop),
        )
        return [_entry(row) for row in rows]

    def entry_for_event(self, event_id: str) -> LogEntry | None:
        row = (
            self._conn()
            .execute(
                ENTRY_FOR_EVENT,
                (event_id[:8], event_id),
            )
            .fetchone()
        )
        return None if row is None else _entry(row)

    def entries_for_notifications(self, notification_ids: Sequence[int]) -> list[LogEntry]:
        wanted = sorted(set(notification_ids))
        found: list[LogEntry] = []
        for i in range(0, len(wanted), READ_CHUNK):
            chunk = wanted[i : i + READ_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._conn().execute(
                f"SELECT {_ENTRY_COLUMNS} FROM log_entries"  # noqa: S608
                f" WHERE notification_id IN ({marks}) ORDER BY idx",
                chunk,
            )
            found.extend(_entry(row) for row in rows)
        return found

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        return _checkpoint(self._conn().execute(_LATEST).fetchone())

    def covering_checkpoint(self, size: int) -> StoredCheckpoint | None:
        row = (
            self._conn()
            .execute(
                "SELECT size, root, note, signed_at FROM log_checkpoints"
                " WHERE size >= ? ORDER BY size LIMIT 1",
                (size,),
            )
            .fetchone()
        )
        return _checkpoint(row)

    def checkpoint_at_or_below(self, size: int) -> StoredCheckpoint | None:
        row = (
            self._conn()
            .execute(
                "SELECT size, root, note, signed_at FROM log_checkpoints"
                " WHERE size <= ? ORDER BY size DESC LIMIT 1",
                (size,),
            )
            .fetchone()
        )
        return _checkpoint(row)

    def integrator_session(self) -> FileLockSession:
        lock = self.path.with_name(self.path.name + ".integrator.lock")
        return FileLockSession(lock, POLL_INTERVAL_S)

    def wait_for_checkpoint(self, timeout: float, stop: threading.Event) -> None:
        stop.wait(min(timeout, POLL_INTERVAL_S))

    def close(self) -> None:
        """Close the connections no running thread may be using: this thread's, and
        those of threads that ended.

        A connection closed while its thread runs a statement on it crashes the process
        (the sqlite3 module does not guard it): a request still in a worker thread when
        the node stops would bring the node down. The others are kept here, never used
        again (each thread makes a new one), and closed when this storage is collected.
        """
        alive = {thread.ident for thread in threading.enumerate()}
        mine = threading.get_ident()
        with self._lock:
            kept = []
            for owner, conn in self._connections:
                if owner == mine or owner not in alive:
                    conn.close()
                else:
                    kept.append((owner, conn))
            self._connections = kept
        self._local = threading.local()
