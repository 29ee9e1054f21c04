"""`ThreadedConnection`: an SQLite connection used from a thread of its own."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from functools import partial
from pathlib import Path

import pytest

from coordination.persistence import readdb_sqlite
from coordination.persistence.sqlite_thread import ThreadedConnection


async def test_every_use_runs_in_order_on_one_thread_that_is_not_the_loops(
    tmp_path: Path,
) -> None:
    connection = await ThreadedConnection.open(tmp_path / "t.db", "journal_mode=WAL")
    try:
        await connection.execute("CREATE TABLE t (n INTEGER)")
        threads: list[int] = []

        def insert(n: int, raw: sqlite3.Connection) -> None:
            threads.append(threading.get_ident())
            raw.execute("INSERT INTO t VALUES (?)", (n,))

        async def use(n: int) -> None:
            await connection.run(partial(insert, n))

        await asyncio.gather(*(use(n) for n in range(20)))
        rows = await connection.fetchall("SELECT n FROM t ORDER BY rowid")
        assert [row["n"] for row in rows] == list(range(20))  # in the order they were asked
        assert len(set(threads)) == 1
        assert threads[0] != threading.get_ident()
        assert await connection.execute("UPDATE t SET n = n + 1 WHERE n < ?", (5,)) == 5
    finally:
        await connection.close()


async def test_a_failure_reaches_its_caller_and_the_connection_goes_on(tmp_path: Path) -> None:
    connection = await ThreadedConnection.open(tmp_path / "t.db")
    try:
        with pytest.raises(sqlite3.OperationalError, match="no such table"):
            await connection.fetchall("SELECT * FROM missing")
        with pytest.raises(ZeroDivisionError):
            await connection.run(lambda _raw: 1 / 0)
        assert [tuple(row) for row in await connection.fetchall("SELECT 1 + 1")] == [(2,)]
    finally:
        await connection.close()


async def test_a_cancelled_caller_leaves_the_connection_working(tmp_path: Path) -> None:
    connection = await ThreadedConnection.open(tmp_path / "t.db")
    started, release = threading.Event(), threading.Event()

    def hold(_raw: sqlite3.Connection) -> str:
        started.set()
        assert release.wait(10)
        return "held"

    try:
        held = asyncio.create_task(connection.run(hold))
        queued = asyncio.create_task(connection.fetchall("SELECT 7"))
        await asyncio.to_thread(started.wait, 10)
        queued.cancel()  # cancelled while it waits behind `hold`
        release.set()
        assert await held == "held"
        with pytest.raises(asyncio.CancelledError):
            await queued
        assert [tuple(row) for row in await connection.fetchall("SELECT 8")] == [(8,)]
    finally:
        await connection.close()


async def test_closing_ends_the_thread(tmp_path: Path) -> None:
    before = {thread.ident for thread in threading.enumerate()}
    connection = await ThreadedConnection.open(tmp_path / "t.db")
    ours = [t for t in threading.enumerate() if t.ident not in before]
    assert [t.name for t in ours] == ["sqlite"]
    await connection.close()
    await asyncio.to_thread(ours[0].join, 10)
    assert not ours[0].is_alive()


async def test_a_read_transaction_cancelled_before_its_begin_ran_leaves_no_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A request that goes away while its BEGIN waits for the connection's thread: the
    # BEGIN still runs. The connection must not go back to the pool inside a transaction,
    # where its next users would read an old snapshot (or fail to begin their own).
    path = tmp_path / "read.db"
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE t (n INTEGER)")
    setup.commit()
    setup.close()
    monkeypatch.setattr(readdb_sqlite, "SQLITE_READERS", 1)
    db = await readdb_sqlite.SQLiteReadDatabase.connect(path, b"k" * 32)
    started, release = threading.Event(), threading.Event()

    def hold(_raw: sqlite3.Connection) -> None:
        started.set()
        assert release.wait(10)

    async def read_in_a_transaction() -> list[object]:
        async with db.transaction(readonly=True) as tx:
            return list(await tx.fetch("SELECT n FROM t"))

    try:
        async with db.transaction(readonly=True) as tx:  # the one reader
            reader = tx.raw  # type: ignore[attr-defined]
        held = asyncio.create_task(reader.run(hold))  # its thread busy until released
        await asyncio.to_thread(started.wait, 10)
        reading = asyncio.create_task(read_in_a_transaction())
        await asyncio.sleep(0)  # one step: it takes the reader and queues its BEGIN
        reading.cancel()
        release.set()
        await held
        with pytest.raises(asyncio.CancelledError):
            await reading
        await db.execute("INSERT INTO t (n) VALUES (1)")
        assert await db.fetch("SELECT n FROM t") == [{"n": 1}]  # not an old snapshot
        assert await read_in_a_transaction() == [{"n": 1}]
    finally:
        release.set()
        await db.close()
