"""The synced logs of the node's peers (FEED-PROTOCOL §6), kept beside its own log.

``peer_entries`` holds each peer's entries as the exact bytes the peer served (the JCS of
the envelope; NULL for a stub the node may not see) with their leaf hashes, written only
after the page verified against the peer's signed checkpoint: entries ``[0, cursor)`` of
an origin are stored and verified, and stay verifiable offline. ``peer_state`` holds per
peer the last verified checkpoint, the cursor with the compact range of ``[0, cursor)``,
and how syncing it goes. A page and the cursor move in one transaction, so a retry after
a crash stores nothing twice. The methods are synchronous and thread-safe; async callers
run them in a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from coordination.audit.compact_range import CompactRange
from coordination.audit.merkle import EMPTY_ROOT
from coordination.audit.side_tables import Rows
from coordination.audit.storage import LogStorage
from coordination.domain.peer_log import PeerSyncState

from .peer_erasures import forget_erased
from .peer_tables import PeerTables

#: How syncing a peer goes (`PeerState.state`), as stored.
SyncState = PeerSyncState

SYNCING = SyncState.SYNCING.value
UP_TO_DATE = SyncState.UP_TO_DATE.value
BACKING_OFF = SyncState.BACKING_OFF.value
CONFLICT = SyncState.CONFLICT.value
KEY_REFUSED = SyncState.KEY_REFUSED.value

_STATE = (
    "SELECT origin, size, root, checkpoint_note, cursor, compact_range, state, last_error,"
    " checked_at, behind_since FROM {p}peer_state"
)
_ENTRY = "SELECT origin, idx, leaf_hash, envelope FROM {p}peer_entries"


@dataclass(frozen=True)
class SyncedEntry:
    """A peer's entry as stored after it verified.

    Attributes:
        origin: The peer's log.
        index: Its index in that log.
        leaf_hash: Its RFC 9162 leaf hash, as verified.
        envelope: The exact JCS bytes the peer served; None for a stub.
    """

    origin: str
    index: int
    leaf_hash: bytes
    envelope: bytes | None


@dataclass(frozen=True)
class PeerState:
    """How far a peer is synced.

    Attributes:
        origin: The peer's log.
        size: The size of its last verified checkpoint.
        root: That checkpoint's root hash.
        checkpoint_note: That checkpoint as signed.
        cursor: Entries ``[0, cursor)`` are stored and verified.
        compact: The compact range of ``[0, cursor)``.
        state: One of the states above.
        last_error: Why the last step failed, if it did.
        checked_at: When the peer was last asked.
        behind_since: Since when entries below ``size`` wait to be stored (None: none do).
    """

    origin: str
    size: int
    root: bytes
    checkpoint_note: str
    cursor: int
    compact: CompactRange
    state: str
    last_error: str | None
    checked_at: datetime
    behind_since: datetime | None

    @property
    def lag_entries(self) -> int:
        """Entries of the last verified checkpoint not stored yet."""
        return self.size - self.cursor

    def lag_seconds(self, now: datetime) -> float:
        """For how long entries have waited to be stored (0 when none wait)."""
        if self.behind_since is None or self.lag_entries == 0:
            return 0.0
        return max((now - self.behind_since).total_seconds(), 0.0)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _state(row: tuple[Any, ...]) -> PeerState:
    origin, size, root, note, cursor, compact, state, error, checked, behind = row
    return PeerState(
        origin=str(origin),
        size=int(size),
        root=bytes(root),
        checkpoint_note=str(note),
        cursor=int(cursor),
        compact=CompactRange.from_bytes(int(cursor), bytes(compact)),
        state=str(state),
        last_error=None if error is None else str(error),
        checked_at=datetime.fromisoformat(str(checked)),
        behind_since=None if behind is None else datetime.fromisoformat(str(behind)),
    )


def _entry(row: tuple[Any, ...]) -> SyncedEntry:
    origin, index, leaf, envelope = row
    return SyncedEntry(
        str(origin), int(index), bytes(leaf), None if envelope is None else bytes(envelope)
    )


class SyncedLogs:
    """The peers' synced logs in the node's log database (SQLite file or PostgreSQL schema).

    Args:
        storage: The node's log storage.
    """

    def __init__(self, storage: LogStorage) -> None:
        self._tables = PeerTables(storage)

    def create_tables(self) -> None:
        """Create the tables when missing."""
        self._tables.create_tables()

    # -- reading (seam 1 of issue 20) -------------------------------------------------

    def entry_by_event_id(self, origin: str, event_id: str) -> SyncedEntry | None:
        """The stored, verified entry of ``origin`` whose envelope has ``event_id``."""
        sql = self._tables.sql(_ENTRY + " WHERE origin = %s AND event_id = %s")
        with self._tables.reading() as rows:
            found = rows.execute(sql, (origin, event_id))
        return _entry(found[0]) if found else None

    def entries_of_stream(self, origin: str, subject: str) -> list[SyncedEntry]:
        """The stored, verified entries of ``origin`` about the stream ``subject``, in
        index order."""
        sql = self._tables.sql(_ENTRY + " WHERE origin = %s AND subject = %s ORDER BY idx")
        with self._tables.reading() as rows:
            return [_entry(row) for row in rows.execute(sql, (origin, subject))]

    def entries(self, origin: str, start: int, limit: int) -> list[SyncedEntry]:
        """Stored entries of ``origin`` from index ``start``, at most ``limit``, in order."""
        sql = self._tables.sql(_ENTRY + " WHERE origin = %s AND idx >= %s ORDER BY idx LIMIT %s")
        with self._tables.reading() as rows:
            return [_entry(row) for row in rows.execute(sql, (origin, start, limit))]

    def shown_entries(self, origin: str, start: int, stop: int, limit: int) -> list[SyncedEntry]:
        """Stored entries of ``origin`` with content (no stub) in ``[start, stop)``, at most
        ``limit``, in index order."""
        sql = self._tables.sql(
            _ENTRY + " WHERE origin = %s AND idx >= %s AND idx < %s AND envelope IS NOT NULL"
            " ORDER BY idx LIMIT %s"
        )
        with self._tables.reading() as rows:
            return [_entry(row) for row in rows.execute(sql, (origin, start, stop, limit))]

    def verified_size(self, origin: str) -> int:
        """Entries ``[0, size)`` of ``origin`` are stored and verified (0: none)."""
        state = self.state(origin)
        return 0 if state is None else state.cursor

    def origins(self) -> list[str]:
        """The origins with a synced log, sorted."""
        with self._tables.reading() as rows:
            found = rows.execute(self._tables.sql("SELECT origin FROM {p}peer_state ORDER BY 1"))
        return [str(row[0]) for row in found]

    def state(self, origin: str) -> PeerState | None:
        """How far ``origin`` is synced; None before its first verified checkpoint."""
        with self._tables.reading() as rows:
            found = rows.execute(self._tables.sql(_STATE + " WHERE origin = %s"), (origin,))
        return _state(found[0]) if found else None

    def states(self) -> list[PeerState]:
        """Every peer's state, by origin."""
        with self._tables.reading() as rows:
            return [_state(row) for row in rows.execute(self._tables.sql(_STATE + " ORDER BY 1"))]

    # -- writing (the sync step) ------------------------------------------------------

    def verified_checkpoint(self, origin: str, size: int, root: bytes, note: str) -> PeerState:
        """Keep a checkpoint of ``origin`` that verified (signature and consistency with
        the last one); a smaller or equal one than kept changes nothing but the time."""
        with self._tables.writing(origin) as rows:
            found = rows.execute(self._tables.sql(_STATE + " WHERE origin = %s"), (origin,))
            now = _now()
            if not found:
                rows.execute(
                    self._tables.sql(
                        "INSERT INTO {p}peer_state (origin, size, root, checkpoint_note, cursor,"
                        " compact_range, state, last_error, checked_at, behind_since)"
                        " VALUES (%s, %s, %s, %s, 0, %s, %s, NULL, %s, %s)"
                    ),
                    (origin, size, root, note, b"", SYNCING, now, now if size else None),
                )
            elif size > int(found[0][1]) or not found[0][3]:
                caught_up = int(found[0][4]) == int(found[0][1])
                rows.execute(
                    self._tables.sql(
                        "UPDATE {p}peer_state SET size = %s, root = %s, checkpoint_note = %s,"
                        " checked_at = %s,"
                        " behind_since = CASE WHEN %s THEN %s ELSE behind_since END"
                        " WHERE origin = %s"
                    ),
                    (size, root, note, now, caught_up, now, origin),
                )
            else:
                self._touch(rows, origin, now)
            return _state(
                rows.execute(self._tables.sql(_STATE + " WHERE origin = %s"), (origin,))[0]
            )

    def store_page(
        self,
        origin: str,
        entries: list[SyncedEntry],
        event_ids: list[str | None],
        after: CompactRange,
        subjects: list[str | None] | None = None,
    ) -> bool:
        """Store a verified page and move the cursor to its end, in one transaction.

        Args:
            origin: The peer's log.
            entries: The page's entries, contiguous from the cursor.
            event_ids: Each entry's event id (None for a stub).
            after: The compact range of ``[0, cursor + len(entries))``.
            subjects: Each entry's subject (its stream id; None for a stub), by which
                `entries_of_stream` finds them.

        Entries of a person the peer erased are stored as stubs (`peer_erasures`).

        Returns:
            False when the cursor is no longer at the page's start (another process or an
            earlier attempt stored it): nothing is written.
        """
        with self._tables.writing(origin) as rows:
            found = rows.execute(
                self._tables.sql("SELECT cursor, size FROM {p}peer_state WHERE origin = %s"),
                (origin,),
            )
            if not found or not entries or int(found[0][0]) != entries[0].index:
                return False
            page = [(entry.index, entry.envelope) for entry in entries]
            forgotten = forget_erased(self._tables, rows, origin, page)
            named = subjects if subjects is not None else [None] * len(entries)
            hidden = (None,) * 3
            rows.insert_many(
                self._tables.sql("{p}peer_entries"),
                ("origin", "idx", "leaf_hash", "event_id", "envelope", "subject"),
                [
                    (origin, entry.index, entry.leaf_hash)
                    + (
                        hidden
                        if entry.index in forgotten.hidden
                        else (event_id, entry.envelope, subject)
                    )
                    for entry, event_id, subject in zip(entries, event_ids, named, strict=True)
                ],
            )
            state = UP_TO_DATE if after.size == int(found[0][1]) else SYNCING
            rows.execute(
                self._tables.sql(
                    "UPDATE {p}peer_state SET cursor = %s, compact_range = %s, state = %s,"
                    " last_error = NULL, checked_at = %s WHERE origin = %s"
                ),
                (after.size, after.to_bytes(), state, _now(), origin),
            )
        if forgotten.dropped:
            self._tables.scrub()
        return True

    def mark(self, origin: str, state: str, error: str | None = None) -> None:
        """Set how syncing ``origin`` goes, and why the last step failed (None: it did not);
        a peer not synced yet gets a row of its own. A peer in conflict stays in conflict."""
        with self._tables.writing(origin) as rows:
            found = rows.execute(
                self._tables.sql("SELECT state FROM {p}peer_state WHERE origin = %s"), (origin,)
            )
            if not found:
                rows.execute(
                    self._tables.sql(
                        "INSERT INTO {p}peer_state (origin, size, root, checkpoint_note, cursor,"
                        " compact_range, state, last_error, checked_at, behind_since)"
                        " VALUES (%s, 0, %s, '', 0, %s, %s, %s, %s, NULL)"
                    ),
                    (origin, EMPTY_ROOT, b"", state, error, _now()),
                )
            elif found[0][0] != CONFLICT or state == CONFLICT:
                rows.execute(
                    self._tables.sql(
                        "UPDATE {p}peer_state SET state = %s, last_error = %s, checked_at = %s"
                        " WHERE origin = %s"
                    ),
                    (state, error, _now(), origin),
                )

    def _touch(self, rows: Rows, origin: str, now: str) -> None:
        rows.execute(
            self._tables.sql("UPDATE {p}peer_state SET checked_at = %s WHERE origin = %s"),
            (now, origin),
        )
