"""`private_file` on a database this process has open leaves SQLite's locks alone, so
another process closing its last connection does not take the database for unused and
delete its `-wal` and `-shm` under this one (which corrupted SQLite nodes that a
command line wrote to while `serve` ran)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from coordination.private_files import private_file

READ_AND_CLOSE = (
    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
    " c.execute('SELECT count(*) FROM t').fetchall(); c.close()"
)


def test_an_open_database_keeps_its_wal_when_another_process_closes(tmp_path: Path) -> None:
    path = private_file(tmp_path / "store.db")
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
        conn.commit()

        private_file(path)
        subprocess.run([sys.executable, "-c", READ_AND_CLOSE, str(path)], check=True)

        assert path.with_name("store.db-shm").exists()
        assert path.with_name("store.db-wal").exists()
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (1,)
    finally:
        conn.close()


def test_a_missing_file_is_made_private_and_an_existing_one_kept(tmp_path: Path) -> None:
    made = private_file(tmp_path / "new" / "file")
    assert made.stat().st_mode & 0o777 == 0o600
    made.write_bytes(b"kept")
    made.chmod(0o640)
    private_file(made)
    assert made.read_bytes() == b"kept"
    assert made.stat().st_mode & 0o777 == 0o640
