"""Reading the event store's log, in notification order, straight from its table.

The projector reads the library's table through the read database rather than through
``app.recorder.select_notifications`` in a thread: the rows arrive on the projector's
own async connection (no thread hop per batch, no second pool), topics the views do not
read (command records above all) are skipped by the database, and the "head" and the
page are bounded so that a page never includes an id above a head whose predecessors
are all committed. The columns read are the library's stable notification columns
(``notification_id`` on PostgreSQL, ``rowid`` on SQLite); decoding stays the library's
(`app.mapper.to_domain_event`), so upcasting and transcodings apply unchanged.

Why bounding by a head is safe: the library's recorder inserts under an exclusive table
lock (PostgreSQL) or the database's single writer lock (SQLite), so ids are committed in
id order; once ``MAX(id)`` is seen, every smaller id is committed or will never exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from coordination.persistence.readdb import Handle, ReadDatabase


def events_table(app: Application[UUID]) -> str:
    """The name of the library's events table for `app` (it differs per engine)."""
    return str(getattr(app.recorder, "events_table_name", "stored_events"))


class EventLog:
    """The event store's log as the projector reads it."""

    def __init__(self, db: ReadDatabase, table: str) -> None:
        self.db = db
        if db.is_postgres:
            self._id = "notification_id"
            self._head_sql = f"SELECT MAX(notification_id) FROM {table}"  # noqa: S608
        else:
            self._id = "rowid"
            self._head_sql = f"SELECT MAX(rowid) FROM {table}"  # noqa: S608
        self._table = table

    async def head(self, handle: Handle) -> int:
        """The highest notification id; every lower one is committed (or never will be)."""
        return int(await handle.fetchval(self._head_sql) or 0)

    async def read(
        self, handle: Handle, after: int, stop: int, topics: Sequence[str], limit: int
    ) -> list[Notification]:
        """Up to `limit` events with ids in (`after`, `stop`] whose topic is in `topics`."""
        topic_list = ", ".join(f"${n}" for n in range(4, 4 + len(topics)))
        rows = await handle.fetch(
            f"SELECT {self._id} AS id, originator_id, originator_version, topic, state"  # noqa: S608
            f" FROM {self._table} WHERE {self._id} > $1 AND {self._id} <= $2"
            f" AND topic IN ({topic_list}) ORDER BY {self._id} LIMIT $3",
            after,
            stop,
            limit,
            *topics,
        )
        return [_notification(row) for row in rows]

    async def read_ids(self, handle: Handle, ids: Sequence[int]) -> list[Notification]:
        """The events with these notification ids, in id order."""
        if not ids:
            return []
        wanted = ", ".join(f"${n}" for n in range(1, len(ids) + 1))
        rows = await handle.fetch(
            f"SELECT {self._id} AS id, originator_id, originator_version, topic, state"  # noqa: S608
            f" FROM {self._table} WHERE {self._id} IN ({wanted}) ORDER BY {self._id}",
            *ids,
        )
        return [_notification(row) for row in rows]

    async def position_of(self, handle: Handle, stream_id: UUID, version: int) -> int | None:
        """The notification id of version `version` of stream `stream_id`, if recorded."""
        stream: UUID | str = stream_id if self.db.is_postgres else stream_id.hex
        value = await handle.fetchval(
            f"SELECT {self._id} FROM {self._table}"  # noqa: S608
            " WHERE originator_id = $1 AND originator_version = $2",
            stream,
            version,
        )
        return None if value is None else int(value)


def _notification(row: dict[str, object]) -> Notification:
    originator = row["originator_id"]
    state = row["state"]
    assert isinstance(state, (bytes, bytearray, memoryview))
    return Notification(
        id=int(row["id"]),  # type: ignore[call-overload]
        originator_id=originator if isinstance(originator, UUID) else UUID(str(originator)),
        originator_version=int(row["originator_version"]),  # type: ignore[call-overload]
        topic=str(row["topic"]),
        state=bytes(state),
    )
