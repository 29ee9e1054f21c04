"""The read database on PostgreSQL: an asyncpg pool in the event store's schema.

A failure to reach the server (a refused or lost connection, the server shutting down)
is told to the node's `Availability`, which probes the server and, when it is down, has
requests refused at once until it is back; so is the end of a dedicated connection (the
projector's) that this process did not close, which is how a stopped server shows first.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from coordination.persistence.availability import Availability, is_connection_failure
from coordination.persistence.eventstore import DatabaseTarget
from coordination.persistence.readdb import Connection, Handle, ReadDatabase, Row


def _rowcount(status: str) -> int:
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PostgresHandle(Connection):
    """An asyncpg connection behind the portable API; `raw` is there for LISTEN and locks."""

    def __init__(self, raw: asyncpg.Connection) -> None:
        self.raw = raw

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return [dict(record) for record in await self.raw.fetch(sql, *args)]

    async def execute(self, sql: str, *args: Any) -> int:
        return _rowcount(await self.raw.execute(sql, *args))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self.raw.executemany(sql, list(rows))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresHandle]:
        async with self.raw.transaction():
            yield self


class PostgresReadDatabase(ReadDatabase):
    is_postgres = True

    def __init__(
        self,
        pool: asyncpg.Pool,
        target: DatabaseTarget,
        key: bytes,
        availability: Availability | None = None,
    ) -> None:
        super().__init__(key, availability)
        self.pool, self.target = pool, target

    @classmethod
    async def connect(
        cls,
        target: DatabaseTarget,
        key: bytes,
        *,
        max_size: int,
        availability: Availability | None = None,
    ) -> PostgresReadDatabase:
        pool = await asyncpg.create_pool(
            min_size=1, max_size=max_size, reset=_keep_session, **_pg_args(target)
        )
        return cls(pool, target, key, availability)

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        try:
            return [dict(record) for record in await self.pool.fetch(sql, *args)]
        except Exception as error:
            self._noticed(error)
            raise

    async def execute(self, sql: str, *args: Any) -> int:
        try:
            return _rowcount(await self.pool.execute(sql, *args))
        except Exception as error:
            self._noticed(error)
            raise

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            await self.pool.executemany(sql, list(rows))
        except Exception as error:
            self._noticed(error)
            raise

    @asynccontextmanager
    async def transaction(self, *, readonly: bool = False) -> AsyncIterator[Handle]:
        try:
            async with self.pool.acquire() as raw:
                isolation = "repeatable_read" if readonly else "read_committed"
                async with raw.transaction(isolation=isolation, readonly=readonly):
                    yield PostgresHandle(raw)
        except Exception as error:
            self._noticed(error)
            raise

    @asynccontextmanager
    async def dedicated(self) -> AsyncIterator[PostgresHandle]:
        # Not from the pool: the projector's advisory lock lives and dies with this session.
        try:
            raw = await asyncpg.connect(**_pg_args(self.target))
        except Exception as error:
            self._noticed(error)
            raise
        ended = self._ended
        raw.add_termination_listener(ended)
        try:
            yield PostgresHandle(raw)
        finally:
            raw.remove_termination_listener(ended)
            if not raw.is_closed():
                raw.terminate()

    def _noticed(self, error: Exception) -> None:
        if is_connection_failure(error):
            self.availability.suspect()

    def _ended(self, _connection: object) -> None:
        """A dedicated connection ended while in use: the server may have gone."""
        self.availability.suspect()

    async def close(self) -> None:
        await self.pool.close()


async def _keep_session(_connection: asyncpg.Connection) -> None:
    """What a pooled connection needs reset on its way back: nothing beyond asyncpg's own
    step, which rolls back an unfinished transaction.

    asyncpg's default reset sends one more query per release (unlock advisory locks,
    close cursors, UNLISTEN, RESET ALL): a round trip for every read. Pooled connections
    never carry session state here: session locks and LISTEN live on `dedicated`
    connections, advisory locks on the pool are transaction-scoped, and nothing sets a
    session variable (the search path comes with the connection).
    """


def _pg_args(target: DatabaseTarget) -> dict[str, Any]:
    args: dict[str, Any] = {
        "host": target.host,
        "port": target.port,
        "user": target.user or None,
        "password": target.password or None,
        "database": target.dbname,
        "timeout": target.connect_timeout,
    }
    if target.schema:
        args["server_settings"] = {"search_path": target.schema}
    return args
