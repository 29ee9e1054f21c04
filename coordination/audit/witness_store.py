"""What witnessing keeps beside the log, on either backend (FEED-PROTOCOL §7):

- ``witnessed_checkpoints``: per partner origin, the last checkpoint this node cosigned
  (size, root, note). It is checked and replaced in one transaction, under a lock on that
  origin, so two requests racing cannot roll a log back (tlog-witness asks it).
- ``checkpoint_cosignatures``: the cosignature lines gathered from the partners for this
  node's own checkpoints, by size, served with ``/checkpoint``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .side_tables import Rows, is_sqlite, read_rows, schema_prefix, write_transaction
from .storage import LogStorage

_LAST = "SELECT size, root, note FROM {p}witnessed_checkpoints WHERE origin = %s"
_CREATE = (
    "CREATE TABLE IF NOT EXISTS {p}witnessed_checkpoints (origin TEXT PRIMARY KEY,"
    " size BIGINT NOT NULL, root {blob} NOT NULL, note TEXT NOT NULL, cosigned_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {p}checkpoint_cosignatures (size BIGINT NOT NULL,"
    " witness TEXT NOT NULL, key_id BIGINT NOT NULL, line TEXT NOT NULL,"
    " PRIMARY KEY (size, witness, key_id))",
)


@dataclass(frozen=True)
class Witnessed:
    """The last checkpoint cosigned for an origin: its size, root hash and signed note."""

    size: int
    root: bytes
    note: str


@dataclass(frozen=True)
class Cosignature:
    """A cosignature line gathered for one of the node's checkpoints."""

    witness: str
    key_id: int
    line: str


def _witnessed(found: list[tuple[Any, ...]]) -> Witnessed | None:
    return Witnessed(int(found[0][0]), bytes(found[0][1]), str(found[0][2])) if found else None


class WitnessStore:
    """The witness's tables in the log's database (its SQLite file or PostgreSQL schema).

    Args:
        storage: The node's log storage.
    """

    def __init__(self, storage: LogStorage) -> None:
        self._storage = storage
        self._sqlite = is_sqlite(storage)
        self._prefix = schema_prefix(storage)
        self._ready = False

    def _transaction(self, lock: str | None = None) -> contextlib.AbstractContextManager[Rows]:
        return write_transaction(self._storage, lock)

    def _reading(self) -> contextlib.AbstractContextManager[Rows]:
        # A read takes no write lock on SQLite: `/checkpoint`, which reads the
        # cosignatures, is public, and must never hold up the node's writers.
        return read_rows(self._storage)

    def _sql(self, text: str) -> str:
        return text.format(p=self._prefix)

    def create_tables(self) -> None:
        """Create the tables when missing (once per store)."""
        if self._ready:
            return
        blob = "BLOB" if self._sqlite else "BYTEA"
        with self._transaction(lock=f"coordination.witness-tables:{self._prefix}") as rows:
            for statement in _CREATE:
                rows.execute(statement.format(p=self._prefix, blob=blob))
        self._ready = True

    def witness(self, origin: str, decide: Callable[[Witnessed | None], Witnessed]) -> Witnessed:
        """Check and record a checkpoint of ``origin`` in one transaction.

        Args:
            origin: The log's origin.
            decide: Given the last checkpoint cosigned for ``origin`` (None if none),
                returns the one to record, or raises to record nothing.

        Returns:
            What ``decide`` returned, now recorded.
        """
        self.create_tables()
        with self._transaction(lock=f"coordination.witness:{origin}") as rows:
            found = rows.execute(
                self._sql(
                    "SELECT size, root, note FROM {p}witnessed_checkpoints WHERE origin = %s"
                ),
                (origin,),
            )
            last = (
                Witnessed(int(found[0][0]), bytes(found[0][1]), str(found[0][2])) if found else None
            )
            new = decide(last)
            rows.execute(
                self._sql(
                    "INSERT INTO {p}witnessed_checkpoints (origin, size, root, note, cosigned_at)"
                    " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (origin) DO UPDATE SET"
                    " size = excluded.size, root = excluded.root, note = excluded.note,"
                    " cosigned_at = excluded.cosigned_at"
                ),
                (origin, new.size, new.root, new.note, datetime.now(UTC).isoformat()),
            )
            return new

    def last_witnessed(self, origin: str) -> Witnessed | None:
        """The last checkpoint of ``origin`` this node cosigned, if any."""
        self.create_tables()
        with self._reading() as rows:
            found = rows.execute(
                self._sql(
                    "SELECT size, root, note FROM {p}witnessed_checkpoints WHERE origin = %s"
                ),
                (origin,),
            )
        return Witnessed(int(found[0][0]), bytes(found[0][1]), str(found[0][2])) if found else None

    def keep_cosignatures(self, size: int, cosignatures: list[Cosignature]) -> None:
        """Keep cosignatures of the node's checkpoint of ``size`` (a witness's newer line
        for the same checkpoint replaces its older one)."""
        if not cosignatures:
            return
        self.create_tables()
        with self._transaction() as rows:
            for cosignature in cosignatures:
                rows.execute(
                    self._sql(
                        "INSERT INTO {p}checkpoint_cosignatures (size, witness, key_id, line)"
                        " VALUES (%s, %s, %s, %s) ON CONFLICT (size, witness, key_id)"
                        " DO UPDATE SET line = excluded.line"
                    ),
                    (size, cosignature.witness, cosignature.key_id, cosignature.line),
                )

    def last_cosigned_size(self, witness: str, key_id: int, at_most: int) -> int:
        """The largest size, up to ``at_most``, of the node's checkpoints that witness
        cosigned (0 when none)."""
        self.create_tables()
        with self._reading() as rows:
            found = rows.execute(
                self._sql(
                    "SELECT max(size) FROM {p}checkpoint_cosignatures"
                    " WHERE witness = %s AND key_id = %s AND size <= %s"
                ),
                (witness, key_id, at_most),
            )
        return int(found[0][0]) if found and found[0][0] is not None else 0

    def cosignatures(self, size: int) -> list[Cosignature]:
        """The cosignatures kept for the node's checkpoint of ``size``, by witness."""
        self.create_tables()
        with self._reading() as rows:
            found = rows.execute(
                self._sql(
                    "SELECT witness, key_id, line FROM {p}checkpoint_cosignatures"
                    " WHERE size = %s ORDER BY witness, key_id"
                ),
                (size,),
            )
        return [Cosignature(str(w), int(k), str(line)) for w, k, line in found]
