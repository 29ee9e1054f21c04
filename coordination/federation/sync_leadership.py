"""Which process of a node syncs its peers: the one holding the sync's lock.

On PostgreSQL a session advisory lock on a connection of its own, which the server
releases when the holder's process or connection dies; on SQLite an exclusive ``flock``
on a file beside the database, which the operating system releases when the holder's
process ends. A standby asks again now and then and takes over.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from typing import Any, Protocol

import psycopg

from coordination.persistence.eventstore import DatabaseTarget
from coordination.persistence.file_lock import try_lock


class Leadership(Protocol):
    """A lock one process at a time holds."""

    def try_lead(self) -> bool:
        """Take the lock if free (or keep it); whether this process holds it."""

    def close(self) -> None:
        """Let go of the lock."""


class _FileLeadership:
    def __init__(self, target: DatabaseTarget) -> None:
        assert target.sqlite_path is not None
        self._path = target.sqlite_path.with_name(f"{target.sqlite_path.name}.peer-sync.lock")
        self._fd: int | None = None

    def try_lead(self) -> bool:
        if self._fd is None:
            self._fd = try_lock(self._path)
        return self._fd is not None

    def close(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class _PostgresLeadership:
    def __init__(self, target: DatabaseTarget) -> None:
        self._target = target
        name = f"coordination.peer-sync:{target.dbname}:{target.schema}"
        self._key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        self._conn: psycopg.Connection[Any] | None = None

    def try_lead(self) -> bool:
        if self._conn is not None and not self._conn.closed:
            try:
                self._conn.execute("SELECT 1")
                return True
            except psycopg.Error:
                self.close()  # the connection, and with it the lock, is gone
        target = self._target
        try:
            conn = psycopg.connect(
                host=target.host,
                port=target.port,
                user=target.user,
                password=target.password,
                dbname=target.dbname,
                connect_timeout=target.connect_timeout,
                autocommit=True,
            )
        except psycopg.Error:
            return False
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (self._key,)).fetchone()
        if row is None or not row[0]:
            conn.close()
            return False
        self._conn = conn
        return True

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                self._conn.close()
            self._conn = None


def sync_leadership(target: DatabaseTarget) -> Leadership:
    """The sync's lock for the node's database."""
    return _PostgresLeadership(target) if target.is_postgres else _FileLeadership(target)
