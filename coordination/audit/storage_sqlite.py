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
import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from .storage import (
    READ_CHUNK,
    LogEntry,
    Position,
    StorageCorruptError,
    StoredCheckpoint,
    check_hashes,
)

LOCK_TIMEOUT_S = 30.0
POLL_INTERVAL_S = 0.2

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
    "CREATE INDEX IF NOT EXISTS log_entries_event_id ON log_entries (event_id)",
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


_LATEST = "SELECT size, root, note, signed_at FROM log_checkpoints ORDER BY size DESC LIMIT 1"


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
        self._conn.executemany(
            f"INSERT INTO log_entries ({_ENTRY_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",  # noqa: S608
            [
                (
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
                for e in entries
            ],
        )

    def insert_hashes(self, first: int, hashes: Sequence[bytes]) -> None:
        self._conn.executemany(
            "INSERT INTO log_hashes (storage_index, hash) VALUES (?, ?)",
            list(enumerate(hashes, first)),
        )

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


class _Session:
    def __init__(self, lock_path: Path) -> None:
        self._lock_path = lock_path
        self._fd: int | None = None

    def try_lead(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def wait_for_events(self, timeout: float, stop: threading.Event) -> None:
        stop.wait(min(timeout, POLL_INTERVAL_S))

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None


class SQLiteLogStorage:
    """The log's tables in the SQLite file of the event store."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, timeout=LOCK_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
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
                f"SELECT {_ENTRY_COLUMNS} FROM log_entries WHERE event_id = ?"  # noqa: S608
                " ORDER BY idx LIMIT 1",
                (event_id,),
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

    def integrator_session(self) -> _Session:
        return _Session(self.path.with_name(self.path.name + ".integrator.lock"))

    def wait_for_checkpoint(self, timeout: float, stop: threading.Event) -> None:
        stop.wait(min(timeout, POLL_INTERVAL_S))

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()
