"""The read database's portable API on both engines."""

from __future__ import annotations

import asyncio

import pytest

from coordination.bootstrap import System
from coordination.persistence.readdb import GatheredWrites, ReadDatabase, Row, RowsCheck


async def test_one_sql_dialect_on_both_engines(db: ReadDatabase) -> None:
    await db.execute(
        "CREATE TABLE scratch_rows (id TEXT PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0)"
    )
    await db.executemany(
        "INSERT INTO scratch_rows (id, n) VALUES ($1, $2)"
        " ON CONFLICT (id) DO UPDATE SET n = scratch_rows.n + excluded.n",
        [("a", 1), ("b", 2), ("a", 3)],
    )
    assert await db.fetch("SELECT id, n FROM scratch_rows ORDER BY id") == [
        {"id": "a", "n": 4},
        {"id": "b", "n": 2},
    ]
    assert await db.fetchrow("SELECT n FROM scratch_rows WHERE id = $1", "b") == {"n": 2}
    assert await db.fetchrow("SELECT n FROM scratch_rows WHERE id = $1", "zz") is None
    assert (
        await db.fetchval("SELECT COUNT(*) FROM scratch_rows WHERE (id, n) > ($1, $2)", "a", 4) == 1
    )
    assert await db.execute("UPDATE scratch_rows SET n = n + 1 WHERE n > $1", 0) == 2


async def test_a_failed_transaction_leaves_nothing(db: ReadDatabase) -> None:
    await db.execute("CREATE TABLE scratch_tx (id TEXT PRIMARY KEY)")

    async def insert_then_fail() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO scratch_tx (id) VALUES ($1)", "lost")
            raise RuntimeError("abort")

    with pytest.raises(RuntimeError):
        await insert_then_fail()
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO scratch_tx (id) VALUES ($1)", "kept")
    async with db.transaction(readonly=True) as snapshot:
        assert await snapshot.fetch("SELECT id FROM scratch_tx") == [{"id": "kept"}]


async def test_gathered_writes_run_checked_and_all_or_nothing(db: ReadDatabase) -> None:
    await db.execute("CREATE TABLE scratch_gathered (id TEXT PRIMARY KEY, n INTEGER)")
    await db.execute("INSERT INTO scratch_gathered (id, n) VALUES ($1, $2)", "seen", 1)
    seen: list[list[Row]] = []

    def expect(n: int) -> RowsCheck:
        def verify(rows: list[Row]) -> None:
            seen.append(rows)
            if rows != [{"n": n}]:
                raise LookupError(f"moved to {rows}")

        return RowsCheck("SELECT n FROM scratch_gathered WHERE id = $1", ("seen",), verify)

    writes = GatheredWrites()
    await writes.executemany(
        "INSERT INTO scratch_gathered (id, n) VALUES ($1, $2)", [("a", 1), ("b", 2)]
    )
    await writes.execute("UPDATE scratch_gathered SET n = n + 1 WHERE id = $1", "seen")
    with pytest.raises(TypeError, match="cannot read"):
        await writes.fetch("SELECT 1")
    async with db.dedicated() as connection:
        with pytest.raises(LookupError):  # the check fails: nothing is written
            await connection.write_gathered(writes, check=expect(5))
        assert await db.fetchval("SELECT COUNT(*) FROM scratch_gathered") == 1
        failing = GatheredWrites(statements=[*writes.statements])
        await failing.execute("INSERT INTO scratch_gathered (id, n) VALUES ($1, $2)", "a", 9)
        with pytest.raises(Exception, match=r"(?i)unique|duplicate"):  # the last one fails
            await connection.write_gathered(failing, check=expect(1))
        assert await db.fetchval("SELECT COUNT(*) FROM scratch_gathered") == 1
        await connection.write_gathered(writes, check=expect(1))
    assert seen == [[{"n": 1}]] * 3
    assert await db.fetch("SELECT id, n FROM scratch_gathered ORDER BY id") == [
        {"id": "a", "n": 1},
        {"id": "b", "n": 2},
        {"id": "seen", "n": 2},
    ]


async def test_a_closed_read_database_refuses_reads_at_once(system: System) -> None:
    # On SQLite a read after close waited forever for the connection's thread, gone.
    db = await ReadDatabase.open(system.target)
    assert await db.fetchval("SELECT 1") == 1
    await db.close()
    async with asyncio.timeout(10):
        with pytest.raises(Exception, match=r"(?i)closed|closing"):
            await db.fetch("SELECT 1")
