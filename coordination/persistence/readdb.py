"""The async read database: one small portable API over asyncpg and threaded sqlite3.

Projections and queries write SQL once, with ``$1``-style placeholders and portable types
(TEXT, INTEGER, BIGINT, ``INSERT ... ON CONFLICT DO UPDATE``, row-value comparisons), and
run it on either engine. On PostgreSQL the pool lives in the event store's schema (set
through ``search_path``), so the read tables sit beside the library's. On SQLite the read
tables live in the event store's own file, in WAL mode: one writer connection (the
projector's, serialised by a lock, ``BEGIN IMMEDIATE`` so it never has to upgrade a read
lock) and a few reader connections (see docs/decisions for why the same file).
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from coordination.persistence.availability import Availability
from coordination.persistence.eventstore import DatabaseTarget

Row = dict[str, Any]


class Handle(ABC):
    """What a connection or a transaction offers: the same five methods on both engines."""

    @abstractmethod
    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        """All rows of a query, as dicts keyed by column name."""

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        """The first row of a query, or None."""
        rows = await self.fetch(sql, *args)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, *args: Any) -> Any:
        """The first column of the first row, or None."""
        row = await self.fetchrow(sql, *args)
        return next(iter(row.values())) if row else None

    @abstractmethod
    async def execute(self, sql: str, *args: Any) -> int:
        """Run a statement; returns the number of rows it changed (when the engine says)."""

    @abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run a statement once per argument tuple."""


class ReadDatabase(Handle):
    """The read side's database; open it with `ReadDatabase.open(target)`.

    Attributes:
        is_postgres: True on PostgreSQL.
        cursor_key: The key that signs pagination cursors.
    """

    is_postgres: bool

    def __init__(self, cursor_key: bytes, availability: Availability | None = None) -> None:
        self.cursor_key = cursor_key
        #: Told when the server cannot be reached (PostgreSQL); never down on SQLite.
        self.availability = availability or Availability()

    @staticmethod
    async def open(
        target: DatabaseTarget,
        *,
        cursor_key: bytes | None = None,
        max_size: int = 10,
        availability: Availability | None = None,
    ) -> ReadDatabase:
        """Open the read database of `target` (the event store's database).

        Args:
            target: Where the event store lives.
            cursor_key: Signs pagination cursors; defaults to a key derived from the target,
                so cursors of one node or schema are refused by another.
            max_size: Largest number of pooled PostgreSQL connections.
            availability: The event store's (the one its datastore keeps), told when the
                server cannot be reached; one of its own when not given.
        """
        key = (
            cursor_key
            or hashlib.sha256(
                f"coordination cursors\0{target.describe()}\0{target.schema}".encode()
            ).digest()
        )
        # The engines' modules import this one; importing them here keeps that one-way.
        if target.is_postgres:
            from coordination.persistence.readdb_postgres import PostgresReadDatabase

            return await PostgresReadDatabase.connect(
                target, key, max_size=max_size, availability=availability
            )
        from coordination.persistence.readdb_sqlite import SQLiteReadDatabase

        assert target.sqlite_path is not None
        return await SQLiteReadDatabase.connect(target.sqlite_path, key)

    def writing(self) -> bool:
        """Whether this process has a write open that holds the event store's own write
        lock until this event loop lets it finish: on SQLite, the one writer connection
        in use (its file has one write lock, which commands need too). Never on
        PostgreSQL, where the read side's writes take no lock a command waits for."""
        return False

    @abstractmethod
    def transaction(self, *, readonly: bool = False) -> Any:
        """An async context manager yielding a `Handle` inside one transaction.

        A read-only transaction sees one snapshot of the database from start to end.
        """

    @abstractmethod
    def dedicated(self) -> Any:
        """An async context manager yielding a `Connection` of its own (the projector's)."""

    @abstractmethod
    async def close(self) -> None:
        """Close every connection."""


@dataclass(frozen=True)
class RowsCheck:
    """A query whose rows a transaction checks before it writes: `verify` raises to
    abandon the transaction. `verify` may run on another thread, so it reads nothing that
    changes meanwhile."""

    sql: str
    args: tuple[Any, ...]
    verify: Callable[[list[Row]], None]


@dataclass
class GatheredWrites(Handle):
    """A transaction's writes, gathered to be run later in one go
    (`Connection.write_gathered`). It takes writes only: a read has nothing to answer."""

    statements: list[tuple[str, list[tuple[Any, ...]]]] = field(default_factory=list)

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        raise TypeError(f"gathered writes run later, so they cannot read: {sql!r}, {len(args)}")

    async def execute(self, sql: str, *args: Any) -> int:
        self.statements.append((sql, [args]))
        return 0  # not known until they run

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.statements.append((sql, [tuple(row) for row in rows]))


class Connection(Handle):
    """A connection held by one user (the projector); it may open transactions in turn."""

    @abstractmethod
    def transaction(self) -> Any:
        """An async context manager yielding this connection inside a transaction."""

    async def write_gathered(self, writes: GatheredWrites, check: RowsCheck | None = None) -> None:
        """In one transaction: `check`, then `writes`, then commit; nothing if a check or
        write raises. (SQLite hands the whole of it to the connection's thread at once.)"""
        async with self.transaction() as tx:
            if check is not None:
                check.verify(await tx.fetch(check.sql, *check.args))
            for sql, rows in writes.statements:
                await tx.executemany(sql, rows)
