"""The keys in their own table of the node's PostgreSQL schema.

Looked up on a connection of the store's own (made when first needed, so a node starts
while the server is down; made again when lost). A new key is inserted by the save that
seals with it, in its events' transaction: another writer that made a key for the same
person first makes that insert fail, and the command runs again with the key that won.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from coordination.persistence.eventstore import DatabaseTarget
from coordination.persistence.write_along import Statement
from coordination.privacy.cipher import new_key
from coordination.privacy.keys import SubjectKeys, marks

_COLUMNS = "subject_id TEXT PRIMARY KEY, key BYTEA, created_at TEXT NOT NULL, erased_at TEXT"
_ERASE = "UPDATE {table} SET key = NULL, erased_at = %s WHERE subject_id = %s AND key IS NOT NULL"


class PostgresSubjectKeys(SubjectKeys):
    """The keys in the table ``subject_keys``, a row per person, a NULL key once erased."""

    def __init__(self, target: DatabaseTarget) -> None:
        super().__init__()
        self._target = target
        self._connection: Any = None
        # The recorder's connection has no search path of ours: its statements name the
        # schema (checked to be letters, digits and _ when the URL was read).
        self._table = f'"{target.schema}".subject_keys' if target.schema else "subject_keys"

    def _connect(self) -> Any:
        import psycopg

        target = self._target
        given: dict[str, Any] = {"user": target.user, "password": target.password}
        connection = psycopg.connect(
            host=target.host,
            port=target.port,
            dbname=target.dbname,
            connect_timeout=target.connect_timeout,
            autocommit=True,
            **{name: value for name, value in given.items() if value},  # else libpq's default
        )
        connection.execute(f"CREATE TABLE IF NOT EXISTS {self._table} ({_COLUMNS})")
        return connection

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import psycopg

        with self._lock:
            for attempt in (1, 2):
                if self._connection is None or self._connection.closed:
                    self._connection = self._connect()
                try:
                    cursor = self._connection.execute(sql, params)
                    return cursor.fetchall() if cursor.description else []
                except psycopg.OperationalError:
                    self._connection.close()
                    if attempt == 2:
                        raise
            raise AssertionError("unreachable")

    def _lookup(self, subject_ids: Sequence[str]) -> list[tuple[str, bytes | None]]:
        rows = self._execute(
            f"SELECT subject_id, key FROM {self._table}"  # noqa: S608
            f" WHERE subject_id IN ({marks(len(subject_ids), '%s')})",
            tuple(subject_ids),
        )
        return [(subject, None if key is None else bytes(key)) for subject, key in rows]

    def _make(self, subject_id: UUID) -> tuple[bytes, Statement]:
        key = new_key()
        insert = f"INSERT INTO {self._table} (subject_id, key, created_at) VALUES (%s, %s, %s)"  # noqa: S608
        return key, (insert, (str(subject_id), key, datetime.now(UTC).isoformat()))

    def _erase(self, subject_id: UUID) -> None:
        self._execute(
            _ERASE.format(table=self._table), (datetime.now(UTC).isoformat(), str(subject_id))
        )

    def _scrub(self) -> None:
        # The dead row version holding the key is reclaimed now rather than at the next
        # autovacuum (its bytes stay in PostgreSQL's write-ahead log and backups until
        # they are recycled: decision 38).
        self._execute(f"VACUUM {self._table}")

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
