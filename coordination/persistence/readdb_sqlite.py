"""The read database on SQLite: the event store's own file, in WAL mode, each connection
used from a thread of its own (`ThreadedConnection`).

One writer connection, shared by whoever writes (the projector above all) under an
asyncio lock and always with ``BEGIN IMMEDIATE``, so a transaction never has to upgrade a
read lock; and a few reader connections, each seeing committed data only.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from coordination.persistence.readdb import (
    Connection,
    GatheredWrites,
    Handle,
    ReadDatabase,
    Row,
    RowsCheck,
)
from coordination.persistence.sqlite_thread import ThreadedConnection
from coordination.private_files import private_file

#: How long an SQLite statement waits for another writer (the event store's) to finish.
SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_READERS = 4

_PLACEHOLDER = re.compile(r"\$(\d+)")


@lru_cache(maxsize=2048)
def sqlite_sql(sql: str) -> str:
    """``$1`` placeholders as SQLite's numbered ``?1``."""
    return _PLACEHOLDER.sub(r"?\1", sql)


class SQLiteHandle(Connection):
    """A threaded `sqlite3` connection behind the portable API."""

    def __init__(self, raw: ThreadedConnection, lock: asyncio.Lock | None = None) -> None:
        self.raw, self._lock = raw, lock

    # One hand-off to the connection's thread per statement: a cursor opened, read and
    # closed as three awaits cost far more CPU (docs/performance.md), and on a busy loop
    # each await waits a turn.
    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return _as_dicts(await self.raw.fetchall(sqlite_sql(sql), args))

    async def execute(self, sql: str, *args: Any) -> int:
        return await self.raw.execute(sqlite_sql(sql), args)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self.raw.executemany(sqlite_sql(sql), rows)

    async def write_gathered(self, writes: GatheredWrites, check: RowsCheck | None = None) -> None:
        # One hand-off for the whole transaction: on a loop busy with requests each await
        # waits a turn, and a projector's page is what every waiting mutation waits for.
        statements = [(sqlite_sql(sql), rows) for sql, rows in writes.statements]
        query = None if check is None else (sqlite_sql(check.sql), check.args, check.verify)
        await self.raw.run(partial(_write_gathered, statements, query))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SQLiteHandle]:
        # BEGIN inside the `try`: a caller cancelled while its BEGIN waits still has it run
        # on the connection's thread, and the rollback queued after it must undo it, or the
        # connection would be left in a transaction for its next user.
        try:
            await self.raw.execute("BEGIN IMMEDIATE")
            yield self
        except BaseException:
            await self.raw.run(sqlite3.Connection.rollback)
            raise
        await self.raw.run(sqlite3.Connection.commit)


class SQLiteReadDatabase(ReadDatabase):
    is_postgres = False

    def __init__(
        self,
        path: Path,
        writer: ThreadedConnection,
        readers: list[ThreadedConnection],
        key: bytes,
    ) -> None:
        super().__init__(key)
        self.path = path
        self._writer = writer
        self._write_lock = asyncio.Lock()
        self._readers: asyncio.Queue[ThreadedConnection] = asyncio.Queue()
        self._all_readers = readers
        for reader in readers:
            self._readers.put_nowait(reader)

    @classmethod
    async def connect(cls, path: Path, key: bytes) -> SQLiteReadDatabase:
        private_file(path)  # before SQLite makes it, and its -wal, 0644
        writer = await _sqlite_connect(path)
        await writer.execute("PRAGMA journal_mode=WAL")
        readers = [await _sqlite_connect(path) for _ in range(SQLITE_READERS)]
        return cls(path, writer, readers, key)

    def writing(self) -> bool:
        # Every use of the writer connection holds this lock until it has committed.
        return self._write_lock.locked()

    @asynccontextmanager
    async def _reader(self) -> AsyncIterator[SQLiteHandle]:
        raw = await self._readers.get()
        try:
            yield SQLiteHandle(raw)
        finally:
            self._readers.put_nowait(raw)

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        async with self._reader() as reader:
            return await reader.fetch(sql, *args)

    async def execute(self, sql: str, *args: Any) -> int:
        async with self._write_lock:
            return await SQLiteHandle(self._writer).execute(sql, *args)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self._write_lock:
            await SQLiteHandle(self._writer).executemany(sql, rows)

    @asynccontextmanager
    async def transaction(self, *, readonly: bool = False) -> AsyncIterator[Handle]:
        if readonly:
            async with self._reader() as reader:
                try:  # BEGIN inside it, as in `SQLiteHandle.transaction`
                    await reader.raw.execute("BEGIN")
                    yield reader
                finally:
                    await reader.raw.run(sqlite3.Connection.rollback)
            return
        async with self._write_lock, SQLiteHandle(self._writer).transaction() as handle:
            yield handle

    @asynccontextmanager
    async def dedicated(self) -> AsyncIterator[SQLiteHandle]:
        # SQLite has one writer anyway: the projector shares the writer connection, and
        # holds the lock only while a transaction of its own is open.
        yield _LockedSQLiteHandle(self._writer, self._write_lock)

    async def close(self) -> None:
        for raw in [self._writer, *self._all_readers]:
            await raw.close()


class _LockedSQLiteHandle(SQLiteHandle):
    """The shared writer, taking the database's write lock around each use."""

    def __init__(self, raw: ThreadedConnection, lock: asyncio.Lock) -> None:
        super().__init__(raw, lock)
        self._held = False

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        if self._held:
            return await super().fetch(sql, *args)
        assert self._lock is not None
        async with self._lock:
            return await super().fetch(sql, *args)

    async def execute(self, sql: str, *args: Any) -> int:
        if self._held:
            return await super().execute(sql, *args)
        assert self._lock is not None
        async with self._lock:
            return await super().execute(sql, *args)

    async def write_gathered(self, writes: GatheredWrites, check: RowsCheck | None = None) -> None:
        assert self._lock is not None
        async with self._lock:
            await super().write_gathered(writes, check)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SQLiteHandle]:
        assert self._lock is not None
        async with self._lock:
            self._held = True
            try:
                async with super().transaction() as handle:
                    yield handle
            finally:
                self._held = False


async def _sqlite_connect(path: Path) -> ThreadedConnection:
    return await ThreadedConnection.open(
        path, f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}", "synchronous=NORMAL"
    )


def _write_gathered(
    statements: list[tuple[str, list[tuple[Any, ...]]]],
    check: tuple[str, tuple[Any, ...], Callable[[list[Row]], None]] | None,
    connection: sqlite3.Connection,
) -> None:
    """`Connection.write_gathered` on the connection's own thread."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        if check is not None:
            sql, args, verify = check
            verify(_as_dicts(connection.execute(sql, args).fetchall()))
        for sql, rows_args in statements:
            connection.executemany(sql, rows_args)
    except BaseException:
        connection.rollback()
        raise
    connection.commit()


def _as_dicts(rows: list[sqlite3.Row]) -> list[Row]:
    """Rows as dicts, the column names taken once: dict(row) looks each one up per row."""
    names = rows[0].keys() if rows else ()
    return [dict(zip(names, row, strict=True)) for row in rows]
