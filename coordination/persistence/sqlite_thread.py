"""`ThreadedConnection`: one `sqlite3` connection, used only from a thread of its own.

`sqlite3` blocks, so the event loop hands each use of a connection to the connection's
own thread and awaits the answer. What is handed over is any function of the
connection: one statement, or a whole transaction (`run`). On a loop busy with requests
every hand-off waits a turn behind them, so a projector's page written in one hand-off
becomes visible several turns sooner than one written statement by statement
(`docs/decisions/0007-projections-read-database.md` says why this is ours rather
than aiosqlite's, which hands over single statements only).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
A = TypeVar("A")


class ThreadedConnection:
    """An `sqlite3` connection in autocommit mode (transactions are begun explicitly),
    whose rows are `sqlite3.Row`, every use of which runs on its own thread."""

    def __init__(self, connection: sqlite3.Connection, uses: _Uses) -> None:
        self._connection, self._uses = connection, uses

    @classmethod
    async def open(cls, path: Path, *pragmas: str) -> ThreadedConnection:
        """Connect to the database file at `path` and run `pragmas` (``PRAGMA`` bodies)."""

        def connect(_: None) -> sqlite3.Connection:
            # The connection is made on its thread and only ever used there.
            connection = sqlite3.connect(str(path), isolation_level=None)
            connection.row_factory = sqlite3.Row
            for pragma in pragmas:
                connection.execute(f"PRAGMA {pragma}")
            return connection

        uses = _Uses()
        try:
            connection = await uses.run(connect, None)
        except BaseException:
            uses.end()
            raise
        return cls(connection, uses)

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work(connection)` on the connection's thread, in one hand-off.

        Cancelling the caller does not stop `work` once it has started: the connection's
        thread finishes it before it takes up the next use.
        """
        return await self._uses.run(work, self._connection)

    async def fetchall(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return await self.run(partial(_fetchall, sql, args))

    async def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""
        return await self.run(partial(_execute, sql, args))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self.run(partial(_executemany, sql, [tuple(row) for row in rows]))

    async def close(self) -> None:
        try:
            await self.run(sqlite3.Connection.close)
        finally:
            self._uses.end()


class _Uses:
    """A thread that runs the calls queued for it in order, answering each on the event
    loop that queued it. (A thread pool's futures cost a read more: docs/performance.md.)
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[asyncio.Future[Any], Callable[[], Any]] | None]
        self._queue = queue.SimpleQueue()
        self._ended = False
        self._ending = threading.Lock()
        # A daemon: an interpreter that ends does not wait for it, and a transaction cut
        # short there is rolled back by SQLite itself.
        self._thread = threading.Thread(target=self._serve, name="sqlite", daemon=True)
        self._thread.start()

    async def run(self, work: Callable[[A], T], argument: A) -> T:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        with self._ending:
            if self._ended:
                # Queued after the end, it would wait forever for a thread that is gone.
                raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
            self._queue.put((future, partial(work, argument)))
        return await future

    def end(self) -> None:
        """Let the thread finish the calls queued, then end; later calls are refused."""
        with self._ending:
            self._ended = True
            self._queue.put(None)

    def _serve(self) -> None:
        while (item := self._queue.get()) is not None:
            future, call = item
            try:
                result, error = call(), None
            except BaseException as raised:  # handed to the caller, whatever it is
                result, error = None, raised
            with contextlib.suppress(RuntimeError):  # the caller's loop has closed
                future.get_loop().call_soon_threadsafe(_settle, future, result, error)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _fetchall(sql: str, args: Sequence[Any], connection: sqlite3.Connection) -> list[sqlite3.Row]:
    rows: list[sqlite3.Row] = connection.execute(sql, args).fetchall()
    return rows


def _execute(sql: str, args: Sequence[Any], connection: sqlite3.Connection) -> int:
    return connection.execute(sql, args).rowcount


def _executemany(sql: str, rows: list[tuple[Any, ...]], connection: sqlite3.Connection) -> None:
    connection.executemany(sql, rows)
