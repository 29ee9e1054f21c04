"""The event store's log, read in notification order straight from the library's table.

The one reader of the event table on the read database: the projector reads its pages
here, and the audit trail and the event tail read theirs (``graphql.event_log``, which
decodes them for clients). Reading the table through the read database rather than
through ``app.recorder.select_notifications`` in a thread, the rows arrive on the
caller's own async connection (no thread hop per page, no second pool), topics a caller
does not read (command records above all) are skipped by the database, and a page can
be bounded by a head so that it never includes an id above a head whose predecessors
are all committed. The columns read are the library's stable notification columns
(``notification_id`` on PostgreSQL, ``rowid`` on SQLite); decoding stays the caller's,
with the library's mapper or one that decodes as it does, so upcasting and transcodings
apply unchanged.

Why bounding by a head is safe: the library's recorder inserts under an exclusive table
lock (PostgreSQL) or the database's single writer lock (SQLite), so ids are committed in
id order; once ``MAX(id)`` is seen, every smaller id is committed or will never exist.

The integrator reads the table apart (``audit.storage_postgres``, ``audit.storage_sqlite``):
on its own thread, through the synchronous connections that write the log in the same
database, as plain rows its encoder takes without building a ``Notification``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from coordination.persistence.readdb import Handle, ReadDatabase


@dataclass(frozen=True)
class DecodedNotification(Notification):
    """A notification whose event was read elsewhere than from its stored state (from the
    verified log: ``audit.verified_reader``); ``event`` is that event, and decoders hand
    it over as it is."""

    event: Any = None


class EventReader(Protocol):
    """What the projector reads its pages from: the event table (`EventLog`), or the
    verified log followed by the event table (``audit.verified_reader``)."""

    async def head(self, handle: Handle) -> int:
        """The highest notification id; every lower one is committed (or never will be)."""

    async def read(
        self,
        handle: Handle,
        after: int,
        limit: int,
        *,
        until: int | None = None,
        topics: Sequence[str] = (),
    ) -> list[Notification]:
        """Up to `limit` events with ids above `after` (at most `until`), in id order."""

    async def read_ids(self, handle: Handle, ids: Sequence[int]) -> list[Notification]:
        """The events with these notification ids, in id order."""


def events_table(app: Application[UUID]) -> str:
    """The name of the library's events table for `app` (it differs per engine)."""
    return str(getattr(app.recorder, "events_table_name", "stored_events"))


class EventLog:
    """The event store's log, read from its table on a read database's connection.

    Args:
        db: The read database (in the event store's database).
        table: The library's events table (`events_table`).
    """

    def __init__(self, db: ReadDatabase, table: str) -> None:
        self.db, self.table = db, table
        self._id = "notification_id" if db.is_postgres else "rowid"
        # Column and table are the library's names, never a caller's input.
        self._head_sql = f"SELECT MAX({self._id}) FROM {table}"  # noqa: S608
        self._columns = f"{self._id} AS id, originator_id, originator_version, topic, state"

    async def head(self, handle: Handle) -> int:
        """The highest notification id; every lower one is committed (or never will be)."""
        return int(await handle.fetchval(self._head_sql) or 0)

    async def read(
        self,
        handle: Handle,
        after: int,
        limit: int,
        *,
        until: int | None = None,
        topics: Sequence[str] = (),
        excluding: Sequence[str] = (),
        stream_id: UUID | None = None,
        containing: Sequence[bytes] = (),
    ) -> list[Notification]:
        """Up to `limit` events with ids above `after` (and at most `until`), in id order.

        Args:
            handle: The connection or transaction to read on.
            after: Only ids above this one.
            limit: The most events returned.
            until: Only ids up to this one (a head), when given.
            topics: Only events of these topics, when given.
            excluding: No events of these topics.
            stream_id: Only events of this stream, when given.
            containing: Only events whose stored state contains each of these bytes.
        """
        conditions = [f"{self._id} > $1"]
        args: list[Any] = [after, limit]
        if until is not None:
            args.append(until)
            conditions.append(f"{self._id} <= ${len(args)}")
        for needle in containing:
            args.append(needle)
            found = (
                "position(${n}::bytea in state)" if self.db.is_postgres else "instr(state, ${n})"
            )
            conditions.append(f"{found.format(n=len(args))} > 0")
        if stream_id is not None:
            args.append(self._stream(stream_id))
            conditions.append(f"originator_id = ${len(args)}")
        if topics:
            conditions.append(f"topic IN ({_placeholders(args, topics)})")
        if excluding:
            conditions.append(f"topic NOT IN ({_placeholders(args, excluding)})")
        # Only library column names and placeholders are formatted in; values are bound.
        rows = await handle.fetch(
            f"SELECT {self._columns} FROM {self.table}"  # noqa: S608
            f" WHERE {' AND '.join(conditions)} ORDER BY {self._id} LIMIT $2",
            *args,
        )
        return [_notification(row) for row in rows]

    async def read_ids(self, handle: Handle, ids: Sequence[int]) -> list[Notification]:
        """The events with these notification ids, in id order."""
        if not ids:
            return []
        wanted = ", ".join(f"${n}" for n in range(1, len(ids) + 1))
        rows = await handle.fetch(
            f"SELECT {self._columns} FROM {self.table}"  # noqa: S608
            f" WHERE {self._id} IN ({wanted}) ORDER BY {self._id}",
            *ids,
        )
        return [_notification(row) for row in rows]

    async def position_of(self, handle: Handle, stream_id: UUID, version: int) -> int | None:
        """The notification id of version `version` of stream `stream_id`, if recorded."""
        value = await handle.fetchval(
            f"SELECT {self._id} FROM {self.table}"  # noqa: S608
            " WHERE originator_id = $1 AND originator_version = $2",
            self._stream(stream_id),
            version,
        )
        return None if value is None else int(value)

    def _stream(self, stream_id: UUID) -> UUID | str:
        """A stream id as the table holds it (SQLite: its 32 hex digits)."""
        return stream_id if self.db.is_postgres else stream_id.hex


def _placeholders(args: list[Any], values: Sequence[str]) -> str:
    """Append `values` to `args`; their placeholders, comma-separated."""
    first = len(args) + 1
    args.extend(values)
    return ", ".join(f"${n}" for n in range(first, len(args) + 1))


def _notification(row: dict[str, Any]) -> Notification:
    originator = row["originator_id"]
    return Notification(
        id=int(row["id"]),
        originator_id=originator if isinstance(originator, UUID) else UUID(str(originator)),
        originator_version=int(row["originator_version"]),
        topic=str(row["topic"]),
        state=bytes(row["state"]),
    )
