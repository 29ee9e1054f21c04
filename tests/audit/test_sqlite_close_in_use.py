"""Closing the SQLite log storage while another thread works on its own connection (a
request still in a worker thread as the node stops). Closing a connection another thread
is using either waits for its statement or, between two of its statements, frees what the
next one uses: a crash of the whole process (seen once in the suite). So `close` leaves
the connections of running threads alone: it returns at once, and their statements end
with their answers."""

from __future__ import annotations

import threading
from pathlib import Path

from coordination.audit.storage_sqlite import SQLiteLogStorage


def test_a_statement_in_another_thread_outlives_close(tmp_path: Path) -> None:
    storage = SQLiteLogStorage(tmp_path / "log.db")
    inside, release = threading.Event(), threading.Event()
    answers: list[object] = []

    def held() -> int:
        inside.set()
        release.wait(10)
        return 7

    def reader() -> None:
        conn = storage.read_connection()
        conn.create_function("held", 0, held)
        answers.append(conn.execute("SELECT held()").fetchone())

    thread = threading.Thread(target=reader)
    thread.start()
    assert inside.wait(10), "the reader did not start its statement"
    closer = threading.Thread(target=storage.close)
    closer.start()
    closer.join(5)
    closing_waited = closer.is_alive()
    release.set()
    thread.join(10)
    closer.join(10)

    assert not closing_waited, "close waited for another thread's statement"

    assert answers == [(7,)]
    storage.close()  # once the reader's thread ended, its connection is closed too
    assert storage._connections == []
