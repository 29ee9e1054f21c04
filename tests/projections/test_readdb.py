"""The read database's portable API on both engines."""

from __future__ import annotations

import pytest

from coordination.persistence.readdb import ReadDatabase


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
