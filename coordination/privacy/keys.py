"""Each person's key, kept apart from the events: their own table on PostgreSQL, their own
file on SQLite (in the data directory's private ``keys/``).

A key is made the first time a datum about its person is sealed. Erasing it overwrites
the key with nothing and keeps the row as a tombstone, so that the node knows the person
was forgotten (no new datum about them is sealed) without knowing anything about them.
Keys are never exported, synced or logged: nothing here writes one anywhere but its
table, and no message names more than a person's pseudonymous id.
"""

from __future__ import annotations

import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from uuid import UUID

from coordination.domain.errors import RuleViolation
from coordination.persistence.eventstore import DatabaseTarget
from coordination.privacy.cipher import new_key
from coordination.private_files import private_file

#: The SQLite file of the keys, in the data directory.
KEYS_FILE = Path("keys") / "subject-keys.db"
_COLUMNS = "subject_id TEXT PRIMARY KEY, key {blob}, created_at TEXT NOT NULL, erased_at TEXT"


class KeyState(StrEnum):
    """What the node holds of a person's key."""

    UNKNOWN = "unknown"
    HELD = "held"
    ERASED = "erased"


class SubjectErasedError(RuleViolation):
    """A datum about a person who has been forgotten cannot be recorded."""

    def __init__(self, subject_id: UUID) -> None:
        super().__init__(
            f"person {subject_id} has been erased: no personal data about them is recorded"
        )


class SubjectKeys(ABC):
    """The key store: one row per person, a key or a tombstone. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @abstractmethod
    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement (parameters marked `?`) in its own transaction; its rows."""

    @abstractmethod
    def close(self) -> None:
        """Close the store's connection."""

    def key_for_sealing(self, subject_id: UUID) -> bytes:
        """The person's key, made now if they have none.

        Raises:
            SubjectErasedError: The person has been forgotten.
        """
        select = "SELECT key FROM subject_keys WHERE subject_id = ?"
        rows = self._execute(select, (str(subject_id),))
        if not rows:  # a write (and its sync to disk) only for a person's first datum
            self._execute(
                "INSERT INTO subject_keys (subject_id, key, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT (subject_id) DO NOTHING",
                (str(subject_id), new_key(), datetime.now(UTC).isoformat()),
            )
            rows = self._execute(select, (str(subject_id),))
        key = rows[0][0] if rows else None
        if key is None:
            raise SubjectErasedError(subject_id)
        return bytes(key)

    def keys_of(self, subject_ids: Iterable[UUID]) -> dict[UUID, bytes]:
        """The keys still held of these persons (the forgotten and the unknown left out)."""
        wanted = sorted({str(s) for s in subject_ids})
        found: dict[UUID, bytes] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            # Only "?" marks are formatted into the statement.
            marks = ", ".join("?" * len(chunk))
            rows = self._execute(
                f"SELECT subject_id, key FROM subject_keys WHERE subject_id IN ({marks})"  # noqa: S608
                " AND key IS NOT NULL",
                tuple(chunk),
            )
            found.update((UUID(subject), bytes(key)) for subject, key in rows)
        return found

    def state(self, subject_id: UUID) -> KeyState:
        """Whether the node holds a key of the person, has erased it, or never had one."""
        rows = self._execute(
            "SELECT key IS NULL FROM subject_keys WHERE subject_id = ?",
            (str(subject_id),),
        )
        if not rows:
            return KeyState.UNKNOWN
        return KeyState.ERASED if rows[0][0] else KeyState.HELD

    def erase(self, subject_id: UUID) -> None:
        """Destroy the person's key, keeping the tombstone; erasing twice changes nothing."""
        self._execute(
            "UPDATE subject_keys SET key = NULL, erased_at = ?"
            " WHERE subject_id = ? AND key IS NOT NULL",
            (datetime.now(UTC).isoformat(), str(subject_id)),
        )
        self._scrub()

    def _scrub(self) -> None:  # noqa: B027  # a store with nothing to scrub keeps this
        """Make the engine drop the erased key's old bytes where it can."""


class SQLiteSubjectKeys(SubjectKeys):
    """The keys in their own SQLite file, written over when erased (``secure_delete``)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        private_file(path)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA secure_delete = ON")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA busy_timeout = 30000")
        self._db.execute(
            f"CREATE TABLE IF NOT EXISTS subject_keys ({_COLUMNS.format(blob='BLOB')})"
        )

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _scrub(self) -> None:
        # The old page, key and all, lives on in the write-ahead log until a checkpoint
        # copies the zeroed page over it and truncates the log.
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        with self._lock:
            self._db.close()


class PostgresSubjectKeys(SubjectKeys):
    """The keys in their own table of the node's PostgreSQL schema; one connection, made
    when first needed (so a node starts while the server is down), made again when lost."""

    def __init__(self, target: DatabaseTarget) -> None:
        super().__init__()
        self._target = target
        self._connection: Any = None

    def _connect(self) -> Any:
        import psycopg

        target = self._target
        given: dict[str, Any] = {"user": target.user, "password": target.password}
        if target.schema:
            given["options"] = f"-c search_path={target.schema}"
        connection = psycopg.connect(
            host=target.host,
            port=target.port,
            dbname=target.dbname,
            connect_timeout=target.connect_timeout,
            autocommit=True,
            **{name: value for name, value in given.items() if value},  # else libpq's default
        )
        connection.execute(
            f"CREATE TABLE IF NOT EXISTS subject_keys ({_COLUMNS.format(blob='BYTEA')})"
        )
        return connection

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import psycopg

        with self._lock:
            for attempt in (1, 2):
                if self._connection is None or self._connection.closed:
                    self._connection = self._connect()
                try:
                    cursor = self._connection.execute(sql.replace("?", "%s"), params)
                    return cursor.fetchall() if cursor.description else []
                except psycopg.OperationalError:
                    self._connection.close()
                    if attempt == 2:
                        raise
            raise AssertionError("unreachable")

    def _scrub(self) -> None:
        # The dead row version holding the key is reclaimed now rather than at the next
        # autovacuum (its bytes stay in PostgreSQL's write-ahead log and backups until
        # they are recycled: decision 38).
        self._execute("VACUUM subject_keys")

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()


def open_subject_keys(target: DatabaseTarget, data_dir: Path) -> SubjectKeys:
    """The key store of the node whose events are at `target`."""
    if target.is_postgres:
        return PostgresSubjectKeys(target)
    return SQLiteSubjectKeys(data_dir / KEYS_FILE)
