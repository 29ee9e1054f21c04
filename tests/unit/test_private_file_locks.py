"""`private_file` on a database this process has open leaves SQLite's locks on it alone: a
second process that opens and closes it must not take itself for the last connection and
delete the write-ahead log's shared memory under the first."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from coordination.private_files import private_file

OPEN_AND_CLOSE = (
    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
    " c.execute('SELECT count(*) FROM t').fetchall(); c.close()"
)


def test_making_an_open_database_private_keeps_its_shared_memory(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    held = sqlite3.connect(path, isolation_level=None)
    try:
        held.execute("PRAGMA journal_mode = WAL")
        held.execute("CREATE TABLE t (x)")
        held.execute("INSERT INTO t VALUES (1)")
        assert private_file(path) == path
        subprocess.run([sys.executable, "-c", OPEN_AND_CLOSE, str(path)], check=True)
        assert (tmp_path / "store.db-shm").exists()
        assert held.execute("SELECT count(*) FROM t").fetchone() == (1,)
    finally:
        held.close()
