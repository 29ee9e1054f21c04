"""The library's PostgreSQL recorder, with the read check of `read_validation`.

The library takes its table lock, then inserts the events with one statement whose rows
come from an array. With read versions given, that statement selects its rows only when
no stream read has an event past its stated version: checked after the lock, in the
statement's snapshot, which cannot yet see the rows it inserts. So the check costs no
round trip, and no other writer can slip in between the check and the insert.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from coordination.persistence.read_validation import (
    READ_VERSIONS,
    ReadVersions,
    StaleRead,
    ValidatesReads,
)


class ReadCheckingPostgresRecorder(ValidatesReads, PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        names = {
            "schema": Identifier(self.datastore.schema),
            "table": Identifier(self.events_table_name),
            "stored_event_type": Identifier(self.stored_event_type_name),
            "id_type": Identifier(self.datastore.originator_id_type),
        }
        self.insert_checked_statement = SQL(
            "INSERT INTO {schema}.{table} AS t"
            " (originator_id, originator_version, topic, state)"
            " SELECT originator_id, originator_version, topic, state"
            " FROM unnest(%s::{schema}.{stored_event_type}[])"
            " WHERE NOT EXISTS ("
            "  SELECT 1 FROM {schema}.{table} AS e,"
            "   unnest(%s::{id_type}[], %s::bigint[]) AS r(id, version)"
            "  WHERE e.originator_id = r.id AND e.originator_version > r.version)"
            " RETURNING notification_id"
        ).format(**names)

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        read: ReadVersions | None = kwargs.get(READ_VERSIONS)
        if not read:
            super()._insert_stored_events(curs, stored_events, **kwargs)
            return
        self._lock_table(curs)
        self._notify_channel(curs)
        rows = [
            self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic, e.state)
            for e in stored_events
        ]
        ids, versions = list(read), list(read.values())
        curs.execute(self.insert_checked_statement, (rows, ids, versions), prepare=True)

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if kwargs.get(READ_VERSIONS) and len(ids or ()) != len(stored_events):
            # The transaction commits with nothing in it (the library commits after
            # catching this); its notification only wakes a listener for nothing.
            raise StaleRead("a stream this command read was changed since")
        return ids
