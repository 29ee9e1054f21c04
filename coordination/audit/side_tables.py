"""Tables kept beside the log, in its database (its SQLite file or PostgreSQL schema):
the witness's (`witness_store`) and the synced peer logs' (`federation.peer_tables`).

Statements take ``%s`` placeholders on both backends. A write is one transaction:
``BEGIN IMMEDIATE`` on SQLite (the file's write lock), an optional advisory transaction
lock on PostgreSQL. A read takes no write lock on SQLite: each statement reads a snapshot.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from .storage import LogStorage
from .storage_sqlite import SQLiteLogStorage


class Rows(Protocol):
    """Statements in one transaction (``%s`` placeholders on both backends)."""

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]: ...

    def executemany(self, sql: str, params: Sequence[tuple[Any, ...]]) -> None:
        """One statement for many rows (a page's), sent at once: one round trip per page
        rather than one per row on PostgreSQL."""

    def insert_many(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """Append rows to ``table`` (a name the code writes, never input): one
        ``COPY`` on PostgreSQL, which the server takes in bulk rather than as a statement
        per row; an ``executemany`` of one ``INSERT`` on SQLite, which has no ``COPY``."""


class SQLiteRows:
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


class PostgresRows:
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


def lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def is_sqlite(storage: LogStorage) -> bool:
    """Whether the log, and the tables beside it, are in an SQLite file."""
    return isinstance(storage, SQLiteLogStorage)


def schema_prefix(storage: LogStorage) -> str:
    """The quoted schema and a dot to put before a table's name ("" on SQLite)."""
    schema = getattr(storage, "schema", None)
    return "" if is_sqlite(storage) or not schema else '"' + schema.replace('"', '""') + '".'


@contextlib.contextmanager
def write_transaction(storage: LogStorage, lock: str | None = None) -> Iterator[Rows]:
    """One write transaction, holding the advisory lock ``lock`` on PostgreSQL when given
    (SQLite's ``BEGIN IMMEDIATE`` already holds the file's)."""
    if is_sqlite(storage):
        with storage.write_connection() as conn:  # type: ignore[attr-defined]
            yield SQLiteRows(conn)
        return
    with storage.write_cursor() as cur:  # type: ignore[attr-defined]
        rows = PostgresRows(cur)
        if lock is not None:
            rows.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(lock),))
        yield rows


@contextlib.contextmanager
def read_rows(storage: LogStorage) -> Iterator[Rows]:
    """Reads that take no write lock on SQLite (a transaction on PostgreSQL)."""
    if is_sqlite(storage):
        yield SQLiteRows(storage.read_connection())  # type: ignore[attr-defined]
        return
    with write_transaction(storage) as rows:
        yield rows
