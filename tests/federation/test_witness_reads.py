"""Reading what the witness store keeps takes no write lock on SQLite: `/checkpoint`, which
reads the cosignatures, is public, and an anonymous caller must not be able to hold up the
node's writers (nor wait behind them)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from coordination.audit.storage import open_storage
from coordination.audit.storage_sqlite import SQLiteLogStorage
from coordination.audit.witness_store import Cosignature, WitnessStore
from coordination.bootstrap import bootstrap
from coordination.settings import Settings


def test_reads_go_on_while_a_writer_holds_the_lock(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'node.db'}",
        data_dir=tmp_path,
        origin="a.example/log",
        env="test",
    )
    system = bootstrap(settings)
    try:
        storage = open_storage(system.target, system.app)
        assert isinstance(storage, SQLiteLogStorage)
        store = WitnessStore(storage)
        store.create_tables()
        store.keep_cosignatures(7, [Cosignature("b.example/witness", 1, "— b line")])

        writer = sqlite3.connect(tmp_path / "node.db", isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # another process writing, say
        try:
            assert [c.line for c in store.cosignatures(7)] == ["— b line"]
            assert store.last_cosigned_size("b.example/witness", 1, 10) == 7
            assert store.last_witnessed("c.example/log") is None
        finally:
            writer.execute("ROLLBACK")
            writer.close()
            storage.close()
    finally:
        system.close()
