"""The tables of synced peer logs in the log's database (its SQLite file or PostgreSQL
schema), and transactions on them on either backend, as the witness's tables are kept
(`coordination.audit.witness_store`).

A write is one transaction: ``BEGIN IMMEDIATE`` on SQLite (the file's write lock), an
advisory transaction lock per peer origin on PostgreSQL, so two processes syncing the
same peer cannot both store a page. A read takes no write lock on SQLite.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from coordination.audit.storage import LogStorage
from coordination.audit.storage_sqlite import SQLiteLogStorage

log = logging.getLogger(__name__)

_CREATE = (
    "CREATE TABLE IF NOT EXISTS {p}peer_entries (origin TEXT NOT NULL, idx BIGINT NOT NULL,"
    " leaf_hash {blob} NOT NULL, event_id TEXT NULL, envelope {blob} NULL,"
    " subject TEXT NULL, PRIMARY KEY (origin, idx))",
    "CREATE INDEX IF NOT EXISTS peer_entries_event ON {p}peer_entries (origin, event_id)",
    "CREATE INDEX IF NOT EXISTS peer_entries_subject ON {p}peer_entries (origin, subject)",
    "CREATE TABLE IF NOT EXISTS {p}peer_state (origin TEXT PRIMARY KEY,"
    " size BIGINT NOT NULL, root {blob} NOT NULL, checkpoint_note TEXT NOT NULL,"
    " cursor BIGINT NOT NULL, compact_range {blob} NOT NULL, state TEXT NOT NULL,"
    " last_error TEXT NULL, checked_at TEXT NOT NULL, behind_since TEXT NULL)",
    # Which stored entries seal a datum of which person, and the persons each peer
    # erased (`peer_erasures`, decision 46).
    "CREATE TABLE IF NOT EXISTS {p}peer_personal (origin TEXT NOT NULL, subject TEXT NOT NULL,"
    " idx BIGINT NOT NULL, PRIMARY KEY (origin, subject, idx))",
    "CREATE TABLE IF NOT EXISTS {p}peer_erased (origin TEXT NOT NULL, subject TEXT NOT NULL,"
    " idx BIGINT NOT NULL, PRIMARY KEY (origin, subject))",
)


class Rows(Protocol):
    """Statements in one transaction (``%s`` placeholders on both backends)."""

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]: ...

    def executemany(self, sql: str, params: Sequence[tuple[Any, ...]]) -> None:
        """One statement for many rows (a page's), sent at once: one round trip per page
        rather than one per row on PostgreSQL."""

    def insert_many(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """Append rows to ``table`` (a name from `PeerTables.sql`, never input): one
        ``COPY`` on PostgreSQL, which the server takes in bulk rather than as a statement
        per row; an ``executemany`` of one ``INSERT`` on SQLite, which has no ``COPY``."""


class _SQLiteRows:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = self._conn.execute(sql.replace("%s", "?"), params).fetchall()
        return rows

    def executemany(self, sql: str, params: Sequence[tuple[Any, ...]]) -> None:
        self._conn.executemany(sql.replace("%s", "?"), params)

    def insert_many(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
        self._conn.executemany(sql, rows)


class _PostgresRows:
    def __init__(self, cur: Any) -> None:
        self._cur = cur

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        self._cur.execute(sql, params)
        return list(self._cur.fetchall()) if self._cur.description else []

    def executemany(self, sql: str, params: Sequence[tuple[Any, ...]]) -> None:
        # psycopg sends the rows in pipeline mode: no round trip waits for another.
        if params:
            self._cur.executemany(sql, params)

    def insert_many(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        if not rows:
            return
        with self._cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class PeerTables:
    """Transactions on the peer tables beside the node's log.

    Args:
        storage: The node's log storage (SQLite or PostgreSQL).
    """

    def __init__(self, storage: LogStorage) -> None:
        self._storage = storage
        self._sqlite = isinstance(storage, SQLiteLogStorage)
        schema = getattr(storage, "schema", None)
        self._prefix = "" if self._sqlite or not schema else '"' + schema.replace('"', '""') + '".'
        self._ready = False

    def sql(self, text: str) -> str:
        """``text`` with ``{p}`` replaced by the tables' schema prefix."""
        return text.format(p=self._prefix)

    @contextlib.contextmanager
    def writing(self, origin: str | None = None) -> Iterator[Rows]:
        """One write transaction, holding the lock of ``origin``'s rows when given."""
        self.create_tables()
        with self._transaction(None if origin is None else f"coordination.peer:{origin}") as rows:
            yield rows

    @contextlib.contextmanager
    def reading(self) -> Iterator[Rows]:
        """Reads that take no write lock on SQLite (each statement reads a snapshot)."""
        self.create_tables()
        if self._sqlite:
            yield _SQLiteRows(self._storage.read_connection())  # type: ignore[attr-defined]
            return
        with self._transaction() as rows:
            yield rows

    @contextlib.contextmanager
    def _transaction(self, lock: str | None = None) -> Iterator[Rows]:
        if self._sqlite:
            with self._storage.write_connection() as conn:  # type: ignore[attr-defined]
                yield _SQLiteRows(conn)
            return
        with self._storage.write_cursor() as cur:  # type: ignore[attr-defined]
            rows = _PostgresRows(cur)
            if lock is not None:
                rows.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_key(lock),))
            yield rows

    @contextlib.contextmanager
    def overwriting(self, rows: Rows) -> Iterator[None]:
        """Within a write transaction: what its statements free is written over with
        zeros on SQLite (``secure_delete``), not left readable in the file's free space."""
        if not self._sqlite:
            yield
            return
        rows.execute("PRAGMA secure_delete = ON")
        try:
            yield
        finally:
            rows.execute("PRAGMA secure_delete = OFF")

    def scrub(self) -> None:
        """After a transaction that dropped data: on SQLite, copy the rewritten pages into
        the file and empty the write-ahead log, which still held the old ones. (On
        PostgreSQL the dead row versions wait for vacuum, as decision 38 says of keys.)"""
        if not self._sqlite:
            return
        conn = self._storage.read_connection()  # type: ignore[attr-defined]
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        if busy:
            log.warning(
                "a reader kept the write-ahead log from being emptied: it holds the dropped"
                " entries' old pages until its next checkpoint"
            )

    def create_tables(self) -> None:
        """Create the tables when missing (once per process and store)."""
        if self._ready:
            return
        blob = "BLOB" if self._sqlite else "BYTEA"
        # PostgreSQL puts the index in its table's schema.
        with self._transaction(lock=f"coordination.peer-tables:{self._prefix}") as rows:
            for statement in _CREATE:
                rows.execute(statement.format(p=self._prefix, blob=blob))
        self._ready = True
