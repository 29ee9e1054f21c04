"""The keys in their own SQLite file, made ahead in batches; which key is whose is
recorded with the events.

A key must be durable before any event sealed with it is, and two files cannot commit
in one transaction in WAL mode (SQLite commits an attached database after the main one,
each on its own), so a key written at the command would cost a second sync to disk per
new person. Instead the keys are made ahead, a batch in one synced transaction of the
keys file (``sealing_keys``, a numbered slot each); a new person takes a spare one, and
the save that seals with it records the person's slot in the event database
(``subject_key_slots``), in its events' transaction. The slot says nothing about the
person and holds no key: the keys stay in their own file. A person given a slot by two
writers at once fails the second save, which runs again with the first one's.

Spares are this process's own, so no two processes hand out the same one, and each is
handed out once. Those not handed out are deleted at close; the key of a save that
failed, or of a process that died, stays a key of nobody.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from coordination.persistence.write_along import Statement
from coordination.privacy.cipher import new_key
from coordination.privacy.keys import SubjectKeys, marks
from coordination.private_files import private_file

#: Keys made ahead in one synced transaction: one sync to disk per this many new persons.
SPARE_BATCH = 64
_KEYS = (
    "CREATE TABLE IF NOT EXISTS sealing_keys"
    " (slot INTEGER PRIMARY KEY, key BLOB, created_at TEXT NOT NULL, erased_at TEXT)"
)
# One b-tree, by person: one more page in the event's commit. No index on the slot: each
# is handed out once, by the one process that made it (an index on it cost a few percent
# of enrolments per second).
_SLOTS = (
    "CREATE TABLE IF NOT EXISTS events.subject_key_slots"
    " (subject_id TEXT PRIMARY KEY, slot INTEGER NOT NULL) WITHOUT ROWID"
)


class SQLiteSubjectKeys(SubjectKeys):
    """The keys file, written over when a key is erased (``secure_delete``), with the
    event database attached for the slots.

    Args:
        path: The keys file.
        events_path: The event database, whose saves record the slots.
    """

    def __init__(self, path: Path, events_path: Path) -> None:
        super().__init__()
        self._path, self._events_path = path, events_path
        self._db: sqlite3.Connection | None = None
        self._spares: list[tuple[int, bytes]] = []

    def _connection(self) -> sqlite3.Connection:
        """Opened when first needed: the event database is the library's to make."""
        if self._db is None:
            private_file(self._path)
            db = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA secure_delete = ON")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA busy_timeout = 30000")
            db.execute(_KEYS)
            db.execute("ATTACH DATABASE ? AS events", (str(self._events_path),))
            db.execute(_SLOTS)
            self._db = db
        return self._db

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._connection().execute(sql, params).fetchall()

    def _lookup(self, subject_ids: Sequence[str]) -> list[tuple[str, bytes | None]]:
        rows = self._execute(
            "SELECT s.subject_id, k.key FROM events.subject_key_slots AS s"  # noqa: S608
            " LEFT JOIN sealing_keys AS k ON k.slot = s.slot"
            f" WHERE s.subject_id IN ({marks(len(subject_ids), '?')})",
            tuple(subject_ids),
        )
        return [(subject, None if key is None else bytes(key)) for subject, key in rows]

    def _make(self, subject_id: UUID) -> tuple[bytes, Statement]:
        with self._lock:
            if not self._spares:
                self._stock()
            slot, key = self._spares.pop()
        insert = "INSERT INTO subject_key_slots (subject_id, slot) VALUES (?, ?)"
        return key, (insert, (str(subject_id), slot))

    def _stock(self) -> None:
        """A batch of spare keys, durable (synced) before any is handed out."""
        db = self._connection()
        made = datetime.now(UTC).isoformat()
        db.execute("BEGIN IMMEDIATE")
        try:
            for _ in range(SPARE_BATCH):
                key = new_key()
                cursor = db.execute(
                    "INSERT INTO sealing_keys (key, created_at) VALUES (?, ?)", (key, made)
                )
                assert cursor.lastrowid is not None
                self._spares.append((cursor.lastrowid, key))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            self._spares.clear()
            raise

    def _erase(self, subject_id: UUID) -> None:
        self._execute(
            "UPDATE sealing_keys SET key = NULL, erased_at = ? WHERE key IS NOT NULL"
            " AND slot = (SELECT slot FROM events.subject_key_slots WHERE subject_id = ?)",
            (datetime.now(UTC).isoformat(), str(subject_id)),
        )

    def _scrub(self) -> None:
        # The old page, key and all, lives on in the write-ahead log until a checkpoint
        # copies the zeroed page over it and truncates the log (the keys file's only).
        self._execute("PRAGMA main.wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        with self._lock:
            if self._db is None:
                return
            if self._spares:  # never handed out: no event is sealed with them
                slots = [slot for slot, _ in self._spares]
                self._db.execute(
                    f"DELETE FROM sealing_keys WHERE slot IN ({marks(len(slots), '?')})",  # noqa: S608
                    slots,
                )
                self._spares.clear()
            self._db.close()
            self._db = None
