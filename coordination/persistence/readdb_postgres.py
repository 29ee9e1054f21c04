"""The read database on PostgreSQL: an asyncpg pool in the event store's schema."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg  # type: ignore[import-untyped]

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

    def __init__(self, pool: asyncpg.Pool, target: DatabaseTarget, key: bytes) -> None:
        super().__init__(key)
        self.pool, self.target = pool, target

    @classmethod
    async def connect(
        cls, target: DatabaseTarget, key: bytes, *, max_size: int
    ) -> PostgresReadDatabase:
        pool = await asyncpg.create_pool(
            min_size=1, max_size=max_size, reset=_keep_session, **_pg_args(target)
        )
        return cls(pool, target, key)

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return [dict(record) for record in await self.pool.fetch(sql, *args)]

    async def execute(self, sql: str, *args: Any) -> int:
        return _rowcount(await self.pool.execute(sql, *args))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self.pool.executemany(sql, list(rows))

    @asynccontextmanager
    async def transaction(self, *, readonly: bool = False) -> AsyncIterator[Handle]:
        async with self.pool.acquire() as raw:
            isolation = "repeatable_read" if readonly else "read_committed"
            async with raw.transaction(isolation=isolation, readonly=readonly):
                yield PostgresHandle(raw)

    @asynccontextmanager
    async def dedicated(self) -> AsyncIterator[PostgresHandle]:
        # Not from the pool: the projector's advisory lock lives and dies with this session.
        raw = await asyncpg.connect(**_pg_args(self.target))
        try:
            yield PostgresHandle(raw)
        finally:
            if not raw.is_closed():
                raw.terminate()

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
        "timeout": 10,
    }
    if target.schema:
        args["server_settings"] = {"search_path": target.schema}
    return args
