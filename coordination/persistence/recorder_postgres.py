"""The library's PostgreSQL recorder, with the read check of `read_validation`, in one
round trip.

The library takes its table lock, then inserts the events with one statement whose rows
come from an array. With read versions given, that statement selects its rows only when
no stream read has an event past its stated version: checked after the lock, in the
statement's snapshot, which cannot yet see the rows it inserts. So the check costs no
round trip, and no other writer can slip in between the check and the insert. The events
of a stream read must also start right after the version read (`ensure_follows_on`, checked
before anything is sent): a gap is something no key violation catches.

The library's insert takes several round trips (its pipeline syncs to surface a key
violation before it commits, and its transaction block syncs again on the way in and
out), and commands on the event loop (decision 17) hold every request up for as long: a
command's events, read check included, insert faster this way than the library inserted
them without it (decision 20 has the times). Here the whole transaction, from `BEGIN`
through the lock, the notification and the insert to `COMMIT`, goes in one pipeline with
one sync. A failing statement makes the server skip the rest up to the sync, `COMMIT`
included, so a key violation still commits nothing; the pool's connection context rolls
the aborted transaction back as the error passes through it. The table lock is held from
the lock to the commit, as in the library, so notification ids still commit in order.
The rows the save writes along with its events (`write_along`) go in the same pipeline,
after `BEGIN`: a key another writer made first fails the transaction like a lost race.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from coordination.persistence.read_validation import (
    READ_VERSIONS,
    ReadVersions,
    StaleRead,
    ValidatesReads,
    ensure_follows_on,
)
from coordination.persistence.write_along import statements_along

#: As the library's own insert: tries, and the pause between them.
INSERT_ATTEMPTS = 10
INSERT_RETRY_WAIT_S = 0.2


class ReadCheckingPostgresRecorder(ValidatesReads, PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self._names = {
            "schema": Identifier(self.datastore.schema),
            "table": Identifier(self.events_table_name),
            "stored_event_type": Identifier(self.stored_event_type_name),
        }
        self._checked_inserts: dict[int, Composed] = {}

    def _insert_checked(self, streams: int) -> Composed:
        """The insert, with a condition per stream read: no event past its version.

        Scalar parameters, one statement per number of streams (a command reads a few):
        arrays of ids and versions cost the driver more to send than the check costs
        the server."""
        statement = self._checked_inserts.get(streams)
        if statement is None:
            unchanged = SQL(
                " AND NOT EXISTS (SELECT 1 FROM {schema}.{table}"
                " WHERE originator_id = %s AND originator_version > %s)"
            ).format(**self._names)
            statement = SQL(
                "INSERT INTO {schema}.{table} AS t"
                " (originator_id, originator_version, topic, state)"
                " SELECT originator_id, originator_version, topic, state"
                " FROM unnest(%s::{schema}.{stored_event_type}[]) WHERE true{unchanged}"
                " RETURNING notification_id"
            ).format(unchanged=SQL("").join([unchanged] * streams), **self._names)
            self._checked_inserts[streams] = statement
        return statement

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Insert in one round trip; on a lost connection, try again, unless the first
        try committed after all.

        The library tries again up to ten times, 0.2 s apart, as this does. But with its
        `COMMIT` sent with everything else, a transaction may commit while its answer is
        lost (the connection dropped, say, while it waited for the table lock): inserting
        again would then meet our own rows and be taken for a lost race, and the command
        would run twice. So a later try first looks for the rows, and finds them
        committed by state (each event's bytes carry its own id and time); and a later
        try that is refused looks once more (an earlier try may have run after the look,
        queued ahead of it for the table lock)."""
        if self.datastore.enable_db_functions or not stored_events:
            library: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            return library
        read: ReadVersions | None = kwargs.get(READ_VERSIONS)
        ensure_follows_on(stored_events, read)
        for attempt in range(1, INSERT_ATTEMPTS + 1):
            try:
                if attempt > 1 and (committed := self._committed(stored_events)) is not None:
                    return committed
                return self._insert_once(stored_events, **kwargs)
            except IntegrityError:
                # Refused after a lost connection: perhaps by our own earlier try, which
                # the server had received whole and ran after we looked (it waited for
                # the table lock ahead of this try). Both carry the same rows, so at most
                # one of them commits: if they are there, that one did.
                if attempt > 1 and (committed := self._committed(stored_events)) is not None:
                    return committed
                raise
            except (InterfaceError, OperationalError):
                if attempt == INSERT_ATTEMPTS:
                    raise
                time.sleep(INSERT_RETRY_WAIT_S)
        raise AssertionError("unreachable")  # pragma: no cover

    @property
    def validates_reads(self) -> bool:
        # The library's database-functions insert, which `insert_events` hands over to,
        # does not check reads.
        return not self.datastore.enable_db_functions

    def _insert_once(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with (
            self.datastore.get_connection() as conn,
            conn.cursor() as curs,
            conn.cursor() as insert,
        ):
            with conn.pipeline():  # one sync, on the way out
                curs.execute("BEGIN")
                for sql, params in statements_along(kwargs):
                    curs.execute(sql, params)
                self._insert_stored_events(insert, stored_events, **kwargs)
                curs.execute("COMMIT")
            ids: Sequence[int] | None = self._fetch_ids_after_insert_events(
                insert, stored_events, **kwargs
            )
            return ids

    def _committed(self, stored_events: Sequence[StoredEvent]) -> list[int] | None:
        """The notification ids of these very events, if they are stored; else None."""
        statement = SQL(
            "SELECT e.notification_id, e.state"
            " FROM unnest(%s::{id_type}[], %s::bigint[]) WITH ORDINALITY AS k(id, version, n)"
            " JOIN {schema}.{table} AS e"
            " ON e.originator_id = k.id AND e.originator_version = k.version ORDER BY k.n"
        ).format(id_type=Identifier(self.datastore.originator_id_type), **self._names)
        ids = [e.originator_id for e in stored_events]
        versions = [e.originator_version for e in stored_events]
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            rows = curs.execute(statement, (ids, versions)).fetchall()
        states = [bytes(row["state"]) for row in rows]
        if states != [e.state for e in stored_events]:
            return None
        return [row["notification_id"] for row in rows]

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
        params: list[Any] = [rows]
        for stream, version in read.items():
            params += (stream, version)
        curs.execute(self._insert_checked(len(read)), params, prepare=True)

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if kwargs.get(READ_VERSIONS) and len(ids or ()) != len(stored_events):
            # The transaction committed with nothing in it; its notification only wakes
            # a listener for nothing.
            raise StaleRead
        return ids
