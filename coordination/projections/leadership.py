"""Which process runs a projector: the one holding its lock.

On PostgreSQL it is a session advisory lock taken on the projector's own connection, the
same connection that writes the views: when the holder's process or connection dies, the
server releases the lock and a standby takes over, and a holder that lost its connection
cannot write anything more by accident. On SQLite it is an exclusive ``flock`` on a file
beside the database, released by the operating system when the holder's process ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from coordination.persistence.file_lock import try_lock
from coordination.persistence.readdb import Handle, ReadDatabase
from coordination.projections.schema import lock_key


class PostgresLeadership:
    """A session advisory lock, keyed by schema and projector name."""

    def __init__(self, key: int) -> None:
        self.key = key

    async def try_acquire(self, connection: Handle) -> bool:
        return bool(await connection.fetchval("SELECT pg_try_advisory_lock($1)", self.key))

    async def release(self, connection: Handle) -> None:
        with contextlib.suppress(Exception):
            await connection.fetchval("SELECT pg_advisory_unlock($1)", self.key)


class FileLeadership:
    """An exclusive, non-blocking ``flock`` on ``<database>.<name>.lock``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    async def try_acquire(self, connection: Handle) -> bool:  # noqa: ARG002
        if self._fd is not None:
            return True
        self._fd = try_lock(self.path)
        return self._fd is not None

    async def release(self, connection: Handle) -> None:  # noqa: ARG002
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def leadership_for(db: ReadDatabase, name: str) -> PostgresLeadership | FileLeadership:
    """The lock of projector `name` in `db`: advisory on PostgreSQL, a file beside SQLite's."""
    if db.is_postgres:
        return PostgresLeadership(lock_key(db, f"projector:{name}"))
    path = Path(str(getattr(db, "path", "coordination.db")))
    return FileLeadership(path.with_name(f"{path.name}.{name.replace(':', '-')}.lock"))
