"""The tables of synced peer logs in the log's database (its SQLite file or PostgreSQL
schema), and transactions on them on either backend, as the witness's tables are kept
(`coordination.audit.witness_store`).

A write is one transaction: ``BEGIN IMMEDIATE`` on SQLite (the file's write lock), an
advisory transaction lock per peer origin on PostgreSQL, so two processes syncing the
same peer cannot both store a page. A read takes no write lock on SQLite.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from coordination.audit.side_tables import (
    Rows,
    is_sqlite,
    read_rows,
    schema_prefix,
    write_transaction,
)
from coordination.audit.storage import LogStorage

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


class PeerTables:
    """Transactions on the peer tables beside the node's log.

    Args:
        storage: The node's log storage (SQLite or PostgreSQL).
    """

    def __init__(self, storage: LogStorage) -> None:
        self._storage = storage
        self._sqlite = is_sqlite(storage)
        self._prefix = schema_prefix(storage)
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
        with read_rows(self._storage) as rows:
            yield rows

    def _transaction(self, lock: str | None = None) -> contextlib.AbstractContextManager[Rows]:
        return write_transaction(self._storage, lock)

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
