"""The library's SQLite recorder, with the read check of `read_validation`.

The library opens a deferred transaction and inserts the events one by one. The check
comes after the inserts: once a transaction has written, it holds the file's write lock
and reads the latest state, so nothing can change between the check and the commit. By
then the transaction sees its own rows too, so a stream read at version v and given k
new events here must end at v + k exactly; anything else is someone else's event, and
raising rolls the whole transaction back. The rows the save writes along with its events
(`write_along`) go first, in the same transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from coordination.persistence.read_validation import (
    READ_VERSIONS,
    ReadVersions,
    StaleRead,
    ValidatesReads,
    ensure_follows_on,
)
from coordination.persistence.write_along import statements_along


class ReadCheckingSQLiteRecorder(ValidatesReads, SQLiteApplicationRecorder):
    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        read: ReadVersions | None = kwargs.get(READ_VERSIONS)
        ensure_follows_on(stored_events, read)
        for sql, params in statements_along(kwargs):
            c.execute(sql, params)
        notification_ids = super()._insert_events(c, stored_events, **kwargs)
        if read:
            added = Counter(e.originator_id for e in stored_events)
            ids = [stream.hex for stream in read]
            c.execute(
                f"SELECT originator_id, MAX(originator_version) AS version"  # noqa: S608
                f" FROM {self.events_table_name}"
                f" WHERE originator_id IN ({', '.join('?' * len(ids))})"
                " GROUP BY originator_id",
                ids,
            )
            latest = {row["originator_id"]: row["version"] for row in c.fetchall()}
            for stream, version in read.items():
                if latest.get(stream.hex) != version + added[stream]:
                    raise StaleRead
        return notification_ids
